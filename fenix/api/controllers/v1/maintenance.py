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
"""Admin API: ``/v1/maintenance`` and ``/v1/maintenance/{session_id}``.

Every write stores the change first and then casts the session id to the
engine: a lost cast only delays the engine until its next sweep.
"""

import time
import uuid

from oslo_log import log as logging
import pecan

from fenix.api.controllers import base
from fenix.api.controllers.v1 import project
from fenix.api import plugins
from fenix.api import policy
from fenix.api.schemas.v1 import maintenance as schema
from fenix.api import validation
from fenix.common import exception
from fenix.common import states
from fenix.db import api as db

LOG = logging.getLogger(__name__)

SESSION_FIELDS = ('state', 'workflow', 'maintenance_at', 'percent_done',
                  'reason', 'metadata', 'created_at', 'updated_at',
                  'stop_requested', 'waiting_for', 'wait_until')

DEFAULT_WORKFLOW = 'default'


def session_view(session):
    view = {'session_id': session['id']}
    view.update((k, base.format_time(session[k])) for k in SESSION_FIELDS)
    return view


def _authorize(rule):
    # NOTE: the admin API concerns no one project; the caller's own
    # project is the target so that a custom rule may still use it.
    ctx = base.context()
    policy.authorize(ctx, 'fenix:maintenance:%s' % rule,
                     {'project_id': ctx.project_id})


class SessionController(base.Controller):
    """``/v1/maintenance/{session_id}``."""

    children = {'detail': 'detail'}

    def __init__(self, session_id):
        self.session_id = session_id

    def child(self, segment):
        return project.ProjectController(self.session_id, segment)

    def _get(self):
        return db.session_get(self.session_id)

    @pecan.expose(generic=True, template='json')
    def index(self):
        base.method_not_allowed()

    @index.when(method='GET', template='json')
    def get(self):
        _authorize('get')
        return session_view(self._get())

    @pecan.expose(generic=True, template='json')
    def detail(self):
        base.method_not_allowed()

    @detail.when(method='GET', template='json')
    def get_detail(self):
        _authorize('get_detail')
        session = self._get()
        view = session_view(session)
        view.update(
            hosts=[base.public(h) for h in db.host_list(session['id'])],
            projects=[base.public(p)
                      for p in db.project_list(session['id'])],
            instances=[base.public(i)
                       for i in db.instance_list(session['id'])],
            actions=[base.public(a)
                     for a in db.action_plugin_list(session['id'])],
            action_plugin_instances=[
                base.public(r) for r in db.action_run_list(session['id'])],
            history=[base.public(e)
                     for e in db.history_list(session['id'])])
        return view

    @index.when(method='PUT', template='json')
    def put(self):
        """Continue a failed session from a state."""
        _authorize('update')
        wanted = base.body(schema.UPDATE)['state']
        session = self._get()
        if session['state'] != states.MAINTENANCE_FAILED:
            raise exception.InvalidState(
                reason='Session %s is %s; only a %s session can be '
                       'continued.' % (session['id'], session['state'],
                                       states.MAINTENANCE_FAILED))
        if session['stop_requested']:
            raise exception.InvalidState(
                reason='Session %s is being deleted.' % session['id'])
        allowed = plugins.workflow_states(session['workflow'])
        if wanted not in allowed:
            raise exception.InvalidState(
                reason='Session %s cannot be continued from %s; workflow '
                       '%r can continue from: %s.' % (
                           session['id'], wanted, session['workflow'],
                           ', '.join(allowed)))
        session = db.session_update(
            session['id'], state=wanted, reason=None,
            progress=plugins.continued_progress(session['workflow'],
                                                session['progress']),
            expected_generation=session['generation'])
        base.engine_api().session_updated(
            base.context(), session['id'], owner=db.live_owner(session))
        LOG.info('Session %s continues from %s', session['id'], wanted)
        return session_view(session)

    @index.when(method='DELETE', template='json')
    def delete(self):
        """Delete a finished session; stop a running one at a safe point.

        A running session is stopped by its engine (an instance move in
        flight finishes, hosts disabled by the session are enabled again
        unless a host action runs on them) and stays, failed, so that it
        can be continued or deleted for good. The answer waits up to
        ``[api] stop_wait`` seconds for the stop and says what was left.
        """
        _authorize('delete')
        session = self._get()
        finished = session['state'] in states.INACTIVE_SESSION_STATES
        if finished and not session['stop_requested'] and not any(
                h['disabled_by_us'] for h in db.host_list(session['id'])):
            return self._delete(session)
        # NOTE: the engine owns the cloud side: it stops a running session
        # at a safe point, and enables the hosts a session left disabled.
        if not session['stop_requested']:
            session = db.session_update(
                session['id'], stop_requested=True,
                expected_generation=session['generation'])
        base.engine_api().session_delete_requested(
            base.context(), session['id'], owner=db.live_owner(session))
        LOG.info('Session %s asked to stop', session['id'])
        session = _wait_stopped(session['id'],
                                base.conf().api.stop_wait)
        if finished and not session['stop_requested']:
            return self._delete(session)
        return {'session_id': session['id'], 'state': session['state'],
                'deleted': False,
                'stopped': not session['stop_requested'],
                'stop_requested': session['stop_requested'],
                'reason': session['reason'],
                'left': db.session_left(session['id'])}

    @staticmethod
    def _delete(session):
        left = db.session_left(session['id'])
        db.session_delete(session['id'])
        LOG.info('Session %s deleted', session['id'])
        return {'session_id': session['id'], 'state': session['state'],
                'deleted': True, 'stopped': True, 'stop_requested': False,
                'reason': session['reason'], 'left': left}


