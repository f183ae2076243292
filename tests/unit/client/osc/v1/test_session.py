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
"""``openstack maintenance session ...``: what is sent and what is shown."""

import pytest

from fenix.client import exceptions
from fenix.client.osc.v1 import session
from tests.unit.client.osc.v1 import conftest
from tests.unit.client.osc.v1.conftest import ENDPOINT
from tests.unit.client.osc.v1.conftest import SESSION
from tests.unit.client.osc.v1.conftest import SESSION_2

URL = ENDPOINT + '/v1/maintenance'

DETAIL = conftest.session_view(
    hosts=[{'hostname': 'compute-0', 'state': 'MAINTAINED',
            'maintained': True, 'disabled_by_us': False,
            'finished_at': '2030-01-01 10:03:00'},
           {'hostname': 'compute-1', 'state': 'IN_MAINTENANCE',
            'maintained': False, 'disabled_by_us': True,
            'finished_at': None}],
    projects=[{'project_id': 'p-1', 'state': 'PLANNED_MAINTENANCE',
               'reply': 'ACK_PLANNED_MAINTENANCE', 'subscribed': True}],
    instances=[{'instance_id': 'i-1', 'instance_name': 'web-0',
                'host': 'compute-0', 'state': 'DONE',
                'action': 'MIGRATE'}],
    actions=[{'plugin': 'script', 'type': 'host', 'order': 1,
              'metadata': {'command': ['true']}}],
    action_plugin_instances=[{'plugin': 'script', 'type': 'host',
                              'hostname': 'compute-0', 'state': 'DONE',
                              'reason': None}],
    history=[{'created_at': '2030-01-01 10:00:01', 'state': 'MAINTENANCE',
              'step': 'discover', 'host': None, 'outcome': 'ok',
              'details': '2 hosts'}])


def test_create_sends_every_option(run, requests_mock):
    requests_mock.post(URL, json={'session_id': SESSION})
    requests_mock.get(URL + '/' + SESSION,
                      json=conftest.session_view(state='MAINTENANCE'))
    result = run(session.CreateSession, [
        '--host', 'compute-0', '--host', 'compute-1',
        '--workflow', 'default', '--maintenance-at', '2030-01-01 10:00:00',
        '--metadata', 'openstack_version=Zed', '--metadata', 'retries=3',
        '--metadata', 'hosts=["a"]',
        '--action', 'plugin=script,type=host,order=2,metadata={"command": '
                    '["./up.sh", "{host}"], "timeout": 60}',
        '--action', 'plugin=dummy,type=pre',
        '--download', 'url=http://h/a.tgz,size=10',
        '-f', 'json'])
    assert result.code == 0
    assert requests_mock.request_history[0].json() == {
        'hosts': ['compute-0', 'compute-1'], 'state': 'MAINTENANCE',
        'maintenance_at': '2030-01-01 10:00:00', 'workflow': 'default',
        'metadata': {'openstack_version': 'Zed', 'retries': 3,
                     'hosts': ['a']},
        'actions': [{'plugin': 'script', 'type': 'host', 'order': 2,
                     'metadata': {'command': ['./up.sh', '{host}'],
                                  'timeout': 60}},
                    {'plugin': 'dummy', 'type': 'pre'}],
        'download': [{'url': 'http://h/a.tgz', 'size': 10}]}
    shown = result.json()
    assert shown['session_id'] == SESSION
    assert shown['state'] == 'MAINTENANCE'
    assert shown['metadata'] == {'openstack_version': 'Zed'}


def test_create_with_defaults(run, requests_mock):
    requests_mock.post(URL, json={'session_id': SESSION})
    requests_mock.get(URL + '/' + SESSION, json=conftest.session_view())
    assert run(session.CreateSession, []).code == 0
    body = requests_mock.request_history[0].json()
    assert set(body) == {'hosts', 'state', 'maintenance_at'}
    assert body['hosts'] == []


def test_list(run, requests_mock):
    requests_mock.get(URL, json={'sessions': [SESSION, SESSION_2, 'gone']})
    requests_mock.get(URL + '/' + SESSION, json=conftest.session_view())
    requests_mock.get(URL + '/' + SESSION_2, json=conftest.session_view(
        SESSION_2, state='MAINTENANCE_DONE', percent=100))
    requests_mock.get(URL + '/gone', status_code=404, json={'error': {
        'code': 404, 'title': 'Not Found', 'message': 'gone'}})
    result = run(session.ListSession, ['-f', 'json'])
    assert result.json() == [
        {'ID': SESSION, 'State': 'PLANNED_MAINTENANCE', 'Percent done': 50,
         'Maintenance at': '2030-01-01 10:00:00', 'Workflow': 'default'},
        {'ID': SESSION_2, 'State': 'MAINTENANCE_DONE', 'Percent done': 100,
         'Maintenance at': '2030-01-01 10:00:00', 'Workflow': 'default'}]


def test_list_long(run, requests_mock):
    requests_mock.get(URL, json={'sessions': [SESSION]})
    requests_mock.get(URL + '/' + SESSION, json=conftest.session_view(
        waiting_for='replies to PLANNED_MAINTENANCE'))
    row = run(session.ListSession, ['--long', '-f', 'json']).json()[0]
    assert row['Waiting for'] == 'replies to PLANNED_MAINTENANCE'
    assert set(row) == {'ID', 'State', 'Percent done', 'Maintenance at',
                        'Workflow', 'Waiting for', 'Reason', 'Updated at'}


