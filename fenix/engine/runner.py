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
"""Runs the sessions this engine owns, one thread each.

A session runs in a thread of a bounded pool for as long as it has work:
until MAINTENANCE_DONE, until MAINTENANCE_FAILED (the admin continues it
with PUT), until it is deleted, or until another engine takes it over.

Ownership is a lease in the session row. The sweep renews this engine's
leases, claims sessions nobody owns (new ones whose cast was lost, those of
a dead engine) and notices sessions the admin asked to stop.
"""

import concurrent.futures
import datetime
import threading

from oslo_log import log as logging
from stevedore import driver as stevedore_driver

from fenix.common import exception
from fenix.common import states
from fenix.db import api as db
from fenix.engine import clock as clock_mod
from fenix.engine import context as context_mod

LOG = logging.getLogger(__name__)

WORKFLOW_NAMESPACE = 'fenix.workflow'


class SessionHandle:
    """What the runner knows of one running session."""

    def __init__(self, session_id):
        self.session_id = session_id
        self.event = threading.Event()
        self.stop_requested = False
        self.lease_lost = False
        self.future = None

    def wake(self):
        self.event.set()


class SessionRunner:

    def __init__(self, conf, cloud, notifier, engine_id=None, clock=None):
        self.conf = conf
        self.cloud = cloud
        self.notifier = notifier
        self.engine_id = engine_id or conf.host
        self.clock = clock or clock_mod.Clock()
        self._handles = {}
        self._lock = threading.Lock()
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=conf.engine.workers,
            thread_name_prefix='fenix-session')
        self._stopping = False

    def _lease_until(self):
        return self.clock.now() + datetime.timedelta(
            seconds=self.conf.engine.lease_duration)

    # -- wake-ups ---------------------------------------------------------

    def wake(self, session_id, stop=False):
        """A session changed in the database: run or wake it."""
        with self._lock:
            handle = self._handles.get(session_id)
            if handle is not None:
                if stop:
                    handle.stop_requested = True
                handle.wake()
                return
        self._try_start(session_id)

    def _try_start(self, session_id):
        with self._lock:
            if (self._stopping or session_id in self._handles
                    or len(self._handles) >= self.conf.engine.workers):
                return False
            if not db.session_claim(session_id, self.engine_id,
                                    self._lease_until(),
                                    now=self.clock.now()):
                return False
            try:
                session = db.session_get(session_id)
            except exception.SessionNotFound:
                return False
            if (session['state'] in states.INACTIVE_SESSION_STATES
                    and not session['stop_requested']):
                db.session_release(session_id, self.engine_id)
                return False
            handle = SessionHandle(session_id)
            handle.stop_requested = session['stop_requested']
            self._handles[session_id] = handle
            handle.future = self._executor.submit(self._run, handle)
            return True

    # -- the session thread -------------------------------------------------

    def _load_workflow(self, name):
        return stevedore_driver.DriverManager(
            WORKFLOW_NAMESPACE, name, invoke_on_load=False).driver

    def _run(self, handle):
        session_id = handle.session_id
        LOG.info('Engine %s runs session %s', self.engine_id, session_id)
        release = True
        ctx = None
        try:
            ctx = context_mod.SessionContext(
                self.conf, handle, self.cloud, self.notifier, self.clock,
                self.engine_id)
            workflow_cls = self._load_workflow(ctx.session['workflow'])
            workflow = workflow_cls(ctx)
            try:
                workflow.run()
            except context_mod.SessionStopped:
                ctx.stopped(workflow.stop())
                LOG.info('Session %s stopped by the admin', session_id)
        except context_mod.LeaseLost:
            release = False
            LOG.warning('Session %s was taken over by another engine',
                        session_id)
        except exception.SessionNotFound:
            release = False
        except Exception as e:
            # NOTE: a bug of ours must not leave the session "running" with
            # nobody running it: fail it with a reason the admin can read.
            LOG.exception('Session %s failed unexpectedly', session_id)
            if ctx is not None:
                try:
                    ctx.set_state(states.MAINTENANCE_FAILED,
                                  reason='Internal error in the engine: '
                                         '%s: %s' % (type(e).__name__, e))
                except Exception:
                    LOG.exception('Could not fail session %s', session_id)
        finally:
            with self._lock:
                self._handles.pop(session_id, None)
            if release:
                try:
                    db.session_release(session_id, self.engine_id)
                except Exception:
                    LOG.exception('Could not release session %s',
                                  session_id)

    # -- the sweep --------------------------------------------------------

    def sweep(self):
        """Renew leases, notice stop requests, claim orphaned sessions."""
        if self._stopping:
            return
        with self._lock:
            running = dict(self._handles)
        owned = set(db.session_renew_leases(self.engine_id, list(running),
                                            self._lease_until()))
        for session_id, handle in running.items():
            if session_id not in owned:
                handle.lease_lost = True
                handle.wake()
                continue
            try:
                if db.session_get(session_id)['stop_requested']:
                    handle.stop_requested = True
            except exception.SessionNotFound:
                handle.lease_lost = True
            handle.wake()
        for session_id in db.sessions_to_run(self.engine_id,
                                             now=self.clock.now()):
            if session_id not in running:
                self._try_start(session_id)

    def running(self):
        with self._lock:
            return sorted(self._handles)

    def shutdown(self, wait=True):
        """Stop at the next safe point of every session, keep their rows.

        The leases are released so that another engine (or this one,
        restarted) resumes them.
        """
        with self._lock:
            self._stopping = True
            handles = list(self._handles.values())
        for handle in handles:
            handle.lease_lost = True
            handle.wake()
        self._executor.shutdown(wait=wait)
        for handle in handles:
            try:
                db.session_release(handle.session_id, self.engine_id)
            except Exception:
                LOG.exception('Could not release session %s',
                              handle.session_id)
