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
"""``openstack maintenance session show --watch``: a live view.

Every ``interval`` seconds the session's detail is read and shown: state,
a progress bar, the hosts in maintenance, what the engine waits for and
the last steps of its history. On a terminal the view is drawn again in
place; elsewhere (a pipe, a log) only the lines that changed are printed,
and every new history step once. The watch ends with the session: 0 at
MAINTENANCE_DONE, 1 at MAINTENANCE_FAILED (with the reason), 130 on
Ctrl-C (the session goes on). Once the session was read, the service
being unreachable or unavailable for a while (a restart of fenix-api)
does not end the watch.
"""

import shutil
import time

from fenix.client import exceptions
from fenix.client.osc import formatters
from fenix.common import states

EXIT_DONE = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130

BAR_WIDTH = 30

# Hosts the session holds: being emptied, or maintained right now.
BUSY_HOST_STATES = (states.HOST_EMPTYING, states.HOST_IN_MAINTENANCE)

# Errors of a service that may be back soon.
TRANSIENT_ERRORS = (exceptions.ConnectionFailed,
                    exceptions.ServiceUnavailable)

_CURSOR_UP = '\x1b[%dF'   # to the start of the line n lines up
_CLEAR_LINE = '\x1b[2K'
_CLEAR_BELOW = '\x1b[J'


def progress_bar(percent, width=BAR_WIDTH):
    percent = max(0, min(100, int(percent or 0)))
    filled = int(round(percent * width / 100.0))
    return '[%s%s] %3d%%' % ('#' * filled, '-' * (width - filled), percent)


def hosts_line(hosts):
    busy = {state: [h['hostname'] for h in hosts if h.get('state') == state]
            for state in BUSY_HOST_STATES}
    maintained = sum(1 for h in hosts if h.get('maintained'))
    line = 'Hosts: %d of %d maintained' % (maintained, len(hosts))
    line += '; in maintenance: %s' % (
        ', '.join(busy[states.HOST_IN_MAINTENANCE]) or '-')
    if busy[states.HOST_EMPTYING]:
        line += '; emptying: %s' % ', '.join(busy[states.HOST_EMPTYING])
    return line


def waiting_line(session):
    if not session.get('waiting_for'):
        return 'Waiting for: -'
    line = 'Waiting for: %s' % session['waiting_for']
    if session.get('wait_until'):
        line += ' (until %s)' % session['wait_until']
    return line


def frame(detail):
    """The view of a session's detail: a list of (key, line).

    History lines are keyed ``('history', index)``.
    """
    lines = [
        ('session', 'Session %s  %s' % (detail['session_id'],
                                        detail['state'])),
        ('progress', progress_bar(detail.get('percent_done'))),
        ('hosts', hosts_line(detail.get('hosts') or [])),
        ('waiting', waiting_line(detail)),
    ]
    if detail.get('reason'):
        lines.append(('reason', 'Reason: %s' % formatters.shorten(
            detail['reason'], 200)))
    for index, event in enumerate(detail.get('history') or []):
        lines.append(
            (('history', index), '  ' + formatters.history_line(event)))
    return lines


class Watch:
    """Shows a session until it ends.

    :param fetch: returns the session's detail (a dict as
        ``GET /v1/maintenance/{id}/detail`` gives it).
    :param out: the stream to write to.
    :param tty: draw in place (ANSI) rather than print changes.
    :param interval: seconds between two reads.
    :param history: the number of history steps shown on a terminal.
    :param sleep: the function that waits ``interval`` seconds.
    """

    def __init__(self, fetch, out, tty, interval=2.0, history=5,
                 sleep=time.sleep):
        self.fetch = fetch
        self.out = out
        self.tty = tty
        self.interval = interval
        self.history = history
        self.sleep = sleep
        self._drawn = 0           # lines drawn last time (terminal)
        self._printed = {}        # key -> line printed last (no terminal)
        self._history_printed = None

    def run(self):
        """Watch until the session ends; returns the exit code."""
        try:
            detail = self.fetch()
            while True:
                self.show(detail)
                if detail['state'] == states.MAINTENANCE_DONE:
                    self._write('%s\n' % states.MAINTENANCE_DONE)
                    return EXIT_DONE
                if detail['state'] == states.MAINTENANCE_FAILED:
                    self._write('%s: %s\n' % (
                        states.MAINTENANCE_FAILED,
                        ' '.join(str(detail.get('reason') or
                                     'no reason given').split())))
                    return EXIT_FAILED
                detail = self._next()
        except KeyboardInterrupt:
            self._write('\nInterrupted: the session goes on without '
                        'being watched.\n')
            return EXIT_INTERRUPTED

    def _next(self):
        """The next read, however long the service is unreachable."""
        outage = None
        while True:
            self.sleep(self.interval)
            try:
                return self.fetch()
            except TRANSIENT_ERRORS as e:
                if outage is None:
                    outage = str(e)
                    self._write('%s; trying again every %g s\n'
                                % (outage, self.interval))
                    # NOTE: the next view is drawn below this line.
                    self._drawn = 0

    def show(self, detail):
        lines = frame(detail)
        if self.tty:
            self._draw(lines)
        else:
            self._print_changes(lines)

    def _write(self, text):
        self.out.write(text)
        self.out.flush()

    def _draw(self, lines):
        history = [line for key, line in lines if isinstance(key, tuple)]
        lines = [line for key, line in lines if not isinstance(key, tuple)]
        if history:
            lines.append('Last steps:')
            lines.extend(history[-self.history:])
        width = max(20, shutil.get_terminal_size().columns - 1)
        text = ''
        if self._drawn:
            text += _CURSOR_UP % self._drawn
        for line in lines:
            # NOTE: a line longer than the terminal wraps and would throw
            # the next redraw off by a line.
            text += _CLEAR_LINE + line[:width] + '\n'
        text += _CLEAR_BELOW
        self._drawn = len(lines)
        self._write(text)

    def _print_changes(self, lines):
        history = [(key[1], line) for key, line in lines
                   if isinstance(key, tuple)]
        text = ''
        for key, line in lines:
            if isinstance(key, tuple):
                continue
            if self._printed.get(key) != line:
                self._printed[key] = line
                text += line + '\n'
        if self._history_printed is None:
            # NOTE: the first time, the last few steps; then every new one.
            self._history_printed = max(0, len(history) - self.history)
        for index, line in history[self._history_printed:]:
            text += line + '\n'
        self._history_printed = max(self._history_printed, len(history))
        if text:
            self._write(text)
