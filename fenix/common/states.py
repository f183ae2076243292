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
"""Names of session, project, host and instance states and actions."""

# Session states of the default workflow (DESIGN §6).
MAINTENANCE = 'MAINTENANCE'
SCALE_IN = 'SCALE_IN'
PREPARE_MAINTENANCE = 'PREPARE_MAINTENANCE'
START_MAINTENANCE = 'START_MAINTENANCE'
PLANNED_MAINTENANCE = 'PLANNED_MAINTENANCE'
MAINTENANCE_COMPLETE = 'MAINTENANCE_COMPLETE'
MAINTENANCE_DONE = 'MAINTENANCE_DONE'
MAINTENANCE_FAILED = 'MAINTENANCE_FAILED'

WORKFLOW_STATES = (MAINTENANCE, SCALE_IN, PREPARE_MAINTENANCE,
                   START_MAINTENANCE, PLANNED_MAINTENANCE,
                   MAINTENANCE_COMPLETE, MAINTENANCE_DONE,
                   MAINTENANCE_FAILED)

# A session in one of these holds no hosts and needs no engine.
INACTIVE_SESSION_STATES = (MAINTENANCE_DONE, MAINTENANCE_FAILED)

# States notified to projects in maintenance.scheduled.
INSTANCE_ACTION_DONE = 'INSTANCE_ACTION_DONE'
PROJECT_STATES = (MAINTENANCE, SCALE_IN, PREPARE_MAINTENANCE,
                  PLANNED_MAINTENANCE, INSTANCE_ACTION_DONE,
                  MAINTENANCE_COMPLETE)
# States a project replies to (INSTANCE_ACTION_DONE needs no reply).
REPLY_STATES = (MAINTENANCE, SCALE_IN, PREPARE_MAINTENANCE,
                PLANNED_MAINTENANCE, MAINTENANCE_COMPLETE)
REPLIES = tuple('%s_%s' % (kind, state)
                for state in REPLY_STATES for kind in ('ACK', 'NACK'))

# Host states in maintenance.host notifications.
IN_MAINTENANCE = 'IN_MAINTENANCE'
HOST_MAINTENANCE_COMPLETE = 'MAINTENANCE_COMPLETE'

# Instance actions a project may reply.
MIGRATE = 'MIGRATE'
LIVE_MIGRATE = 'LIVE_MIGRATE'
OWN_ACTION = 'OWN_ACTION'
EVICTION = 'EVICTION'
INSTANCE_ACTIONS = (MIGRATE, LIVE_MIGRATE, OWN_ACTION, EVICTION)

# Host row states.
HOST_PENDING = 'PENDING'
HOST_EMPTYING = 'EMPTYING'
HOST_IN_MAINTENANCE = 'IN_MAINTENANCE'
HOST_MAINTAINED = 'MAINTAINED'
HOST_FAILED = 'FAILED'

# Instance row states.
INSTANCE_PENDING = 'PENDING'
INSTANCE_ACTING = 'ACTING'
INSTANCE_DONE = 'DONE'
INSTANCE_FAILED = 'FAILED'
INSTANCE_GONE = 'GONE'

# Action plug-in types and run states.
ACTION_TYPES = ('pre', 'host', 'post', 'compute', 'controller')
ACTION_RUNNING = 'RUNNING'
ACTION_DONE = 'DONE'
ACTION_FAILED = 'FAILED'
