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
"""The live view of ``session show --watch``, fed scripted sessions."""

import io
import os
import re

import pytest

from fenix.client import exceptions
from fenix.client.osc import watch

ANSI = re.compile(r'\x1b\[\d*[A-Za-z]')
ANSI_MOVE = re.compile(r'\x1b\[\d+F')
SESSION = '6f5a3f0e-3c1b-4f4e-9a53-1b8f3c1d2e01'


def _host(name, state, maintained=False):
    return {'hostname': name, 'state': state, 'maintained': maintained}


def _event(n, state, step, host=None, outcome='ok'):
    return {'created_at': '2030-01-01 10:00:%02d' % n, 'state': state,
            'step': step, 'host': host, 'outcome': outcome,
            'details': None}


HISTORY = [_event(0, 'MAINTENANCE', 'discover'),
           _event(1, 'MAINTENANCE', 'notify MAINTENANCE', outcome='waiting'),
           _event(2, 'PLANNED_MAINTENANCE', 'pick host to empty', 'c-1'),
           _event(3, 'START_MAINTENANCE', 'host in maintenance', 'c-1'),
           _event(4, 'START_MAINTENANCE', 'host maintained', 'c-1'),
           _event(5, 'MAINTENANCE_DONE', 'state')]


def _session(state, percent, hosts, history, waiting=None, until=None,
             reason=None):
    return {'session_id': SESSION, 'state': state, 'percent_done': percent,
            'hosts': hosts, 'history': history, 'waiting_for': waiting,
            'wait_until': until, 'reason': reason}


SEQUENCE_DONE = [
    _session('MAINTENANCE', 0, [_host('c-1', 'PENDING'),
                                _host('c-2', 'PENDING')], HISTORY[:2],
             waiting='replies to MAINTENANCE', until='2030-01-01 10:01:00'),
    _session('PLANNED_MAINTENANCE', 0, [_host('c-1', 'EMPTYING'),
                                        _host('c-2', 'PENDING')],
             HISTORY[:3]),
    # Nothing changed but time.
    _session('PLANNED_MAINTENANCE', 0, [_host('c-1', 'EMPTYING'),
                                        _host('c-2', 'PENDING')],
             HISTORY[:3]),
    _session('START_MAINTENANCE', 0, [_host('c-1', 'IN_MAINTENANCE'),
                                      _host('c-2', 'PENDING')],
             HISTORY[:4]),
    _session('MAINTENANCE_DONE', 100, [_host('c-1', 'MAINTAINED', True),
                                       _host('c-2', 'MAINTAINED', True)],
             HISTORY),
]


class Script:
    """fetch() gives the sessions one by one; sleep() records waits."""

    def __init__(self, sessions, interrupt_at=None, errors=None):
        self.sessions = list(sessions)
        self.interrupt_at = interrupt_at
        # call number -> exception raised instead of a session
        self.errors = dict(errors or {})
        self.calls = 0
        self.fetched = 0
        self.slept = []

    def fetch(self):
        self.calls += 1
        if self.calls in self.errors:
            raise self.errors[self.calls]
        if self.fetched == self.interrupt_at:
            raise KeyboardInterrupt
        session = self.sessions[self.fetched]
        self.fetched += 1
        return session

    def sleep(self, seconds):
        self.slept.append(seconds)


def _watch(sessions, tty, **kwargs):
    script = Script(sessions, **kwargs)
    out = io.StringIO()
    code = watch.Watch(script.fetch, out, tty, interval=0.5,
                       sleep=script.sleep).run()
    return code, out.getvalue(), script


def test_done_exits_0():
    code, output, script = _watch(SEQUENCE_DONE, tty=False)
    assert code == watch.EXIT_DONE
    assert script.fetched == len(SEQUENCE_DONE)
    # A wait between two reads, none after the last.
    assert script.slept == [0.5] * (len(SEQUENCE_DONE) - 1)
    assert output.endswith('MAINTENANCE_DONE\n')
    assert '[##############################] 100%' in output


def test_no_terminal_prints_changed_lines_only():
    code, output, _ = _watch(SEQUENCE_DONE, tty=False)
    lines = output.splitlines()
    assert '\x1b' not in output
    assert lines[:4] == [
        'Session %s  MAINTENANCE' % SESSION,
        '[------------------------------]   0%',
        'Hosts: 0 of 2 maintained; in maintenance: -',
        'Waiting for: replies to MAINTENANCE (until 2030-01-01 10:01:00)']
    # Unchanged lines are not printed again.
    assert lines.count('[------------------------------]   0%') == 1
    assert lines.count('Session %s  PLANNED_MAINTENANCE' % SESSION) == 1
    assert ('Hosts: 0 of 2 maintained; in maintenance: -; emptying: c-1'
            in lines)
    assert 'Hosts: 0 of 2 maintained; in maintenance: c-1' in lines
    assert 'Hosts: 2 of 2 maintained; in maintenance: -' in lines
    assert lines.count('Waiting for: -') == 1
    # Every history step once, in order.
    steps = [line for line in lines if line.startswith('  10:00:')]
    assert [s.split()[0] for s in steps] == [
        '10:00:%02d' % n for n in range(6)]
    assert steps[3] == ('  10:00:03  START_MAINTENANCE    host in '
                        'maintenance c-1  [ok]')


