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
"""Admin API: /v1/maintenance[/{session_id}[/detail]]."""

import datetime
import threading
import time

import pytest

from fenix.db import api as db
from tests.unit.api import conftest
from tests.unit.api.conftest import request
from tests.unit.api.conftest import session_body

UUID = conftest.UNKNOWN

# POST /v1/maintenance: (id, body, status, substring of the error message)
CREATE = [
    ('full body', session_body(), 200, None),
    ('minimal body', {'hosts': [], 'state': 'MAINTENANCE',
                      'maintenance_at': '2030-01-01 10:00:00'}, 200, None),
    ('ISO 8601 time', session_body(maintenance_at='2030-01-01T10:00:00Z'),
     200, None),
    ('unknown field', session_body(colour='red'), 400,
     "unknown field 'colour'"),
    ('unknown nested field',
     session_body(actions=[{'plugin': 'dummy', 'type': 'host', 'x': 1}]),
     400, "unknown field 'actions/0/x'"),
    ('missing state', session_body(state=None), 400,
     "missing required field 'state'"),
    ('host not a string', session_body(hosts=['h1', 5]), 400,
     "Invalid input for field 'hosts/1': 5 is not of type 'string'"),
    ('duplicate hosts', session_body(hosts=['h1', 'h1']), 400,
     "field 'hosts'"),
    ('hosts not a list', session_body(hosts='h1'), 400,
     "'h1' is not of type 'array'"),
    ('too many hosts', session_body(hosts=['h%d' % i for i in range(6)]),
     400, "field 'hosts': 6 items, at most 5"),
    ('wrong state', session_body(state='PLANNED_MAINTENANCE'), 400,
     "field 'state'"),
    ('bad time', session_body(maintenance_at='tomorrow'), 400,
     "field 'maintenance_at': 'tomorrow' is not a UTC time"),
    ('bad date', session_body(maintenance_at='2030-02-30 10:00:00'), 400,
     "field 'maintenance_at'"),
    ('date without time', session_body(maintenance_at='2030-02-01'), 400,
     "field 'maintenance_at'"),
    ('bad action type',
     session_body(actions=[{'plugin': 'dummy', 'type': 'sometimes'}]),
     400, "field 'actions/0/type': 'sometimes' is not one of"),
    ('negative order',
     session_body(actions=[{'plugin': 'dummy', 'type': 'pre',
                            'order': -1}]),
     400, "field 'actions/0/order': -1 is less than the minimum of 0"),
    ('order not an integer',
     session_body(actions=[{'plugin': 'dummy', 'type': 'pre',
                            'order': 'first'}]),
     400, "field 'actions/0/order'"),
    ('download without url', session_body(download=[{'size': 1}]), 400,
     "missing required field 'download/0/url'"),
    ('metadata not an object', session_body(metadata=['a']), 400,
     "field 'metadata'"),
    ('unknown workflow', session_body(workflow='../../os'), 400,
     "Unknown workflow plug-in '../../os'; available: default"),
    ('unknown action plug-in',
     session_body(actions=[{'plugin': 'os.system', 'type': 'host'}]), 400,
     "Unknown action plug-in 'os.system'; available: dummy"),
    ('same plug-in and type twice',
     session_body(actions=[{'plugin': 'dummy', 'type': 'host'},
                           {'plugin': 'dummy', 'type': 'host',
                            'order': 2}]), 400,
     "plug-in 'dummy' is given twice with type 'host'"),
]


@pytest.mark.parametrize('body,status,message',
                         [c[1:] for c in CREATE], ids=[c[0] for c in CREATE])
def test_create(app, engine_api, body, status, message):
    response = request(app, 'POST', '/v1/maintenance', body=body)
    assert response.status_int == status, response.text
    if status == 200:
        sid = response.json['session_id']
        session = db.session_get(sid)
        assert session['maintenance_at'] == datetime.datetime(2030, 1, 1,
                                                              10)
        assert session['requested_hosts'] == body['hosts']
        assert session['workflow'] == 'default'
        engine_api.session_created.assert_called_once()
        assert engine_api.session_created.call_args[0][1] == sid
    else:
        assert message in response.json['error']['message']
        engine_api.session_created.assert_not_called()


# Bodies that are not JSON objects: (id, raw body, content type, message)
NOT_JSON = [
    ('bad JSON', b'{"hosts": [', 'application/json', 'not valid JSON'),
    ('not UTF-8', b'{"hosts": "\xff"}', 'application/json',
     'must be UTF-8 JSON'),
    ('array', b'[]', 'application/json', 'must be a JSON object, not an '
                                         'array'),
    ('empty', b'', 'application/json', 'body is empty'),
    ('form', b'hosts=h1', 'application/x-www-form-urlencoded',
     "not 'application/x-www-form-urlencoded'"),
    ('no content type', b'{}', None, "Content-Type application/json"),
]


