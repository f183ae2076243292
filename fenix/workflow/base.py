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
"""Base of workflow plug-ins (stevedore namespace fenix.workflow).

A workflow is a state machine: one method per session state, each returning
the next state. The engine calls :meth:`BaseWorkflow.run` in the session's
thread; it runs until MAINTENANCE_DONE or MAINTENANCE_FAILED. Every handler
must be safe to run again from its start: after a crash, or when the admin
continues a failed session, the handler of the stored state is run anew and
finds what was already done in the database and in the cloud.
"""

import functools

from oslo_log import log as logging
from stevedore import driver as stevedore_driver

from fenix.cloud import base as cloud_base
from fenix.common import states
from fenix.db import api as db
from fenix.workflow.actions import base as action_base
from fenix.workflow import download

LOG = logging.getLogger(__name__)

ACTION_NAMESPACE = 'fenix.action'


@functools.lru_cache(maxsize=None)
def _action_class(name):
    """The class of action plug-in ``name`` (entry points read once)."""
    return stevedore_driver.DriverManager(
        ACTION_NAMESPACE, name, invoke_on_load=False).driver


class WorkflowFailed(Exception):
    """The session cannot go on; ``reason`` tells the admin why."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class BaseWorkflow:
    """Drives one session through its states.

    :param ctx: the :class:`fenix.engine.context.SessionContext`.
    """

    #: state name -> method name; subclasses fill it.
    handlers = {}
    #: ``progress`` markers a continue (PUT) forgets: what the failed
    #: attempt asked and counted, so that the continued one asks again.
    forget_on_continue = ()

    def __init__(self, ctx):
        self.ctx = ctx
        self.conf = ctx.conf
        self.cloud = ctx.cloud
        self.session_id = ctx.session_id

    def run(self):
        state = self.ctx.refresh()['state']
        if state not in (states.MAINTENANCE,
                         *states.INACTIVE_SESSION_STATES):
            # Resumed or continued past MAINTENANCE: the host actions may
            # need the session's downloads (kept files are not fetched
            # again).
            try:
                self.fetch_downloads()
            except WorkflowFailed as e:
                self.fail(e.reason)
                return
        while True:
            session = self.ctx.refresh()
            if session['state'] in states.INACTIVE_SESSION_STATES:
                # NOTE: a stop asked for once the session has ended (a
                # DELETE of a failed session, or one that raced with the
                # end) only tidies up the hosts: the session keeps its end.
                if session['stop_requested']:
                    left = self.stop()
                    self.ctx.update(stop_requested=False, progress=dict(
                        session['progress'], stopped=left))
                self.remove_downloads()
                return
            self.ctx.checkpoint()
            state = session['state']
            handler = getattr(self, self.handlers[state])
            try:
                next_state = handler()
            except WorkflowFailed as e:
                self.fail(e.reason)
                return
            except cloud_base.CloudError as e:
                self.fail('%s (in state %s)' % (e.message, state))
                return
            if next_state != states.MAINTENANCE_DONE:
                self.ctx.checkpoint()
            self.ctx.set_state(next_state)

    def fail(self, reason):
        LOG.warning('Session %s failed: %s', self.session_id, reason)
        self.ctx.set_state(states.MAINTENANCE_FAILED, reason=reason)

    def stop(self):
        """The admin stopped the session: leave the cloud tidy.

        Called at a safe point (an instance move in flight has finished).
        Hosts this session disabled are enabled again unless a host action
        runs on them right now; such a host is reported in the history.

        :returns: a dict saying what was left: hosts maintained, hosts not
            maintained, hosts left disabled and why.
        """
        left_disabled = {}
        for host in db.host_list(self.session_id):
            if not host['disabled_by_us']:
                continue
            name = host['hostname']
            if host['state'] == states.HOST_IN_MAINTENANCE:
                left_disabled[name] = 'host actions were running on it'
                self.ctx.record('stop', 'info', host=name,
                                details='left disabled: host actions '
                                        'were running on it')
                continue
            try:
                self.cloud.enable_host(name)
            except cloud_base.CloudError as e:
                LOG.warning('Could not enable %s when stopping session '
                            '%s: %s', name, self.session_id, e)
                left_disabled[name] = 'enabling it failed: %s' % e.message
                continue
            values = {'disabled_by_us': False}
            if host['state'] == states.HOST_EMPTYING:
                values['state'] = states.HOST_PENDING
            db.host_update(self.session_id, name, **values)
            self.ctx.record('stop', host=name, details='enabled again')
        return dict(db.session_left(self.session_id),
                    hosts_left_disabled=left_disabled)

    # -- downloads ----------------------------------------------------------

    def fetch_downloads(self):
        """Fetch the session's ``download`` entries (kept ones are kept)."""
        entries = self.ctx.session.get('download') or []
        if not entries:
            return
        try:
            paths = download.fetch(self.conf, self.session_id, entries)
        except download.DownloadFailed as e:
            self.ctx.record('download', 'failed', details=e.reason)
            raise WorkflowFailed('Download failed: %s' % e.reason)
        self.ctx.record('download', details='%d file(s) in %s' % (
            len(paths), download.path(self.conf, self.session_id)))

    def remove_downloads(self):
        if self.ctx.session.get('download'):
            download.remove(self.conf, self.session_id)

    # -- action plug-ins --------------------------------------------------

    def run_actions(self, types, host=None):
        """Run the session's action plug-ins of ``types`` in order.

        A run already DONE (before a crash or a continue) is not run again.
        Raises WorkflowFailed on the first failure.
        """
        runs = {(r['plugin'], r['type'], r['hostname']): r['state']
                for r in db.action_run_list(self.session_id,
                                            hostname=host or '')}
        for action in db.action_plugin_list(self.session_id):
            if action['type'] not in types:
                continue
            key = (action['plugin'], action['type'], host or '')
            if runs.get(key) == states.ACTION_DONE:
                continue
            self.ctx.checkpoint()
            if runs.get(key) == states.ACTION_RUNNING:
                # NOTE: the engine died (or lost the session) while it ran;
                # plug-ins are written to be run again.
                self.ctx.record('action %s (%s)' % (action['plugin'],
                                                    action['type']),
                                'info', host=host,
                                details='interrupted run started again')
            run = db.action_run_start(self.session_id, action['plugin'],
                                      action['type'], host or '',
                                      now=self.ctx.now())
            try:
                plugin = _action_class(action['plugin'])(
                    self.conf, self.session_id, action['metadata'])
                result = plugin.run(host)
            except Exception as e:
                LOG.exception('Action %s failed', action['plugin'])
                result = action_base.ActionResult(
                    action_base.FAILED,
                    reason='%s: %s' % (type(e).__name__, e))
            outcome = 'ok' if result.state == action_base.DONE else 'failed'
            db.action_run_finish(
                run['id'], result.state, reason=result.reason,
                output=result.output, now=self.ctx.now(),
                session_id=self.session_id,
                history=self.ctx.entry('action %s (%s)' % (
                    action['plugin'], action['type']),
                    outcome, host=host, details=result.reason))
            if result.state != action_base.DONE:
                raise WorkflowFailed(
                    'Action plug-in %s (%s) failed%s: %s' % (
                        action['plugin'], action['type'],
                        ' on host %s' % host if host else '',
                        result.reason or 'no reason given'))
