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
"""Action plug-in ``script``: runs a command, without a shell.

The command is the action's ``command`` metadata (a list of arguments, or a
string split like a shell would split it) or else ``[actions]
script_command``. Every argument is a :meth:`str.format_map` template over
``host`` (empty for pre and post actions), ``session_id``, ``download_dir``
(where the session's downloads are) and every metadata key (strings as
they are, other values as JSON); write ``{{`` and ``}}`` for a literal
brace. For example::

    {"plugin": "script", "type": "compute",
     "metadata": {"command": ["./upgrade.sh", "{host}", "{release}"],
                  "release": "2025.1", "timeout": 1200}}

The command runs in its own process group, in the download directory when
there is one, with the engine's environment plus ``FENIX_SESSION_ID``,
``FENIX_HOST`` and ``FENIX_DOWNLOAD_DIR``. Exit status 0 is DONE; anything
else, or running longer than ``timeout`` metadata or ``[actions]
script_timeout`` seconds (the process group is then killed), is FAILED.
The tail of its output (stdout and stderr together) is kept with the run.

The command may run again on the same host after an engine crash; it is
the command's business to be idempotent.
"""

import json
import os
import selectors
import shlex
import signal
import string
import subprocess
import time

from oslo_log import log as logging

from fenix.workflow.actions import base
from fenix.workflow import download

LOG = logging.getLogger(__name__)

#: characters of output quoted in a failure reason.
REASON_TAIL = 500
#: seconds to read on after the command exited (see _pump).
DRAIN_AFTER_EXIT = 2.0
_READ = 64 * 1024


class _Invalid(Exception):
    """The action's command or metadata cannot be used; a FAILED reason."""


