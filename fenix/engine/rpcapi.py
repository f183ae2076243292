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
"""Client side of the engine RPC API (used by fenix-api).

Every method is a cast: the API has already stored what changed in the
database, so the engine only needs to be woken. A lost cast delays the
engine until its next sweep; nothing is lost. A cast about a session that
an engine owns goes to that engine (``owner``, its ``host``): with several
engines, a wake-up that reached another one would wait for the owner's
next sweep.

API version history:

* 1.0 - Initial version: session_created, session_updated,
  reply_received, session_delete_requested.
"""

from oslo_log import log as logging
import oslo_messaging as messaging

from fenix.common import rpc

LOG = logging.getLogger(__name__)


class EngineAPI:
    RPC_API_VERSION = '1.0'

    def __init__(self, conf):
        target = messaging.Target(topic=conf.engine.topic,
                                  version=self.RPC_API_VERSION)
        self.client = rpc.get_client(target)

    def _cast(self, context, method, owner=None, **kwargs):
        if owner:
            cctxt = self.client.prepare(version='1.0', server=owner)
        else:
            cctxt = self.client.prepare(version='1.0')
        try:
            cctxt.cast(context, method, **kwargs)
        except messaging.MessagingException as e:
            # NOTE: the change is already in the database; an engine sweep
            # will find it. The client must not see an error for this.
            LOG.warning('Could not cast %(method)s for session %(id)s to '
                        'the engine (%(err)s); the engine sweep will pick '
                        'it up.', {'method': method,
                                   'id': kwargs.get('session_id'),
                                   'err': e})

    def session_created(self, context, session_id):
        self._cast(context, 'session_created', session_id=session_id)

    def session_updated(self, context, session_id, owner=None):
        """The admin changed the session (e.g. continue from a state)."""
        self._cast(context, 'session_updated', owner=owner,
                   session_id=session_id)

    def reply_received(self, context, session_id, project_id, owner=None):
        self._cast(context, 'reply_received', owner=owner,
                   session_id=session_id, project_id=project_id)

    def session_delete_requested(self, context, session_id, owner=None):
        self._cast(context, 'session_delete_requested', owner=owner,
                   session_id=session_id)
