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
"""Body of PUT /v1/instance_group/{group_id} (ETSI NFV FEAT03).

As Tacker (tacker/plugins/fenix.py) and OPNFV Doctor
(doctor_tests/app_manager/vnfm.py) send it.
"""

from fenix.api.schemas import v1

PUT = {
    'type': 'object',
    'properties': {
        'group_id': v1.UUID,
        'project_id': v1.PROJECT_ID,
        'group_name': v1.nullable({'type': 'string', 'maxLength': 255}),
        'anti_affinity_group': v1.nullable(v1.BOOLEAN),
        # 0: no limit.
        'max_instances_per_host': v1.nullable(v1.NON_NEGATIVE_INT),
        'max_impacted_members': v1.nullable(v1.NON_NEGATIVE_INT),
        # Seconds.
        'recovery_time': v1.nullable(v1.NON_NEGATIVE_INT),
        'resource_mitigation': v1.nullable(v1.BOOLEAN),
    },
    'required': ['project_id'],
    'additionalProperties': False,
}
