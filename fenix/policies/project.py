#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.
"""Policies of the project API: a project's part in a session."""

from oslo_policy import policy

from fenix.policies import base

PREFIX = 'fenix:project:%s'
PROJECT = '/v1/maintenance/{session_id}/{project_id}'

rules = [
    policy.DocumentedRuleDefault(
        name=PREFIX % 'get',
        check_str=base.PROJECT_OWNER_OR_ADMIN,
        description="Show the project's instances concerned by the "
                    "session's current state.",
        operations=[{'path': PROJECT, 'method': 'GET'}],
        scope_types=base.SCOPE_TYPES),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'reply',
        check_str=base.PROJECT_OWNER_OR_ADMIN,
        description='Reply (ACK or NACK, with instance actions) for the '
                    'project to the state it was notified.',
        operations=[{'path': PROJECT, 'method': 'PUT'}],
        scope_types=base.SCOPE_TYPES),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'instance_reply',
        check_str=base.PROJECT_OWNER_OR_ADMIN,
        description='Reply for one instance of the project.',
        operations=[{'path': PROJECT + '/{instance_id}', 'method': 'PUT'}],
        scope_types=base.SCOPE_TYPES),
]


def list_rules():
    return rules