class ScriptAction(base.ActionPlugin):

    def run(self, host=None):
        try:
            argv = self._argv(host or '')
            timeout = self._timeout()
        except _Invalid as e:
            return base.ActionResult(base.FAILED, reason=str(e))
        directory = download.path(self.conf, self.session_id)
        env = dict(os.environ, FENIX_SESSION_ID=str(self.session_id),
                   FENIX_HOST=host or '', FENIX_DOWNLOAD_DIR=directory)
        LOG.info('Session %s: running %s%s', self.session_id, argv,
                 ' for host %s' % host if host else '')
        try:
            proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, env=env,
                cwd=directory if os.path.isdir(directory) else None,
                start_new_session=True)
        except FileNotFoundError:
            return base.ActionResult(
                base.FAILED, reason='Executable not found: %s' % argv[0])
        except OSError as e:
            return base.ActionResult(
                base.FAILED,
                reason='Cannot run %s: %s' % (argv[0], e.strerror or e))
        with proc:
            output, timed_out = self._supervise(proc, timeout)
        if timed_out:
            reason = 'timed out after %g s' % timeout
        elif proc.returncode == 0:
            return base.ActionResult(base.DONE, output=output)
        elif proc.returncode < 0:
            reason = 'killed by signal %s' % _signal_name(-proc.returncode)
        else:
            reason = 'exit status %d' % proc.returncode
        tail = output.strip()[-REASON_TAIL:]
        if tail:
            reason = '%s: %s' % (reason, tail)
        LOG.warning('Session %s: %s %s', self.session_id, argv[0], reason)
        return base.ActionResult(base.FAILED, reason=reason, output=output)

    # -- the command ------------------------------------------------------

    def _argv(self, host):
        command = self.metadata.get('command')
        allowed = self.conf.actions.script_allow_metadata_command
        if command is not None and not allowed:
            raise _Invalid('The "command" metadata is not allowed here '
                           '([actions] script_allow_metadata_command)')
        if command is None:
            command = self.conf.actions.script_command
        if isinstance(command, str):
            try:
                command = shlex.split(command)
            except ValueError as e:
                raise _Invalid('Cannot split command %r: %s' % (command, e))
        elif not (isinstance(command, list)
                  and all(isinstance(a, str) for a in command)):
            raise _Invalid('The "command" metadata must be a string or a '
                           'list of strings, not %s' % json.dumps(command))
        if not command:
            raise _Invalid('No command to run: give the action a "command" '
                           'metadata or set [actions] script_command')
        values = {k: v if isinstance(v, str) else json.dumps(v)
                  for k, v in self.metadata.items()}
        values.update(host=host, session_id=str(self.session_id),
                      download_dir=download.path(self.conf, self.session_id))
        return [_format(arg, values) for arg in command]

    def _timeout(self):
        timeout = self.metadata.get('timeout')
        if timeout is None:
            return self.conf.actions.script_timeout
        try:
            timeout = float(timeout)
        except (TypeError, ValueError):
            timeout = None
        if timeout is None or not 0 < timeout < float('inf'):
            raise _Invalid('The "timeout" metadata must be a positive '
                           'number of seconds, not %s' % json.dumps(
                               self.metadata['timeout']))
        return timeout

    # -- the process ------------------------------------------------------

    def _supervise(self, proc, timeout):
        """Collect the output until the command ends; kill it at timeout.

        Returns (output, timed_out).
        """
        output = _Output(self.conf.actions.script_output_limit * 1024)
        deadline = time.monotonic() + timeout
        timed_out = False
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            _pump(proc, selector, output, deadline)
            if proc.poll() is None:
                try:
                    proc.wait(max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    timed_out = True
                    _kill_group(proc)
                    proc.wait()
                    # What it wrote before it was killed.
                    _pump(proc, selector, output, time.monotonic() + 1.0)
        return output.text(), timed_out


class _Output:
    """The last ``limit`` bytes of a command's output."""

    def __init__(self, limit):
        self.limit = limit
        self.kept = bytearray()
        self.dropped = 0

    def add(self, chunk):
        self.kept += chunk
        if len(self.kept) > self.limit:
            self.dropped += len(self.kept) - self.limit
            del self.kept[:-self.limit]

    def text(self):
        text = bytes(self.kept).decode('utf-8', 'replace')
        dropped = self.dropped
        # NOTE: each replaced byte takes three once stored as UTF-8.
        encoded = text.encode('utf-8')
        if len(encoded) > self.limit:
            dropped += len(encoded) - self.limit
            text = encoded[-self.limit:].decode('utf-8', 'ignore')
        if dropped:
            text = '[%d bytes of output dropped]\n%s' % (dropped, text)
        return text


def _pump(proc, selector, output, deadline):
    """Read output until its end, the deadline, or soon after the exit.

    A command may exit and leave processes in the background that keep its
    output open; reading stops DRAIN_AFTER_EXIT seconds after the exit.
    """
    fd = proc.stdout.fileno()
    end = deadline
    while True:
        now = time.monotonic()
        if proc.poll() is not None:
            end = min(end, now + DRAIN_AFTER_EXIT)
        if now >= end:
            return
        # NOTE: wake up now and then to notice an exit (see above).
        if selector.select(min(end - now, 0.5)):
            chunk = os.read(fd, _READ)
            if not chunk:
                return
            output.add(chunk)


def _format(template, values):
    """template.format_map(values); _Invalid for what cannot be filled."""
    try:
        for _, field, _, _ in string.Formatter().parse(template):
            if field is None:
                continue
            if not field.isidentifier():
                # NOTE: no attribute or index look-ups: {name} only.
                raise ValueError('{%s} is not a placeholder name' % field)
            if field not in values:
                raise _Invalid(
                    'Unknown placeholder {%s} in command argument %r; '
                    'known: %s' % (field, template, ', '.join(sorted(values))))
        return template.format_map(values)
    except (ValueError, KeyError, IndexError, AttributeError) as e:
        raise _Invalid('Bad command argument %r: %s' % (template, e))


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    # NOTE: in case the command moved itself to another group.
    proc.kill()


def _signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