@pytest.mark.parametrize('raw,content_type,message',
                         [c[1:] for c in NOT_JSON],
                         ids=[c[0] for c in NOT_JSON])
def test_create_needs_a_json_object(app, raw, content_type, message):
    response = request(app, 'POST', '/v1/maintenance', raw=raw,
                       content_type=content_type)
    assert response.status_int == 400
    assert message in response.json['error']['message']


def test_create_time_with_offset_is_stored_as_utc(app):
    body = session_body(maintenance_at='2030-01-01T12:30:00+02:00')
    sid = request(app, 'POST', '/v1/maintenance', body=body).json[
        'session_id']
    assert db.session_get(sid)['maintenance_at'] == datetime.datetime(
        2030, 1, 1, 10, 30)


def test_create_stores_actions_with_defaults(app):
    body = session_body(actions=[{'plugin': 'dummy', 'type': 'pre'}])
    sid = request(app, 'POST', '/v1/maintenance', body=body).json[
        'session_id']
    actions = db.action_plugin_list(sid)
    assert [(a['plugin'], a['type'], a['order'], a['metadata'])
            for a in actions] == [('dummy', 'pre', 0, {})]


def test_create_overlapping_hosts_is_409(app):
    assert request(app, 'POST', '/v1/maintenance',
                   body=session_body(hosts=['h1', 'h2'])).status_int == 200
    response = request(app, 'POST', '/v1/maintenance',
                       body=session_body(hosts=['h2', 'h3']))
    assert response.status_int == 409
    assert 'h2' in response.json['error']['message']


def test_create_past_max_sessions_is_509(app):
    for i in range(conftest.MAX_SESSIONS):
        body = session_body(hosts=['host%d' % i])
        assert request(app, 'POST', '/v1/maintenance',
                       body=body).status_int == 200
    response = request(app, 'POST', '/v1/maintenance',
                       body=session_body(hosts=['other']))
    assert response.status_int == 509
    assert response.json['error']['message'] == (
        'Too many active maintenance sessions: 3 of at most 3.')


def test_list_and_get(app):
    sid = request(app, 'POST', '/v1/maintenance',
                  body=session_body()).json['session_id']
    assert request(app, 'GET', '/v1/maintenance').json == {
        'sessions': [sid]}
    for path in ('/v1/maintenance/%s' % sid, '/v1/maintenance/%s/' % sid):
        session = request(app, 'GET', path).json
        assert set(session) == {
            'session_id', 'state', 'workflow', 'maintenance_at',
            'percent_done', 'reason', 'metadata', 'created_at',
            'updated_at', 'stop_requested', 'waiting_for', 'wait_until'}
        assert session['session_id'] == sid
        assert session['state'] == 'MAINTENANCE'
        assert session['maintenance_at'] == '2030-01-01 10:00:00'
        assert session['metadata'] == {'openstack_version': 'Train'}
        datetime.datetime.strptime(session['created_at'],
                                   '%Y-%m-%d %H:%M:%S')


def test_detail(app, project_session):
    sid = project_session
    db.history_add(sid, 'MAINTENANCE', 'discover', 'ok', details='1 host')
    run = db.action_run_start(sid, 'dummy', 'host', 'host1')
    db.action_run_finish(run['id'], 'DONE')
    detail = request(app, 'GET', '/v1/maintenance/%s/detail' % sid).json
    assert detail['session_id'] == sid
    assert [h['hostname'] for h in detail['hosts']] == ['host1']
    assert [p['project_id'] for p in detail['projects']] == [
        conftest.PROJECT_A, conftest.PROJECT_B]
    assert len(detail['instances']) == 3
    assert detail['history'][0]['step'] == 'discover'
    run = detail['action_plugin_instances'][0]
    assert (run['plugin'], run['state'], run['hostname']) == (
        'dummy', 'DONE', 'host1')
    datetime.datetime.strptime(run['finished_at'], '%Y-%m-%d %H:%M:%S')
    for rows in (detail['hosts'], detail['projects'], detail['instances'],
                 detail['history'], detail['action_plugin_instances']):
        for row in rows:
            assert not {'id', 'session_id', 'generation'} & set(row)


@pytest.mark.parametrize('method,suffix', [('GET', ''),
                                           ('GET', '/detail'),
                                           ('PUT', ''), ('DELETE', '')])
def test_unknown_session_is_404(app, method, suffix):
    body = {'state': 'MAINTENANCE'} if method == 'PUT' else None
    response = request(app, method, '/v1/maintenance/%s%s' % (UUID, suffix),
                       body=body)
    assert response.status_int == 404
    assert UUID in response.json['error']['message']


