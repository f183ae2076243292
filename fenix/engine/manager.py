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
"""The engine's RPC endpoint.

Every method is a cast from fenix-api saying that the database changed for
a session; the endpoint only wakes (or starts) the session's runner. The
state itself is read from the database, never from the message.
"""

from oslo_log import log as logging
import oslo_messaging as messaging

LOG = logging.getLogger(__name__)


class EngineManager:
    """RPC endpoint, see :mod:`fenix.engine.rpcapi` for the versions."""

    target = messaging.Target(version='1.0')

    def __init__(self, runner):
        self.runner = runner

    def session_created(self, context, session_id):
        LOG.info('Session %s created', session_id)
        self.runner.wake(session_id)

    def session_updated(self, context, session_id):
        LOG.info('Session %s updated by the admin', session_id)
        self.runner.wake(session_id)

    def reply_received(self, context, session_id, project_id):
        LOG.debug('Reply of project %s to session %s', project_id,
                  session_id)
        self.runner.wake(session_id)

    def session_delete_requested(self, context, session_id):
        LOG.info('Session %s: delete requested', session_id)
        self.runner.wake(session_id, stop=True)
