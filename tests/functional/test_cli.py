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
"""``openstack maintenance ...``: the real OpenStackClient against Fenix.

A real ``fenix-demo --serve`` process (API, engine, simulated cloud and
sample app managers; noauth) and the real ``openstack`` command of this
environment, run as a subprocess with ``--os-auth-type none
--os-maintenance-endpoint``, as an operator would.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest
import requests
import yaml

BIN = os.path.dirname(sys.executable)
OPENSTACK = os.path.join(BIN, 'openstack')
# Simulated moves take a fifth of the demo's durations.
TIME_SCALE = '0.2'
COMMAND_TIMEOUT = 120


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def endpoint(tmp_path_factory):
    """The URL of a running ``fenix-demo --serve``."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp('fenix-demo') / 'demo.log'
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(
            [os.path.join(BIN, 'fenix-demo'), '--serve', '--port', str(port),
             '--time-scale', TIME_SCALE],
            stdout=log, stderr=subprocess.STDOUT)
    url = 'http://127.0.0.1:%d' % port
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(url + '/healthcheck',
                                timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, 'fenix-demo did not start'
            time.sleep(0.2)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _env():
    # NOTE: no OS_* of the caller's shell (OS_CLOUD, OS_AUTH_URL...) may
    # change what the command does; interpreter warnings are not ours.
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env['PYTHONWARNINGS'] = 'ignore'
    return env


def openstack(url, *args):
    """Run ``openstack maintenance <args>`` against ``url``."""
    return subprocess.run(
        [OPENSTACK, '--os-auth-type', 'none', '--os-maintenance-endpoint',
         url, 'maintenance'] + list(args),
        capture_output=True, text=True, env=_env(), timeout=COMMAND_TIMEOUT)


def ok(url, *args):
    result = openstack(url, *args)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def one_line_error(result, *parts):
    """The command failed with one line on stderr holding ``parts``."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert 'Traceback' not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


def test_session_lifecycle(endpoint):
    created = json.loads(ok(
        endpoint, 'session', 'create', '--host', 'compute-0', '--host',
        'compute-1', '--metadata', 'openstack_version=Zed', '--metadata',
        'retries=2', '--action', 'plugin=dummy,type=host,order=1',
        '-f', 'json'))
    session_id = created['session_id']
    uuid.UUID(session_id)
    assert created['metadata'] == {'openstack_version': 'Zed', 'retries': 2}

    listed = json.loads(ok(endpoint, 'session', 'list', '-f', 'json'))
    assert session_id in [row['ID'] for row in listed]
    assert set(listed[0]) == {'ID', 'State', 'Percent done',
                              'Maintenance at', 'Workflow'}

    shown = yaml.safe_load(ok(endpoint, 'session', 'show', session_id,
                              '-f', 'yaml'))
    assert shown['session_id'] == session_id
    assert shown['workflow'] == 'default'
    value = ok(endpoint, 'session', 'show', session_id, '-f', 'value',
               '-c', 'workflow')
    assert value == 'default\n'

    watched = openstack(endpoint, 'session', 'show', session_id, '--watch',
                        '--interval', '0.3')
    assert watched.returncode == 0, (watched.stdout, watched.stderr)
    assert '[##############################] 100%' in watched.stdout
    assert 'Hosts: 2 of 2 maintained' in watched.stdout
    assert watched.stdout.endswith('MAINTENANCE_DONE\n')
    # Not a terminal: each line once, no escape sequences.
    assert '\x1b' not in watched.stdout
    assert watched.stdout.count(
        'Session %s  MAINTENANCE_DONE' % session_id) == 1

    detail = json.loads(ok(endpoint, 'session', 'show', session_id,
                           '--detail', '-f', 'json'))
    assert detail['state'] == 'MAINTENANCE_DONE'
    assert detail['percent_done'] == 100
    assert sorted(h['hostname'] for h in detail['hosts']) == [
        'compute-0', 'compute-1']
    assert all(h['maintained'] for h in detail['hosts'])
    assert [(a['plugin'], a['type'], a['order'])
            for a in detail['actions']] == [('dummy', 'host', 1)]
    table = ok(endpoint, 'session', 'show', session_id, '--detail')
    assert 'compute-0  MAINTAINED' in table
    assert 'dummy  host on compute-1  DONE' in table

    # A project of the session answers; a reply to a state that is not
    # the current one is refused in one line.
    project_id = detail['projects'][0]['project_id']
    project = json.loads(ok(endpoint, 'project', 'show', session_id,
                            project_id, '-f', 'json'))
    assert project['project_id'] == project_id
    assert isinstance(project['instance_ids'], list)
    one_line_error(
        openstack(endpoint, 'project', 'reply', session_id, project_id,
                  '--state', 'ACK_SCALE_IN'),
        'not SCALE_IN', '(HTTP 422)')
    one_line_error(
        openstack(endpoint, 'project', 'reply', session_id, project_id,
                  '--state', 'ACK_MAINTENANCE', '--instance-action',
                  'not-a-uuid=MIGRATE'),
        "'not-a-uuid' is not a UUID", '(HTTP 400)')

    # Only a failed session can be continued.
    one_line_error(
        openstack(endpoint, 'session', 'update', session_id, '--state',
                  'MAINTENANCE'),
        'only a MAINTENANCE_FAILED session can be continued', '(HTTP 422)')

    deleted = json.loads(ok(endpoint, 'session', 'delete', session_id,
                            '-f', 'json'))
    assert deleted['deleted'] is True
    assert sorted(deleted['left']['hosts_maintained']) == [
        'compute-0', 'compute-1']
    one_line_error(openstack(endpoint, 'session', 'show', session_id),
                   session_id, '(HTTP 404)')


def test_failed_session(endpoint):
    session_id = ok(
        endpoint, 'session', 'create', '--host', 'compute-2', '--action',
        'plugin=script,type=pre,metadata={"command": ["false"], '
        '"timeout": 30}', '-f', 'value', '-c', 'session_id').strip()
    watched = openstack(endpoint, 'session', 'show', session_id, '--watch',
                        '--interval', '0.3')
    assert watched.returncode == 1, (watched.stdout, watched.stderr)
    assert watched.stdout.endswith(
        'MAINTENANCE_FAILED: Action plug-in script (pre) failed: exit '
        'status 1\n')
    assert 'action script (pre)  [failed] exit status 1' in watched.stdout

    # A state the workflow cannot continue from.
    one_line_error(
        openstack(endpoint, 'session', 'update', session_id, '--state',
                  'MAINTENANCE_DONE'),
        'cannot be continued from MAINTENANCE_DONE', '(HTTP 422)')
    deleted = json.loads(ok(endpoint, 'session', 'delete', session_id,
                            '-f', 'json'))
    assert deleted['deleted'] is True
    assert deleted['left']['hosts_not_maintained'] == ['compute-2']


def test_constraints_round_trip(endpoint):
    instance_id, group_id = str(uuid.uuid4()), str(uuid.uuid4())
    group = json.loads(ok(
        endpoint, 'instance', 'group', 'set', group_id, '--project-id',
        'project-a', '--group-name', 'web', '--anti-affinity-group',
        '--max-instances-per-host', '1', '--recovery-time', '10',
        '-f', 'json'))
    assert group == {
        'group_id': group_id, 'project_id': 'project-a', 'group_name': 'web',
        'anti_affinity_group': True, 'max_instances_per_host': 1,
        'max_impacted_members': None, 'recovery_time': 10,
        'resource_mitigation': None}
    constraint = json.loads(ok(
        endpoint, 'instance', 'constraint', 'set', instance_id,
        '--project-id', 'project-a', '--group-id', group_id,
        '--instance-name', 'web-0', '--migration-type', 'MIGRATION',
        '--max-interruption-time', '5', '--no-resource-mitigation',
        '--lead-time', '30', '-f', 'json'))
    # MIGRATION (OPNFV Doctor's word) is stored as MIGRATE.
    assert constraint == {
        'instance_id': instance_id, 'project_id': 'project-a',
        'group_id': group_id, 'instance_name': 'web-0',
        'migration_type': 'MIGRATE', 'max_interruption_time': 5,
        'resource_mitigation': False, 'lead_time': 30}
    assert json.loads(ok(endpoint, 'instance', 'constraint', 'show',
                         instance_id, '-f', 'json')) == constraint
    assert json.loads(ok(endpoint, 'instance', 'group', 'show', group_id,
                         '-f', 'json')) == group

    assert ok(endpoint, 'instance', 'constraint', 'delete',
              instance_id) == ''
    one_line_error(
        openstack(endpoint, 'instance', 'constraint', 'show', instance_id),
        instance_id, '(HTTP 404)')
    assert ok(endpoint, 'instance', 'group', 'delete', group_id) == ''
    one_line_error(openstack(endpoint, 'instance', 'group', 'show',
                             group_id), group_id, '(HTTP 404)')
    one_line_error(
        openstack(endpoint, 'instance', 'constraint', 'set', instance_id,
                  '--project-id', 'project-a', '--migration-type', 'FLY'),
        'migration_type', '(HTTP 400)')


@pytest.mark.parametrize('args,parts', [
    (['--maintenance-at', 'notatime'],
     ("'notatime' is not a UTC time", '(HTTP 400)')),
    (['--workflow', 'nope'],
     ("Unknown workflow plug-in 'nope'", '(HTTP 400)')),
    (['--action', 'plugin=nope,type=host'],
     ("'nope'", '(HTTP 400)')),
])
def test_bad_session_input(endpoint, args, parts):
    one_line_error(openstack(endpoint, 'session', 'create', *args), *parts)


def test_bad_option_value(endpoint):
    result = openstack(endpoint, 'session', 'create', '--action',
                       'plugin=dummy,type=host,order=soon')
    assert result.returncode == 2
    assert "argument --action: invalid order 'soon'" in result.stderr
    assert 'Traceback' not in result.stderr


def test_unreachable_endpoint():
    url = 'http://127.0.0.1:%d' % _free_port()
    one_line_error(openstack(url, 'session', 'list'),
                   'Cannot reach the maintenance service at %s' % url,
                   'Connection refused')


def test_no_endpoint_with_auth_none():
    result = subprocess.run(
        [OPENSTACK, '--os-auth-type', 'none', 'maintenance', 'session',
         'list'], capture_output=True, text=True, env=_env(),
        timeout=COMMAND_TIMEOUT)
    one_line_error(result, 'No endpoint of the maintenance service',
                   '--os-maintenance-endpoint')


def test_commands_are_registered():
    result = subprocess.run(
        [OPENSTACK, 'command', 'list', '--group', 'maintenance', '-f',
         'json'], capture_output=True, text=True, env=_env(),
        timeout=COMMAND_TIMEOUT, check=True)
    commands = {c for group in json.loads(result.stdout)
                for c in group['Commands']}
    assert commands == {
        'maintenance session create', 'maintenance session list',
        'maintenance session show', 'maintenance session update',
        'maintenance session delete', 'maintenance project show',
        'maintenance project reply',
        'maintenance instance constraint set',
        'maintenance instance constraint show',
        'maintenance instance constraint delete',
        'maintenance instance group set', 'maintenance instance group show',
        'maintenance instance group delete'}
    help_text = subprocess.run(
        [OPENSTACK, 'help', 'maintenance', 'session', 'create'],
        capture_output=True, text=True, env=_env(),
        timeout=COMMAND_TIMEOUT, check=True).stdout
    for option in ('--host', '--workflow', '--maintenance-at', '--metadata',
                   '--action', '--download'):
        assert option in help_text
    global_help = subprocess.run(
        [OPENSTACK, '--help'], capture_output=True, text=True, env=_env(),
        timeout=COMMAND_TIMEOUT, check=True).stdout
    assert '--os-maintenance-endpoint' in global_help
    assert '--os-maintenance-api-version' in global_help
