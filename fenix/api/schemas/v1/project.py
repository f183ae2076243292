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
"""Bodies of the project API (replies to maintenance notifications).

Accepted exactly as the existing app managers send them:

* Tacker (tacker/plugins/fenix.py) PUTs to the notification's reply_url
  ``{"session_id", "state": "ACK_<S>"|"NACK_<S>"}`` plus ``instance_ids``
  (MAINTENANCE, SCALE_IN, MAINTENANCE_COMPLETE) or ``instance_action``
  (per-instance PREPARE/PLANNED_MAINTENANCE).
* OPNFV Doctor (doctor_tests/app_manager/sample.py, vnfm.py) sends the same
  keys, and ``instance_actions`` {instance_id: action} for project-wide
  PREPARE/PLANNED_MAINTENANCE.
"""

from fenix.api.schemas import v1
from fenix.common import states

REPLY_STATE = {'type': 'string', 'enum': list(states.REPLIES)}
INSTANCE_ACTION = {'type': 'string', 'enum': list(states.INSTANCE_ACTIONS)}

PROJECT_REPLY = {
    'type': 'object',
    'properties': {
        'state': REPLY_STATE,
        'instance_actions': {
            'type': 'object',
            'propertyNames': v1.UUID,
            'additionalProperties': INSTANCE_ACTION,
        },
        # The instances the project has now (informative).
        'instance_ids': {'type': 'array', 'items': v1.UUID,
                         'uniqueItems': True},
        'session_id': v1.SESSION_ID_ECHO,
    },
    'required': ['state'],
    'additionalProperties': False,
}

INSTANCE_REPLY = {
    'type': 'object',
    'properties': {
        'state': REPLY_STATE,
        'instance_action': INSTANCE_ACTION,
        'instance_ids': {'type': 'array', 'items': v1.UUID,
                         'uniqueItems': True},
        'session_id': v1.SESSION_ID_ECHO,
    },
    'required': ['state'],
    'additionalProperties': False,
}
