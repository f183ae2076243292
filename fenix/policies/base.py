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
"""Rules the resource policies are built from."""

from oslo_policy import policy

ADMIN_API = 'rule:admin_api'
PROJECT_OWNER_OR_ADMIN = 'rule:project_owner_or_admin'

# NOTE: the API's context is project scoped (keystone project tokens, or
# the noauth identity); a system-scoped token gets 403 rather than a guess.
SCOPE_TYPES = ['project']

rules = [
    policy.RuleDefault(
        name='admin_api',
        check_str='role:admin',
        description='The infrastructure admin: runs maintenance sessions.'),
    policy.RuleDefault(
        name='project_owner_or_admin',
        check_str='role:admin or project_id:%(project_id)s',
        description='The project the resource belongs to (project_id of '
                    'the target), or the admin.'),
]


def list_rules():
    return rules
