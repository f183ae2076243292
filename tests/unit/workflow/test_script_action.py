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
"""The ``script`` action plug-in, running real processes."""

import os
import signal
import time

from oslo_config import cfg
import pytest
from stevedore import driver

from fenix import conf as fenix_conf
from fenix.workflow.actions import base
from fenix.workflow.actions import script
from fenix.workflow import download

SESSION = '5e55105e-0000-4000-8000-000000000001'


@pytest.fixture
def conf(tmp_path):
    c = cfg.ConfigOpts()
    fenix_conf.register_opts(c)
    c([], project='fenix', default_config_files=[])
    c.set_override('download_dir', str(tmp_path / 'downloads'),
                   group='actions')
    return c


def run(conf, metadata, host='compute-1'):
    return script.ScriptAction(conf, SESSION, metadata).run(host)


def sh(code, **metadata):
    return dict(metadata, command=['/bin/sh', '-c', code])


def alive(pid):
    """Whether pid runs (a zombie nobody reaped does not count)."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except FileNotFoundError:
        return False


def test_loaded_as_the_engine_loads_it(conf):
    plugin = driver.DriverManager(
        'fenix.action', 'script', invoke_on_load=True,
        invoke_args=(conf, SESSION, sh('echo loaded'))).driver
    assert isinstance(plugin, script.ScriptAction)
    assert plugin.run('h').output == 'loaded\n'


def test_exit_zero_is_done_with_output_of_both_streams(conf):
    result = run(conf, sh('echo out {host}; echo err >&2'))
    assert result.state == base.DONE
    assert result.reason is None
    assert result.output == 'out compute-1\nerr\n'


def test_non_zero_exit_fails_with_status_and_output_tail(conf):
    result = run(conf, sh('echo first; echo broken disk >&2; exit 3'))
    assert result.state == base.FAILED
    assert result.reason == 'exit status 3: first\nbroken disk'
    assert result.output == 'first\nbroken disk\n'


def test_reason_quotes_only_the_tail(conf):
    result = run(conf, sh('i=0; while [ $i -lt 100 ]; do '
                          'echo line-$i-xxxxxxxxxxxxxxxxxxxx; i=$((i+1)); '
                          'done; echo LAST; exit 1'))
    assert result.state == base.FAILED
    assert result.reason.startswith('exit status 1: ')
    assert result.reason.endswith('LAST')
    assert len(result.reason) <= len('exit status 1: ') + script.REASON_TAIL
    assert 'line-0-' in result.output


def test_killed_by_a_signal(conf):
    result = run(conf, sh('kill -TERM $$'))
    assert result.state == base.FAILED
    assert result.reason == 'killed by signal SIGTERM'


def test_timeout_from_metadata_kills_the_process_group(conf, tmp_path):
    pid_file = tmp_path / 'pid'
    started = time.monotonic()
    result = run(conf, sh('sleep 30 & echo $! > %s; echo waiting; wait'
                          % pid_file, timeout=0.5))
    elapsed = time.monotonic() - started
    assert result.state == base.FAILED
    assert result.reason == 'timed out after 0.5 s: waiting'
    assert result.output == 'waiting\n'
    assert elapsed < 5
    # The background sleep was in the group and died with it.
    pid = int(pid_file.read_text())
    for _ in range(50):
        if not alive(pid):
            break
        time.sleep(0.1)
    assert not alive(pid)


def test_timeout_from_config(conf):
    conf.set_override('script_timeout', 0.3, group='actions')
    started = time.monotonic()
    result = run(conf, sh('sleep 30'))
    assert result.state == base.FAILED
    assert result.reason == 'timed out after 0.3 s'
    assert time.monotonic() - started < 5


def test_output_closed_early_still_times_out(conf):
    result = run(conf, sh('exec >/dev/null 2>&1; sleep 30', timeout=0.3))
    assert result.state == base.FAILED
    assert result.reason == 'timed out after 0.3 s'


@pytest.mark.parametrize('timeout', [0, -1, 'soon', [5], float('inf')])
def test_bad_timeout_metadata_fails(conf, timeout):
    result = run(conf, sh('echo never', timeout=timeout))
    assert result.state == base.FAILED
    assert '"timeout" metadata' in result.reason
    assert result.output is None


def test_background_process_keeping_output_open_does_not_hang(
        conf, monkeypatch):
    monkeypatch.setattr(script, 'DRAIN_AFTER_EXIT', 0.2)
    started = time.monotonic()
    result = run(conf, sh('sleep 30 & echo $!; echo done', timeout=20))
    try:
        assert result.state == base.DONE
        assert result.output.endswith('done\n')
        assert time.monotonic() - started < 5
    finally:
        os.kill(int(result.output.split()[0]), signal.SIGKILL)


def test_output_keeps_the_last_kib(conf):
    conf.set_override('script_output_limit', 1, group='actions')
    result = run(conf, sh('head -c 5000 /dev/zero | tr "\\0" x; echo; '
                          'echo TAIL'))
    assert result.state == base.DONE
    dropped, kept = result.output.split('\n', 1)
    assert dropped == '[%d bytes of output dropped]' % (5000 + 6 - 1024)
    assert len(kept) == 1024
    assert kept.endswith('x\nTAIL\n')


def test_undecodable_output_stays_in_the_limit(conf):
    conf.set_override('script_output_limit', 1, group='actions')
    result = run(conf, sh('head -c 3000 /dev/zero | tr "\\0" "\\377"'))
    assert result.state == base.DONE
    kept = result.output.split('\n', 1)[1]
    assert len(kept.encode('utf-8')) <= 1024
    assert set(kept) == {'\ufffd'}


def test_environment_and_placeholders(conf):
    directory = download.path(conf, SESSION)
    result = run(conf, {
        'command': ['/bin/sh', '-c',
                    'echo "$FENIX_SESSION_ID|$FENIX_HOST|$FENIX_DOWNLOAD_DIR'
                    '|$HOME"; echo "$1|$2|$3|$4|$5|$6|$7"', 'sh',
                    '{session_id}', '{host}', '{download_dir}', '{release}',
                    '{count}', '{opts}', '{{literal}}'],
        'release': '2025.1', 'count': 3, 'opts': {'a': True}})
    assert result.state == base.DONE, result.reason
    env, args = result.output.splitlines()
    assert env == '%s|compute-1|%s|%s' % (SESSION, directory,
                                          os.environ.get('HOME', ''))
    assert args == '%s|compute-1|%s|2025.1|3|{"a": true}|{literal}' % (
        SESSION, directory)


def test_metadata_cannot_override_the_host(conf):
    result = run(conf, sh('echo {host}', host='evil'), host='compute-2')
    assert result.output == 'compute-2\n'


def test_pre_and_post_have_an_empty_host(conf):
    result = run(conf, sh('echo "[{host}][$FENIX_HOST]"'), host=None)
    assert result.state == base.DONE
    assert result.output == '[][]\n'


def test_command_as_a_string_is_split_without_a_shell(conf):
    result = run(conf, {'command': "printf '%s|' 'a b' {host} '$HOME' ';'"})
    assert result.state == base.DONE, result.reason
    assert result.output == 'a b|compute-1|$HOME|;|'


def test_command_from_config(conf):
    conf.set_override('script_command', "/bin/sh -c 'echo conf {host} {x}'",
                      group='actions')
    result = run(conf, {'x': 'y'})
    assert result.state == base.DONE, result.reason
    assert result.output == 'conf compute-1 y\n'
    # The metadata's command wins.
    assert run(conf, sh('echo meta')).output == 'meta\n'


def test_metadata_command_can_be_forbidden(conf):
    conf.set_override('script_allow_metadata_command', False,
                      group='actions')
    result = run(conf, sh('echo meta'))
    assert result.state == base.FAILED
    assert 'script_allow_metadata_command' in result.reason
    conf.set_override('script_command', '/bin/echo conf', group='actions')
    assert run(conf, {}).output == 'conf\n'


@pytest.mark.parametrize('metadata', [{}, {'command': ''},
                                      {'command': []}])
def test_no_command_fails(conf, metadata):
    result = run(conf, metadata)
    assert result.state == base.FAILED
    assert 'No command to run' in result.reason
    assert 'script_command' in result.reason


@pytest.mark.parametrize('command', [5, ['echo', 5], {'a': 'b'}])
def test_command_of_a_wrong_type_fails(conf, command):
    result = run(conf, {'command': command})
    assert result.state == base.FAILED
    assert 'string or a list of strings' in result.reason


def test_unbalanced_quote_fails(conf):
    result = run(conf, {'command': "echo 'oops"})
    assert result.state == base.FAILED
    assert 'Cannot split command' in result.reason


@pytest.mark.parametrize('arg, name', [('{nope}', 'nope'),
                                       ('--x={nope}-{host}', 'nope'),
                                       ('{download_directory}',
                                        'download_directory')])
def test_unknown_placeholder_fails_naming_it(conf, arg, name):
    result = run(conf, {'command': ['/bin/echo', arg]})
    assert result.state == base.FAILED
    assert result.reason.startswith('Unknown placeholder {%s} in command '
                                    'argument %r' % (name, arg))
    assert 'host, session_id' in result.reason


@pytest.mark.parametrize('arg', ['{', 'a}', '{}', '{0}', '{host.upper}',
                                 '{host[0]}', '{host:{nope}}'])
def test_malformed_template_fails(conf, arg):
    result = run(conf, {'command': ['/bin/echo', arg]})
    assert result.state == base.FAILED
    assert result.reason.startswith('Bad command argument %r' % arg)


def test_executable_not_found(conf):
    result = run(conf, {'command': ['/nonexistent/upgrade-{host}.sh']})
    assert result.state == base.FAILED
    assert result.reason == ('Executable not found: '
                             '/nonexistent/upgrade-compute-1.sh')


def test_not_executable(conf, tmp_path):
    plain = tmp_path / 'plain.sh'
    plain.write_text('echo hi\n')
    result = run(conf, {'command': [str(plain)]})
    assert result.state == base.FAILED
    assert result.reason.startswith('Cannot run %s: ' % plain)


def test_runs_in_the_download_dir_when_there_is_one(conf, tmp_path):
    directory = download.path(conf, SESSION)
    monkey_cwd = os.getcwd()
    assert run(conf, sh('pwd')).output == monkey_cwd + '\n'
    os.makedirs(directory)
    (tmp_path / 'downloads' / SESSION / 'upgrade.sh').write_text(
        'echo upgraded "$1"\n')
    result = run(conf, {'command': ['/bin/sh', './upgrade.sh', '{host}']})
    assert result.state == base.DONE, result.reason
    assert result.output == 'upgraded compute-1\n'
    assert run(conf, sh('pwd')).output == directory + '\n'


def test_runs_again(conf, tmp_path):
    counter = tmp_path / 'count'
    action = script.ScriptAction(conf, SESSION,
                                 sh('echo x >> %s; wc -l < %s' % (counter,
                                                                  counter)))
    assert action.run('h').output.strip() == '1'
    assert action.run('h').output.strip() == '2'
