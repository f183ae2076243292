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
"""Policies of the admin API: maintenance sessions."""

from oslo_policy import policy

from fenix.policies import base

PREFIX = 'fenix:maintenance:%s'
COLLECTION = '/v1/maintenance'
SESSION = '/v1/maintenance/{session_id}'

rules = [
    policy.DocumentedRuleDefault(
        name=PREFIX % 'create',
        check_str=base.ADMIN_API,
        description='Create a maintenance session.',
        operations=[{'path': COLLECTION, 'method': 'POST'}],
        scope_types=base.SCOPE_TYPES),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'list',
        check_str=base.ADMIN_API,
        description='List the maintenance sessions.',
        operations=[{'path': COLLECTION, 'method': 'GET'}],
        scope_types=base.SCOPE_TYPES),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'get',
        check_str=base.ADMIN_API,
        description='Show a maintenance session.',
        operations=[{'path': SESSION, 'method': 'GET'}],
        scope_types=base.SCOPE_TYPES),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'get_detail',
        check_str=base.ADMIN_API,
        description='Show a maintenance session with its hosts, projects, '
                    'instances, action plug-in runs and history.',
        operations=[{'path': SESSION + '/detail', 'method': 'GET'}],
        scope_types=base.SCOPE_TYPES),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'update',
        check_str=base.ADMIN_API,
        description='Continue a failed maintenance session from a state.',
        operations=[{'path': SESSION, 'method': 'PUT'}],
        scope_types=base.SCOPE_TYPES),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'delete',
        check_str=base.ADMIN_API,
        description='Stop and delete a maintenance session.',
        operations=[{'path': SESSION, 'method': 'DELETE'}],
        scope_types=base.SCOPE_TYPES),
]


def list_rules():
    return rules
