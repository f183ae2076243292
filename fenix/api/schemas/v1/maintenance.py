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
"""Bodies of the admin API (maintenance sessions)."""

from fenix.api.schemas import v1
from fenix.common import states

ACTION = {
    'type': 'object',
    'properties': {
        'plugin': v1.name(),
        'type': {'type': 'string', 'enum': list(states.ACTION_TYPES)},
        'order': v1.NON_NEGATIVE_INT,
        'metadata': {'type': 'object'},
    },
    'required': ['plugin', 'type'],
    'additionalProperties': False,
}

DOWNLOAD = {
    'type': 'object',
    'properties': {
        'url': {'type': 'string', 'minLength': 1, 'maxLength': 2048},
        'size': v1.NON_NEGATIVE_INT,
    },
    'required': ['url'],
    'additionalProperties': False,
}

CREATE = {
    'type': 'object',
    'properties': {
        # Empty: discover every compute host.
        'hosts': {'type': 'array', 'items': v1.name(),
                  'uniqueItems': True},
        'state': {'type': 'string', 'enum': [states.MAINTENANCE]},
        'maintenance_at': v1.TIME,
        'workflow': v1.name(64),
        'metadata': {'type': 'object'},
        'actions': {'type': 'array', 'items': ACTION},
        'download': {'type': 'array', 'items': DOWNLOAD},
    },
    'required': ['hosts', 'state', 'maintenance_at'],
    'additionalProperties': False,
}

UPDATE = {
    'type': 'object',
    'properties': {
        'state': {'type': 'string', 'enum': list(states.WORKFLOW_STATES)},
    },
    'required': ['state'],
    'additionalProperties': False,
}
