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
"""Body of PUT /v1/instance/{instance_id} (ETSI NFV FEAT03).

Tacker (tacker/plugins/fenix.py) and OPNFV Doctor
(doctor_tests/app_manager/vnfm.py) send every field below; Doctor sends
``"migration_type": "MIGRATION"``, accepted as a synonym of MIGRATE.
"""

from fenix.api.schemas import v1
from fenix.common import states

# NOTE: the synonym is stored as MIGRATE (see the controller).
MIGRATION_SYNONYMS = {'MIGRATION': states.MIGRATE}

PUT = {
    'type': 'object',
    'properties': {
        'instance_id': v1.UUID,
        'project_id': v1.PROJECT_ID,
        'group_id': v1.nullable(v1.UUID),
        'instance_name': v1.nullable({'type': 'string', 'maxLength': 255}),
        'migration_type': v1.nullable({
            'type': 'string',
            'enum': list(states.INSTANCE_ACTIONS) + sorted(
                MIGRATION_SYNONYMS) + [None]}),
        # Seconds.
        'max_interruption_time': v1.nullable(v1.NON_NEGATIVE_INT),
        'resource_mitigation': v1.nullable(v1.BOOLEAN),
        'lead_time': v1.nullable(v1.NON_NEGATIVE_INT),
    },
    'required': ['project_id'],
    'additionalProperties': False,
}