def _wait_stopped(session_id, timeout):
    """The session once its engine stopped it, or after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        session = db.session_get(session_id)
        if not session['stop_requested'] or time.monotonic() >= deadline:
            return session
        time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))


class MaintenanceController(base.Controller):
    """``/v1/maintenance``."""

    def child(self, segment):
        return SessionController(base.check_uuid('session_id', segment))

    @pecan.expose(generic=True, template='json')
    def index(self):
        base.method_not_allowed()

    @index.when(method='GET', template='json')
    def get_all(self):
        _authorize('list')
        return {'sessions': db.session_list()}

    @index.when(method='POST', template='json')
    def post(self):
        _authorize('create')
        body = base.body(schema.CREATE)
        workflow = body.get('workflow', DEFAULT_WORKFLOW)
        plugins.check('workflow', plugins.WORKFLOW_NAMESPACE, workflow)
        actions = []
        seen = set()
        for action in body.get('actions', []):
            plugins.check('action', plugins.ACTION_NAMESPACE,
                          action['plugin'])
            key = (action['plugin'], action['type'])
            if key in seen:
                # NOTE: a run is recorded per plug-in, type and host.
                raise exception.Invalid(
                    reason="field 'actions': plug-in %r is given twice "
                           "with type %r; give each its own type (for "
                           "example host and compute) or merge them" % key)
            seen.add(key)
            actions.append({'plugin': action['plugin'],
                            'type': action['type'],
                            'order': action.get('order', 0),
                            'metadata': action.get('metadata', {})})
        values = {
            'id': str(uuid.uuid4()),
            'state': body['state'],
            'workflow': workflow,
            'maintenance_at': validation.parse_time(body['maintenance_at']),
            'requested_hosts': body['hosts'],
            'metadata': body.get('metadata', {}),
            'download': body.get('download', []),
            'progress': {},
        }
        session = db.session_create(
            values, actions, max_sessions=base.conf().engine.max_sessions)
        base.engine_api().session_created(base.context(), session['id'])
        LOG.info('Session %(id)s created: workflow %(workflow)s, hosts '
                 '%(hosts)s', {'id': session['id'], 'workflow': workflow,
                               'hosts': body['hosts'] or 'discovered'})
        return {'session_id': session['id']}