def test_show(run, requests_mock):
    requests_mock.get(URL + '/' + SESSION, json=conftest.session_view())
    result = run(session.ShowSession, [SESSION, '-f', 'yaml'])
    assert result.yaml() == conftest.session_view()
    table = run(session.ShowSession, [SESSION]).stdout
    assert "openstack_version='Zed'" in table


def test_show_detail_machine_readable(run, requests_mock):
    requests_mock.get(URL + '/' + SESSION + '/detail', json=DETAIL)
    assert run(session.ShowSession,
               [SESSION, '--detail', '-f', 'json']).json() == DETAIL


def test_show_detail_table(run, requests_mock):
    requests_mock.get(URL + '/' + SESSION + '/detail', json=DETAIL)
    table = run(session.ShowSession, [SESSION, '--detail']).stdout
    for line in ('compute-0  MAINTAINED, done 10:03:00',
                 'compute-1  IN_MAINTENANCE, disabled by Fenix',
                 'p-1  PLANNED_MAINTENANCE, replied ACK_PLANNED_MAINTENANCE',
                 'web-0 on compute-0  DONE, MIGRATE',
                 'script  host, order 1  {"command": ["true"]}',
                 'script  host on compute-0  DONE',
                 '10:00:01  MAINTENANCE          discover  [ok] 2 hosts'):
        assert line in table, line


def test_show_without_detail_does_not_ask_for_it(run, requests_mock):
    requests_mock.get(URL + '/' + SESSION, json=conftest.session_view())
    run(session.ShowSession, [SESSION])
    assert [r.path for r in requests_mock.request_history] == [
        '/v1/maintenance/' + SESSION]


def test_show_watch(run, requests_mock):
    requests_mock.get(URL + '/' + SESSION + '/detail', [
        {'json': dict(DETAIL, state='PLANNED_MAINTENANCE', percent_done=50)},
        {'json': dict(DETAIL, state='MAINTENANCE_DONE', percent_done=100)}])
    result = run(session.ShowSession,
                 [SESSION, '--watch', '--interval', '0.01'])
    assert result.code == 0
    assert requests_mock.call_count == 2
    assert '[###############---------------]  50%' in result.stdout
    assert '[##############################] 100%' in result.stdout
    assert 'in maintenance: compute-1' in result.stdout
    assert result.stdout.endswith('MAINTENANCE_DONE\n')


def test_show_watch_failed(run, requests_mock):
    requests_mock.get(URL + '/' + SESSION + '/detail', json=dict(
        DETAIL, state='MAINTENANCE_FAILED', reason='It broke.'))
    result = run(session.ShowSession, [SESSION, '--watch'])
    assert result.code == 1
    assert result.stdout.endswith('MAINTENANCE_FAILED: It broke.\n')


@pytest.mark.parametrize('interval', ['0', '-1', 'soon', 'inf'])
def test_show_watch_needs_a_positive_interval(run, capsys, interval):
    with pytest.raises(SystemExit):
        run(session.ShowSession, [SESSION, '--watch', '--interval',
                                  interval])
    assert 'argument --interval: ' in capsys.readouterr().err


def test_update(run, requests_mock):
    requests_mock.put(URL + '/' + SESSION, json=conftest.session_view(
        state='PLANNED_MAINTENANCE'))
    result = run(session.UpdateSession,
                 [SESSION, '--state', 'PLANNED_MAINTENANCE', '-f', 'json'])
    assert requests_mock.last_request.json() == {
        'state': 'PLANNED_MAINTENANCE'}
    assert result.json()['state'] == 'PLANNED_MAINTENANCE'


def test_update_refused_is_one_line(run, requests_mock):
    requests_mock.put(URL + '/' + SESSION, status_code=422, json={'error': {
        'code': 422, 'title': 'Unprocessable Entity',
        'message': 'Session is MAINTENANCE_DONE;\nonly a failed one can be '
                   'continued.'}})
    with pytest.raises(exceptions.Unprocessable) as e:
        run(session.UpdateSession, [SESSION, '--state', 'MAINTENANCE'])
    assert str(e.value) == ('Session is MAINTENANCE_DONE; only a failed '
                            'one can be continued. (HTTP 422)')


def test_delete(run, requests_mock):
    requests_mock.delete(URL + '/' + SESSION, json={
        'session_id': SESSION, 'state': 'MAINTENANCE_FAILED',
        'deleted': False, 'stopped': True, 'stop_requested': False,
        'reason': 'Stopped by the admin in state PLANNED_MAINTENANCE',
        'left': {'hosts_maintained': ['compute-0'],
                 'hosts_not_maintained': ['compute-1', 'compute-2'],
                 'hosts_left_disabled': [], 'instances_moved': 3}})
    result = run(session.DeleteSession, [SESSION])
    assert requests_mock.last_request.method == 'DELETE'
    for line in ('hosts_left_disabled: -', 'hosts_maintained: compute-0',
                 'hosts_not_maintained: compute-1, compute-2',
                 'instances_moved: 3'):
        assert line in result.stdout
    shown = run(session.DeleteSession, [SESSION, '-f', 'json']).json()
    assert shown['deleted'] is False and shown['stopped'] is True
    assert shown['left']['instances_moved'] == 3
