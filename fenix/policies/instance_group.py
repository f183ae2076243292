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
"""Policies of the constraints of an instance group (ETSI NFV FEAT03)."""

from oslo_policy import policy

from fenix.policies import base

PREFIX = 'fenix:instance_group:%s'
PATH = '/v1/instance_group/{group_id}'

rules = [
    policy.DocumentedRuleDefault(
        name=PREFIX % 'get',
        check_str=base.PROJECT_OWNER_OR_ADMIN,
        description='Show the constraints of an instance group.',
        operations=[{'path': PATH, 'method': 'GET'}],
        scope_types=base.SCOPE_TYPES),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'put',
        check_str=base.PROJECT_OWNER_OR_ADMIN,
        description='Create or replace the constraints of an instance group.',
        operations=[{'path': PATH, 'method': 'PUT'}],
        scope_types=base.SCOPE_TYPES),
    policy.DocumentedRuleDefault(
        name=PREFIX % 'delete',
        check_str=base.PROJECT_OWNER_OR_ADMIN,
        description='Delete the constraints of an instance group.',
        operations=[{'path': PATH, 'method': 'DELETE'}],
        scope_types=base.SCOPE_TYPES),
]


def list_rules():
    return rules
