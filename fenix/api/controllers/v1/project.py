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
"""Project API: ``/v1/maintenance/{session_id}/{project_id}[/{instance_id}]``.

A reply is stored (compare-and-swap on the project row: a concurrent reply
is a 409, never a lost update) before the 200; then the engine is woken.
"""

from oslo_log import log as logging
import pecan

from fenix.api.controllers import base
from fenix.api import policy
from fenix.api.schemas.v1 import project as schema
from fenix.common import exception
from fenix.db import api as db

LOG = logging.getLogger(__name__)


def _check_session_echo(body, session_id):
    # NOTE: Tacker sends '' when its notification had no session id.
    echoed = body.get('session_id')
    if echoed and echoed != session_id:
        raise exception.Invalid(
            message="Invalid input for field 'session_id': %r is not the "
                    "session %s of the URL." % (echoed, session_id))


def _replied_by(ctx):
    return ctx.user_id or ctx.project_id


class ProjectInstanceController(base.Controller):
    """``/v1/maintenance/{session_id}/{project_id}/{instance_id}``."""

    def __init__(self, session_id, project_id, instance_id):
        self.session_id = session_id
        self.project_id = project_id
        self.instance_id = instance_id

    @pecan.expose(generic=True, template='json')
    def index(self):
        base.method_not_allowed()

    @index.when(method='PUT', template='json')
    def put(self):
        ctx = base.context()
        policy.authorize(ctx, 'fenix:project:instance_reply',
                         {'project_id': self.project_id})
        body = base.body(schema.INSTANCE_REPLY)
        _check_session_echo(body, self.session_id)
        owner = db.instance_reply(self.session_id, self.project_id,
                                  self.instance_id, body['state'],
                                  replied_by=_replied_by(ctx),
                                  action=body.get('instance_action'))
        base.engine_api().reply_received(ctx, self.session_id,
                                         self.project_id, owner=owner)
        LOG.info('Session %(s)s: project %(p)s replied %(r)s for instance '
                 '%(i)s', {'s': self.session_id, 'p': self.project_id,
                           'r': body['state'], 'i': self.instance_id})
        return {'session_id': self.session_id,
                'project_id': self.project_id,
                'instance_id': self.instance_id, 'state': body['state'],
                'instance_action': body.get('instance_action')}


class ProjectController(base.Controller):
    """``/v1/maintenance/{session_id}/{project_id}``."""

    def __init__(self, session_id, project_id):
        self.session_id = session_id
        self.project_id = project_id

    def child(self, segment):
        return ProjectInstanceController(
            self.session_id, self.project_id,
            base.check_uuid('instance_id', segment))

    @pecan.expose(generic=True, template='json')
    def index(self):
        base.method_not_allowed()

    @index.when(method='GET', template='json')
    def get(self):
        # NOTE: a GET body (the Doctor sample app manager sends one with
        # the session id) is ignored.
        policy.authorize(base.context(), 'fenix:project:get',
                         {'project_id': self.project_id})
        project = db.project_get(self.session_id, self.project_id)
        return {'instance_ids': project['instance_ids']}

    @index.when(method='PUT', template='json')
    def put(self):
        ctx = base.context()
        policy.authorize(ctx, 'fenix:project:reply',
                         {'project_id': self.project_id})
        body = base.body(schema.PROJECT_REPLY)
        _check_session_echo(body, self.session_id)
        owner = db.project_reply(
            self.session_id, self.project_id, body['state'],
            replied_by=_replied_by(ctx),
            instance_actions=body.get('instance_actions'))
        base.engine_api().reply_received(ctx, self.session_id,
                                         self.project_id, owner=owner)
        LOG.info('Session %(s)s: project %(p)s replied %(r)s',
                 {'s': self.session_id, 'p': self.project_id,
                  'r': body['state']})
        return {'session_id': self.session_id,
                'project_id': self.project_id, 'state': body['state'],
                'instance_actions': body.get('instance_actions', {})}
