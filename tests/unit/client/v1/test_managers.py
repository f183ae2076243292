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
"""Every manager method: its HTTP method, URL and body, and its answer."""

import json
import socket

from keystoneauth1 import access
from keystoneauth1 import fixture
from keystoneauth1.identity import access as access_plugin
from keystoneauth1 import session as ks_session
import pytest
import requests

from fenix.client import exceptions
from fenix.client.v1 import client as fenix_client

ENDPOINT = 'http://fenix.test:12347'
SESSION = '6f5a3f0e-3c1b-4f4e-9a53-1b8f3c1d2e01'
PROJECT = 'b5d1f3c2a4e64c5f9f0e1d2c3b4a5968'
INSTANCE = '0c4f3e2d-1b0a-4c9d-8e7f-6a5b4c3d2e1f'
GROUP = '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a'


@pytest.fixture
def client():
    return fenix_client.Client(session=ks_session.Session(),
                               endpoint_override=ENDPOINT)


# (call, HTTP method, path, request body or None)
CALLS = [
    (lambda c: c.sessions.list(), 'GET', '/v1/maintenance', None),
    (lambda c: c.sessions.get(SESSION), 'GET',
     '/v1/maintenance/%s' % SESSION, None),
    (lambda c: c.sessions.get_detail(SESSION), 'GET',
     '/v1/maintenance/%s/detail' % SESSION, None),
    (lambda c: c.sessions.create(
        hosts=['compute-1'], maintenance_at='2030-01-02 03:04:05',
        workflow='default', metadata={'openstack_version': 'Zed'},
        actions=[{'plugin': 'dummy', 'type': 'host', 'order': 1}],
        download=[{'url': 'http://x/a.tgz', 'size': 10}]),
     'POST', '/v1/maintenance',
     {'hosts': ['compute-1'], 'state': 'MAINTENANCE',
      'maintenance_at': '2030-01-02 03:04:05', 'workflow': 'default',
      'metadata': {'openstack_version': 'Zed'},
      'actions': [{'plugin': 'dummy', 'type': 'host', 'order': 1}],
      'download': [{'url': 'http://x/a.tgz', 'size': 10}]}),
    (lambda c: c.sessions.create(maintenance_at='2030-01-02 03:04:05'),
     'POST', '/v1/maintenance',
     {'hosts': [], 'state': 'MAINTENANCE',
      'maintenance_at': '2030-01-02 03:04:05'}),
    (lambda c: c.sessions.update(SESSION, 'PLANNED_MAINTENANCE'), 'PUT',
     '/v1/maintenance/%s' % SESSION, {'state': 'PLANNED_MAINTENANCE'}),
    (lambda c: c.sessions.delete(SESSION), 'DELETE',
     '/v1/maintenance/%s' % SESSION, None),
    (lambda c: c.projects.get(SESSION, PROJECT), 'GET',
     '/v1/maintenance/%s/%s' % (SESSION, PROJECT), None),
    (lambda c: c.projects.reply(SESSION, PROJECT, 'ACK_MAINTENANCE'), 'PUT',
     '/v1/maintenance/%s/%s' % (SESSION, PROJECT),
     {'state': 'ACK_MAINTENANCE'}),
    (lambda c: c.projects.reply(
        SESSION, PROJECT, 'ACK_PLANNED_MAINTENANCE',
        instance_actions={INSTANCE: 'MIGRATE'}, instance_ids=[INSTANCE]),
     'PUT', '/v1/maintenance/%s/%s' % (SESSION, PROJECT),
     {'state': 'ACK_PLANNED_MAINTENANCE',
      'instance_actions': {INSTANCE: 'MIGRATE'},
      'instance_ids': [INSTANCE]}),
    (lambda c: c.projects.reply_instance(
        SESSION, PROJECT, INSTANCE, 'ACK_PLANNED_MAINTENANCE',
        instance_action='LIVE_MIGRATE'),
     'PUT', '/v1/maintenance/%s/%s/%s' % (SESSION, PROJECT, INSTANCE),
     {'state': 'ACK_PLANNED_MAINTENANCE', 'instance_action': 'LIVE_MIGRATE'}),
    (lambda c: c.instance_constraints.set(
        INSTANCE, PROJECT, group_id=GROUP, migration_type='MIGRATE',
        max_interruption_time=0, resource_mitigation=False, lead_time=30),
     'PUT', '/v1/instance/%s' % INSTANCE,
     {'instance_id': INSTANCE, 'project_id': PROJECT, 'group_id': GROUP,
      'migration_type': 'MIGRATE', 'max_interruption_time': 0,
      'resource_mitigation': False, 'lead_time': 30}),
    (lambda c: c.instance_constraints.get(INSTANCE), 'GET',
     '/v1/instance/%s' % INSTANCE, None),
    (lambda c: c.instance_constraints.delete(INSTANCE), 'DELETE',
     '/v1/instance/%s' % INSTANCE, None),
    (lambda c: c.instance_groups.set(
        GROUP, PROJECT, group_name='web', anti_affinity_group=True,
        max_instances_per_host=1, max_impacted_members=1, recovery_time=10,
        resource_mitigation=True),
     'PUT', '/v1/instance_group/%s' % GROUP,
     {'group_id': GROUP, 'project_id': PROJECT, 'group_name': 'web',
      'anti_affinity_group': True, 'max_instances_per_host': 1,
      'max_impacted_members': 1, 'recovery_time': 10,
      'resource_mitigation': True}),
    (lambda c: c.instance_groups.get(GROUP), 'GET',
     '/v1/instance_group/%s' % GROUP, None),
    (lambda c: c.instance_groups.delete(GROUP), 'DELETE',
     '/v1/instance_group/%s' % GROUP, None),
]