# PUT /v1/maintenance/{id}: (id, stored state, body, status, message)
CONTINUE = [
    ('continue failed', 'MAINTENANCE_FAILED', {'state': 'START_MAINTENANCE'},
     200, None),
    ('not failed', 'PLANNED_MAINTENANCE', {'state': 'START_MAINTENANCE'},
     422, 'only a MAINTENANCE_FAILED session can be continued'),
    ('to done', 'MAINTENANCE_FAILED', {'state': 'MAINTENANCE_DONE'}, 422,
     'cannot be continued from MAINTENANCE_DONE'),
    ('to scale in', 'MAINTENANCE_FAILED', {'state': 'SCALE_IN'}, 200, None),
    ('done, listing the states', 'MAINTENANCE_FAILED',
     {'state': 'MAINTENANCE_DONE'}, 422,
     "workflow 'default' can continue from: MAINTENANCE, SCALE_IN, "
     "PREPARE_MAINTENANCE"),
    ('unknown state', 'MAINTENANCE_FAILED', {'state': 'FIXED'}, 400,
     "field 'state': 'FIXED' is not one of"),
    ('extra field', 'MAINTENANCE_FAILED',
     {'state': 'START_MAINTENANCE', 'reason': 'x'}, 400,
     "unknown field 'reason'"),
]


@pytest.mark.parametrize('stored,body,status,message',
                         [c[1:] for c in CONTINUE],
                         ids=[c[0] for c in CONTINUE])
def test_continue(app, engine_api, stored, body, status, message):
    sid = conftest.make_session(state=stored, reason='host1 failed')
    response = request(app, 'PUT', '/v1/maintenance/%s' % sid, body=body)
    assert response.status_int == status, response.text
    session = db.session_get(sid)
    if status == 200:
        assert response.json['state'] == body['state']
        assert response.json['reason'] is None
        assert session['state'] == body['state']
        engine_api.session_updated.assert_called_once()
    else:
        assert message in response.json['error']['message']
        assert session['state'] == stored
        engine_api.session_updated.assert_not_called()


def test_continue_forgets_what_the_failed_attempt_asked(app):
    progress = {'round': {'key': 'MAINTENANCE', 'at': '2030-01-01T10:00:00'},
                'scale_in_rounds': 3, 'emptying': 'host1',
                'discovered': True}
    sid = conftest.make_session(state='MAINTENANCE_FAILED',
                                progress=progress)
    response = request(app, 'PUT', '/v1/maintenance/%s' % sid,
                       body={'state': 'SCALE_IN'})
    assert response.status_int == 200, response.text
    assert db.session_get(sid)['progress'] == {'emptying': 'host1',
                                               'discovered': True}


def test_continue_wakes_the_engine_that_owns_the_session(app, engine_api):
    sid = conftest.make_session(state='MAINTENANCE_FAILED')
    now = datetime.datetime.utcnow()
    assert db.session_claim(sid, 'engine-2',
                            now + datetime.timedelta(seconds=60), now=now)
    response = request(app, 'PUT', '/v1/maintenance/%s' % sid,
                       body={'state': 'MAINTENANCE'})
    assert response.status_int == 200, response.text
    assert engine_api.session_updated.call_args[1] == {'owner': 'engine-2'}


def test_continue_lost_race_is_409(app, monkeypatch):
    sid = conftest.make_session(state='MAINTENANCE_FAILED')
    real_get = db.session_get

    def get_then_changed(session_id):
        session = real_get(session_id)
        db.session_update(session_id, expected_generation=0, reason='x')
        return session

    monkeypatch.setattr(db, 'session_get', get_then_changed)
    response = request(app, 'PUT', '/v1/maintenance/%s' % sid,
                       body={'state': 'MAINTENANCE'})
    assert response.status_int == 409


def test_delete_finished_session_deletes_it(app, engine_api):
    sid = conftest.make_session(state='MAINTENANCE_DONE')
    response = request(app, 'DELETE', '/v1/maintenance/%s' % sid)
    assert response.status_int == 200
    assert response.json == {
        'session_id': sid, 'state': 'MAINTENANCE_DONE', 'deleted': True,
        'stopped': True, 'stop_requested': False, 'reason': None,
        'left': {'hosts_maintained': [], 'hosts_not_maintained': [],
                 'hosts_left_disabled': [], 'instances_moved': 0}}
    assert request(app, 'GET', '/v1/maintenance/%s' % sid).status_int == 404
    engine_api.session_delete_requested.assert_not_called()