def test_no_terminal_first_view_shows_last_steps():
    history = [_event(n, 'PLANNED_MAINTENANCE', 'step %d' % n)
               for n in range(12)]
    sessions = [_session('MAINTENANCE_DONE', 100, [], history)]
    code, output, _ = _watch(sessions, tty=False)
    assert code == 0
    assert 'step 6' not in output
    assert all('step %d' % n in output for n in range(7, 12))


def test_terminal_redraws_in_place():
    code, output, _ = _watch(SEQUENCE_DONE, tty=True)
    assert code == watch.EXIT_DONE
    frames = output.split('\x1b[J')
    # A frame per read, then the final line.
    assert len(frames) == len(SEQUENCE_DONE) + 1
    assert frames[-1] == 'MAINTENANCE_DONE\n'
    # The first frame draws from where the cursor is; each next one goes
    # back up the lines of the one before: 4 lines, "Last steps:" and 2
    # steps the first time.
    assert frames[0].startswith('\x1b[2KSession ')
    assert frames[0].count('\n') == 7
    assert frames[1].startswith('\x1b[7F\x1b[2KSession ')
    for frame in frames[:-1]:
        lines = ANSI_MOVE.sub('', frame).split('\n')[:-1]
        assert all(line.startswith('\x1b[2K') for line in lines)
    last = frames[-2]
    assert '100%' in last and 'Last steps:' in last
    # At most 5 steps on a terminal.
    assert last.count('  10:00:') == 5 and '10:00:00' not in last


def test_terminal_lines_fit_the_width(monkeypatch):
    monkeypatch.setattr(watch.shutil, 'get_terminal_size',
                        lambda: os.terminal_size((40, 20)))
    _, output, _ = _watch(SEQUENCE_DONE, tty=True)
    for line in ANSI.sub('', output).split('\n'):
        assert len(line) <= 39, repr(line)


def test_failed_exits_1_with_the_reason():
    sessions = [
        _session('MAINTENANCE', 0, [], HISTORY[:1]),
        _session('MAINTENANCE_FAILED', 0, [], HISTORY[:1],
                 reason='Action plug-in script (pre) failed:\nexit '
                        'status 1')]
    code, output, _ = _watch(sessions, tty=False)
    assert code == watch.EXIT_FAILED
    assert output.endswith('MAINTENANCE_FAILED: Action plug-in script '
                           '(pre) failed: exit status 1\n')
    assert 'Reason: Action plug-in script (pre) failed: exit status 1' in (
        output)


@pytest.mark.parametrize('tty', [True, False])
def test_ctrl_c_exits_130(tty):
    code, output, script = _watch(SEQUENCE_DONE, tty=tty, interrupt_at=2)
    assert code == watch.EXIT_INTERRUPTED
    assert script.fetched == 2
    assert output.endswith('\nInterrupted: the session goes on without '
                           'being watched.\n')


@pytest.mark.parametrize('percent,bar', [
    (0, '[----------]   0%'), (None, '[----------]   0%'),
    (34, '[###-------]  34%'), (100, '[##########] 100%'),
    (150, '[##########] 100%'),
])
def test_progress_bar(percent, bar):
    assert watch.progress_bar(percent, width=10) == bar


def test_hosts_line():
    line = watch.hosts_line([_host('a', 'MAINTAINED', True),
                             _host('b', 'IN_MAINTENANCE'),
                             _host('c', 'IN_MAINTENANCE'),
                             _host('d', 'EMPTYING'),
                             _host('e', 'FAILED')])
    assert line == ('Hosts: 1 of 5 maintained; in maintenance: b, c; '
                    'emptying: d')


@pytest.mark.parametrize('tty', [True, False])
def test_outage_does_not_end_the_watch(tty):
    down = exceptions.ConnectionFailed(
        'Cannot reach the maintenance service at http://f: [Errno 111] '
        'Connection refused')
    unavailable = exceptions.ServiceUnavailable('Restarting', status=503)
    code, output, script = _watch(
        SEQUENCE_DONE, tty=tty, errors={2: down, 3: unavailable, 4: down})
    assert code == watch.EXIT_DONE
    assert script.fetched == len(SEQUENCE_DONE)
    assert script.calls == len(SEQUENCE_DONE) + 3
    # Once per outage.
    assert output.count('Connection refused; trying again every 0.5 s\n') == 1
    assert 'Restarting' not in output
    assert output.endswith('MAINTENANCE_DONE\n')


def test_first_read_must_work():
    script = Script(SEQUENCE_DONE, errors={1: exceptions.ConnectionFailed(
        'Cannot reach the maintenance service')})
    with pytest.raises(exceptions.ConnectionFailed):
        watch.Watch(script.fetch, io.StringIO(), False,
                    sleep=script.sleep).run()


def test_other_errors_end_the_watch():
    script = Script(SEQUENCE_DONE, errors={2: exceptions.NotFound(
        'Maintenance session could not be found.', status=404)})
    with pytest.raises(exceptions.NotFound):
        watch.Watch(script.fetch, io.StringIO(), False,
                    sleep=script.sleep).run()
    assert script.fetched == 1
