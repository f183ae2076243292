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
"""What a running workflow sees of its session and of the engine.

The workflow reads and writes its session only through this object, which
keeps the rules of DESIGN §2 in one place: every change is a database row
written by the owning engine, every step is in the history, every session
state change is notified, and every wait is a persisted deadline.
"""

import datetime
import threading

from oslo_log import log as logging

from fenix.common import exception
from fenix.common import states
from fenix.db import api as db

LOG = logging.getLogger(__name__)


class SessionStopped(Exception):
    """The admin deleted the session: stop at this safe point."""


class LeaseLost(Exception):
    """Another engine took the session over: stop without touching it."""


class SessionContext:
    """A running session's handle on the database, cloud and bus.

    :param handle: the runner's handle (event, flags) of this session.
    """

    def __init__(self, conf, handle, cloud, notifier, clock, engine_id):
        self.conf = conf
        self.handle = handle
        self.session_id = handle.session_id
        self.cloud = cloud
        self.notifier = notifier
        self.clock = clock
        self.engine_id = engine_id
        self.session = db.session_get(self.session_id)
        # NOTE: hosts maintained in parallel write the session row too.
        self._lock = threading.RLock()

    # -- reading ----------------------------------------------------------

    def refresh(self):
        self.session = db.session_get(self.session_id)
        return self.session

    @property
    def state(self):
        return self.session['state']

    @property
    def progress(self):
        return self.session['progress']

    def now(self):
        return self.clock.now()

    # -- safe points ------------------------------------------------------

    def checkpoint(self):
        """Raise when the session must stop here."""
        if self.handle.lease_lost:
            raise LeaseLost()
        if self.handle.stop_requested:
            raise SessionStopped()

    # -- writing ----------------------------------------------------------

    def update(self, history=None, **values):
        """Write session columns while this engine owns the session.

        :param history: entries (see :meth:`entry`) written with them.
        """
        with self._lock:
            try:
                self.session = db.session_update(
                    self.session_id, owner=self.engine_id, history=history,
                    **values)
            except exception.ConcurrentUpdate:
                self.handle.lease_lost = True
                raise LeaseLost()
            return self.session

    def save_progress(self, history=None, **markers):
        """Persist workflow progress markers (merged into the old ones)."""
        with self._lock:
            progress = dict(self.progress)
            progress.update(markers)
            return self.update(progress=progress, history=history)

    def entry(self, step, outcome='ok', host=None, details=None):
        """Log a step; return its history entry for a DB call to write."""
        LOG.info('Session %(id)s %(state)s: %(step)s %(outcome)s'
                 '%(host)s%(details)s',
                 {'id': self.session_id, 'state': self.state, 'step': step,
                  'outcome': outcome,
                  'host': ' on %s' % host if host else '',
                  'details': ': %s' % details if details else ''})
        return {'state': self.state, 'step': step, 'outcome': outcome,
                'host': host, 'details': details, 'engine': self.engine_id}

    def record(self, step, outcome='ok', host=None, details=None):
        """Add a step to the session's history."""
        db.history_add(self.session_id,
                       **self.entry(step, outcome, host, details))

    def set_state(self, state, reason=None):
        """Move the session to ``state`` and tell the admin."""
        previous = self.state
        values = {'state': state, 'reason': reason, 'wait_until': None,
                  'waiting_for': None}
        if state == states.MAINTENANCE_DONE:
            values['percent_done'] = 100
        entry = self.entry('state', 'failed' if reason else 'ok',
                           details=('%s -> %s' % (previous, state)
                                    + (': %s' % reason if reason else '')))
        # NOTE: the step is recorded under the state it leads to.
        entry['state'] = state
        self.update(history=entry, **values)
        self.notifier.session(self.session_id, state,
                              self.session['percent_done'], reason)

    def stopped(self, left):
        """The admin stopped the session; ``left`` says what was left.

        The session stays, failed, so that it can be continued (PUT) or
        deleted for good (DELETE again).
        """
        previous = self.state
        details = []
        if left.get('hosts_not_maintained'):
            details.append('hosts not maintained: %s' % ', '.join(
                left['hosts_not_maintained']))
        if left.get('hosts_left_disabled'):
            details.append('hosts left disabled: %s' % ', '.join(
                '%s (%s)' % item
                for item in sorted(left['hosts_left_disabled'].items())))
        reason = 'Stopped by the admin in state %s%s' % (
            previous, ''.join('; %s' % d for d in details))
        progress = dict(self.progress, stopped=dict(left, state=previous),
                        emptying=None)
        self.update(stop_requested=False, progress=progress)
        self.handle.stop_requested = False
        self.set_state(states.MAINTENANCE_FAILED, reason=reason)

    def set_percent(self, percent):
        if percent != self.session['percent_done']:
            self.update(percent_done=percent)

    # -- waiting ----------------------------------------------------------

    def wait_for(self, predicate, deadline, what, history=None):
        """Wait until ``predicate()`` is true or ``deadline`` passes.

        The deadline is stored with the session; the predicate is checked
        at every wake-up (a stored reply, the admin, the sweep). Returns the
        predicate's last value.

        :param history: an entry (see :meth:`entry`) written when the wait
            begins, in the transaction that stores the deadline.
        """
        if (self.session['wait_until'] != deadline
                or self.session['waiting_for'] != what):
            self.update(wait_until=deadline, waiting_for=what,
                        history=history)
        elif history:
            db.history_add(self.session_id, **history)
        try:
            while True:
                self.checkpoint()
                result = predicate()
                if result:
                    return result
                now = self.now()
                if deadline is not None and now >= deadline:
                    return result
                timeout = self.conf.engine.sweep_interval
                if deadline is not None:
                    timeout = min(timeout,
                                  (deadline - now).total_seconds())
                self.clock.wait(self.handle.event, timeout)
        finally:
            if (not self.handle.lease_lost
                    and self.session['wait_until'] is not None):
                self.update(wait_until=None, waiting_for=None)

    def seconds_from_now(self, seconds):
        return self.now() + datetime.timedelta(seconds=seconds)
