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
"""The three notifications of DESIGN §5.

* maintenance.scheduled to a project's app manager,
* maintenance.host to infrastructure services,
* maintenance.session to the admin.

All go through one oslo.messaging Notifier (publisher_id fenix,
priority info) to the topics of [oslo_messaging_notifications].
"""

from oslo_log import log as logging

from fenix.common import rpc

LOG = logging.getLogger(__name__)

SERVICE = 'fenix'
TIME_FORMAT = '%Y-%m-%d %H:%M:%S'

PROJECT_EVENT = 'maintenance.scheduled'
HOST_EVENT = 'maintenance.host'
SESSION_EVENT = 'maintenance.session'


def format_time(value):
    return value.strftime(TIME_FORMAT) if value is not None else None


class Notifier:
    """Builds the payloads and sends them.

    :param notifier: an oslo_messaging.Notifier; the one of the
        process's notification transport when None.
    """

    def __init__(self, notifier=None):
        self._notifier = notifier or rpc.get_notifier(SERVICE)

    def _send(self, context, event_type, payload):
        LOG.debug('%s: %s', event_type, payload)
        self._notifier.info(context, event_type, payload)

    def project(self, session_id, project_id, state, instance_ids,
                allowed_actions, reply_url, reply_at, actions_at,
                metadata):
        """Tell a project what is coming (or done).

        :param instance_ids: the project API URL for project-wide states,
            a one-element list for per-instance states.
        """
        self._send({'project_id': project_id}, PROJECT_EVENT, {
            'service': SERVICE,
            'session_id': session_id,
            'project_id': project_id,
            'state': state,
            'instance_ids': instance_ids,
            'allowed_actions': list(allowed_actions),
            'reply_url': reply_url,
            'reply_at': format_time(reply_at),
            'actions_at': format_time(actions_at),
            'metadata': dict(metadata or {}),
        })

    def host(self, session_id, host, state, project_id=None):
        self._send({}, HOST_EVENT, {
            'service': SERVICE,
            'session_id': session_id,
            'host': host,
            'state': state,
            'project_id': project_id,
        })

    def session(self, session_id, state, percent_done, reason=None):
        self._send({}, SESSION_EVENT, {
            'service': SERVICE,
            'session_id': session_id,
            'state': state,
            'percent_done': percent_done,
            'reason': reason,
        })