def test_delete_of_a_failed_session_with_a_disabled_host(
        conf, app, engine_api):
    # The engine enables the host before the rows go.
    conf.set_override('stop_wait', 0, group='api')
    sid = conftest.make_session(state='MAINTENANCE_FAILED')
    db.hosts_create(sid, [{'hostname': 'host1', 'state': 'EMPTYING',
                           'disabled_by_us': True}])
    response = request(app, 'DELETE', '/v1/maintenance/%s' % sid)
    assert response.status_int == 200
    assert (response.json['deleted'], response.json['stop_requested']) == (
        False, True)
    assert response.json['left']['hosts_left_disabled'] == ['host1']
    engine_api.session_delete_requested.assert_called_once()
    # Once the engine enabled it, DELETE removes the session.
    db.host_update(sid, 'host1', disabled_by_us=False)
    db.session_update(sid, stop_requested=False)
    response = request(app, 'DELETE', '/v1/maintenance/%s' % sid)
    assert response.json['deleted'] is True


def test_delete_active_session_asks_the_engine(conf, app, engine_api):
    conf.set_override('stop_wait', 0, group='api')
    sid = conftest.make_session(state='PLANNED_MAINTENANCE')
    db.hosts_create(sid, [{'hostname': 'host1', 'state': 'EMPTYING',
                           'disabled_by_us': True},
                          {'hostname': 'host2', 'state': 'MAINTAINED',
                           'maintained': True}])
    response = request(app, 'DELETE', '/v1/maintenance/%s' % sid)
    assert response.status_int == 200
    body = response.json
    assert body['state'] == 'PLANNED_MAINTENANCE'
    assert (body['stopped'], body['stop_requested']) == (False, True)
    assert body['left'] == {'hosts_maintained': ['host2'],
                            'hosts_not_maintained': ['host1'],
                            'hosts_left_disabled': ['host1'],
                            'instances_moved': 0}
    assert db.session_get(sid)['stop_requested'] is True
    engine_api.session_delete_requested.assert_called_once()
    assert engine_api.session_delete_requested.call_args[0][1] == sid


def test_delete_waits_for_the_engine_to_stop(conf, app, engine_api):
    conf.set_override('stop_wait', 10, group='api')
    sid = conftest.make_session(state='PLANNED_MAINTENANCE')

    def engine_stops(context, session_id, owner=None):
        # What the engine does at its safe point, in another thread.
        def stop():
            time.sleep(0.3)
            db.session_update(session_id, stop_requested=False,
                              state='MAINTENANCE_FAILED',
                              reason='Stopped by the admin')
        threading.Thread(target=stop).start()

    engine_api.session_delete_requested.side_effect = engine_stops
    response = request(app, 'DELETE', '/v1/maintenance/%s' % sid)
    assert response.status_int == 200
    assert response.json['stopped'] is True
    assert response.json['state'] == 'MAINTENANCE_FAILED'
    assert response.json['reason'] == 'Stopped by the admin'
    # The stopped session stays until it is deleted again.
    response = request(app, 'DELETE', '/v1/maintenance/%s' % sid)
    assert response.json['deleted'] is True
    assert request(app, 'GET', '/v1/maintenance/%s' % sid).status_int == 404


# The admin API is for the admin only (noauth identity headers).
ADMIN_ONLY = [
    ('POST', '/v1/maintenance', session_body()),
    ('GET', '/v1/maintenance', None),
    ('GET', '/v1/maintenance/%s' % UUID, None),
    ('GET', '/v1/maintenance/%s/detail' % UUID, None),
    ('PUT', '/v1/maintenance/%s' % UUID, {'state': 'MAINTENANCE'}),
    ('DELETE', '/v1/maintenance/%s' % UUID, None),
]


@pytest.mark.parametrize('method,path,body', ADMIN_ONLY)
def test_member_gets_403_from_admin_api(app, method, path, body):
    response = request(app, method, path, body=body,
                       headers=conftest.MEMBER_A)
    assert response.status_int == 403
    assert 'fenix:maintenance:' in response.json['error']['message']


def test_admin_role_from_headers(app):
    headers = {'X-Project-Id': 'ops', 'X-Roles': 'reader,admin'}
    assert request(app, 'GET', '/v1/maintenance',
                   headers=headers).status_int == 200


def test_doctor_admin_requests(app):
    """OPNFV Doctor (doctor_tests/scenario/maintenance.py) as the admin."""
    headers = {'Content-Type': 'application/json',
               'Accept': 'application/json'}
    body = {'hosts': ['compute-0', 'compute-1'], 'state': 'MAINTENANCE',
            'maintenance_at': '2030-01-01 10:00:00',
            'metadata': {'openstack_version': 'Rocky'},
            'workflow': 'default'}
    response = request(app, 'POST', '/v1/maintenance', body=body,
                       headers=headers)
    assert response.status_int == 200
    sid = response.json['session_id']
    # GET and DELETE carry the JSON Content-Type and no body.
    assert request(app, 'GET', '/v1/maintenance/%s' % sid,
                   headers=headers).json['state'] == 'MAINTENANCE'
    assert request(app, 'DELETE', '/v1/maintenance/%s' % sid,
                   headers=headers).status_int == 200