@pytest.mark.parametrize('call,method,path,body', CALLS)
def test_request(client, requests_mock, call, method, path, body):
    answer = {'sessions': [SESSION], 'answer': path}
    requests_mock.register_uri(method, ENDPOINT + path, json=answer)
    expected = answer
    if (method, path) == ('GET', '/v1/maintenance'):
        expected = [SESSION]
    assert call(client) == expected
    assert requests_mock.call_count == 1
    request = requests_mock.last_request
    assert request.method == method
    assert request.url == ENDPOINT + path
    if body is None:
        assert not request.body
    else:
        assert json.loads(request.body) == body


def test_create_without_time_starts_now(client, requests_mock):
    requests_mock.post(ENDPOINT + '/v1/maintenance',
                       json={'session_id': SESSION})
    client.sessions.create()
    sent = requests_mock.last_request.json()['maintenance_at']
    # UTC "YYYY-MM-DD HH:MM:SS"
    assert len(sent) == 19 and sent[10] == ' ', sent


def test_segments_are_quoted(client, requests_mock):
    requests_mock.get(ENDPOINT + '/v1/maintenance/%s/a%%2Fb' % SESSION,
                      json={'instance_ids': []})
    assert client.projects.get(SESSION, 'a/b') == {'instance_ids': []}


def test_endpoint_with_version_suffix(requests_mock):
    client = fenix_client.Client(session=ks_session.Session(),
                                 endpoint_override=ENDPOINT + '/v1/')
    requests_mock.get(ENDPOINT + '/v1/maintenance', json={'sessions': []})
    assert client.sessions.list() == []


def _catalog_session():
    token = fixture.V3Token()
    token.set_project_scope()
    service = token.add_service('maintenance')
    service.add_standard_endpoints(public='http://public:12347',
                                   internal='http://internal:12347',
                                   region='RegionOne')
    service.add_standard_endpoints(public='http://other:12347',
                                   region='RegionTwo')
    auth_ref = access.create(body=token, auth_token='a-token')
    return ks_session.Session(auth=access_plugin.AccessInfoPlugin(auth_ref))


@pytest.mark.parametrize('interface,region,url', [
    ('internal', 'RegionOne', 'http://internal:12347'),
    ('public', 'RegionOne', 'http://public:12347'),
    ('public', 'RegionTwo', 'http://other:12347'),
])
def test_endpoint_from_catalog(requests_mock, interface, region, url):
    client = fenix_client.Client(session=_catalog_session(),
                                 interface=interface, region_name=region)
    requests_mock.get(url + '/v1/maintenance', json={'sessions': []})
    assert client.sessions.list() == []
    assert requests_mock.last_request.headers['X-Auth-Token'] == 'a-token'


def test_no_endpoint_in_catalog():
    client = fenix_client.Client(session=_catalog_session(),
                                 region_name='Nowhere')
    with pytest.raises(exceptions.EndpointNotFound) as e:
        client.sessions.list()
    assert '--os-maintenance-endpoint' in str(e.value)


def test_no_endpoint_without_auth():
    client = fenix_client.Client(session=ks_session.Session())
    with pytest.raises(exceptions.EndpointNotFound):
        client.sessions.list()


def test_error_body_is_the_message(client, requests_mock):
    requests_mock.put(
        ENDPOINT + '/v1/maintenance/%s' % SESSION, status_code=422,
        json={'error': {'code': 422, 'title': 'Unprocessable Entity',
                        'message': 'Session is MAINTENANCE_DONE;\nonly a '
                                   'MAINTENANCE_FAILED session can be '
                                   'continued.'}})
    with pytest.raises(exceptions.Unprocessable) as e:
        client.sessions.update(SESSION, 'MAINTENANCE')
    assert str(e.value) == (
        'Session is MAINTENANCE_DONE; only a MAINTENANCE_FAILED session '
        'can be continued. (HTTP 422)')
    assert e.value.status == 422
    assert e.value.title == 'Unprocessable Entity'
    assert e.value.method == 'PUT'


def test_unreachable_is_one_line(client, requests_mock):
    requests_mock.get(ENDPOINT + '/v1/maintenance',
                      exc=requests.exceptions.ConnectionError(
                          'Max retries exceeded\n(Caused by ...)'))
    with pytest.raises(exceptions.ConnectionFailed) as e:
        client.sessions.list()
    message = str(e.value)
    assert '\n' not in message
    assert message.startswith('Cannot reach the maintenance service at '
                              'http://fenix.test:12347: ')


def test_unreachable_names_the_os_error():
    # NOTE: a port just free on 127.0.0.1: nothing listens there.
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        url = 'http://127.0.0.1:%d' % s.getsockname()[1]
    client = fenix_client.Client(session=ks_session.Session(),
                                 endpoint_override=url)
    with pytest.raises(exceptions.ConnectionFailed) as e:
        client.sessions.list()
    assert str(e.value) == ('Cannot reach the maintenance service at %s: '
                            '[Errno 111] Connection refused' % url)


def test_empty_answer_is_none(client, requests_mock):
    requests_mock.delete(ENDPOINT + '/v1/instance/%s' % INSTANCE,
                         status_code=204)
    assert client.instance_constraints.delete(INSTANCE) is None


def test_answer_that_is_not_json(client, requests_mock):
    requests_mock.get(ENDPOINT + '/v1/maintenance', text='<html>')
    with pytest.raises(exceptions.ClientError) as e:
        client.sessions.list()
    assert 'not JSON' in str(e.value)
