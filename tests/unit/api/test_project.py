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
"""Project API: /v1/maintenance/{session_id}/{project_id}[/{instance_id}].

The ``project_session`` fixture asked projects A and B about MAINTENANCE
and instance 2 (of A) about PLANNED_MAINTENANCE.
"""

import datetime

import pytest

from fenix.common import exception
from fenix.db import api as db
from tests.unit.api import conftest
from tests.unit.api.conftest import INSTANCE_1
from tests.unit.api.conftest import INSTANCE_2
from tests.unit.api.conftest import INSTANCE_B
from tests.unit.api.conftest import PROJECT_A
from tests.unit.api.conftest import request
from tests.unit.api.conftest import UNKNOWN

A = '/v1/maintenance/{sid}/%s' % PROJECT_A
A_I2 = A + '/' + INSTANCE_2

# (id, method, path, headers, body, status, substring of body or message)
CASES = [
    # Reading the project's instances.
    ('admin reads', 'GET', A, None, None, 200, INSTANCE_1),
    ('owner reads', 'GET', A, conftest.MEMBER_A, None, 200, INSTANCE_2),
    ('other project reads', 'GET', A, conftest.MEMBER_B, None, 403,
     'fenix:project:get'),
    ('unknown project', 'GET', '/v1/maintenance/{sid}/nobody', None, None,
     404, 'Project nobody takes no part'),
    ('unknown session', 'GET', '/v1/maintenance/%s/%s' % (UNKNOWN,
                                                          PROJECT_A),
     None, None, 404, 'Maintenance session %s' % UNKNOWN),
    # Project replies.
    ('ack', 'PUT', A, conftest.MEMBER_A, {'state': 'ACK_MAINTENANCE'}, 200,
     'ACK_MAINTENANCE'),
    ('nack', 'PUT', A, conftest.MEMBER_A, {'state': 'NACK_MAINTENANCE'},
     200, 'NACK_MAINTENANCE'),
    ('ack with instance actions', 'PUT', A, conftest.MEMBER_A,
     {'state': 'ACK_MAINTENANCE',
      'instance_actions': {INSTANCE_1: 'LIVE_MIGRATE',
                           INSTANCE_2: 'EVICTION'}}, 200, 'LIVE_MIGRATE'),
    ('other project replies', 'PUT', A, conftest.MEMBER_B,
     {'state': 'ACK_MAINTENANCE'}, 403, 'fenix:project:reply'),
    ('reply to another state', 'PUT', A, conftest.MEMBER_A,
     {'state': 'ACK_PLANNED_MAINTENANCE'}, 422,
     'is asked about MAINTENANCE now, not PLANNED_MAINTENANCE'),
    ('not a reply', 'PUT', A, conftest.MEMBER_A, {'state': 'OK'}, 400,
     "field 'state': 'OK' is not one of"),
    ('reply to a state needing none', 'PUT', A, conftest.MEMBER_A,
     {'state': 'ACK_INSTANCE_ACTION_DONE'}, 400, "field 'state'"),
    ('bad instance action', 'PUT', A, conftest.MEMBER_A,
     {'state': 'ACK_MAINTENANCE', 'instance_actions': {INSTANCE_1: 'FLY'}},
     400, "field 'instance_actions/%s': 'FLY' is not one of" % INSTANCE_1),
    ('instance action for a non-UUID', 'PUT', A, conftest.MEMBER_A,
     {'state': 'ACK_MAINTENANCE', 'instance_actions': {'vm1': 'MIGRATE'}},
     400, "'vm1' is not a UUID"),
    ('instance action for an unknown instance', 'PUT', A,
     conftest.MEMBER_A,
     {'state': 'ACK_MAINTENANCE', 'instance_actions': {UNKNOWN: 'MIGRATE'}},
     404, 'Instance %s is not in maintenance session' % UNKNOWN),
    ('instance action for an instance of B', 'PUT', A, conftest.MEMBER_A,
     {'state': 'ACK_MAINTENANCE',
      'instance_actions': {INSTANCE_B: 'MIGRATE'}}, 404, INSTANCE_B),
    # The actions are written one UPDATE per action: the unknown instance
    # named is still the first of the reply.
    ('first of two unknown instances', 'PUT', A, conftest.MEMBER_A,
     {'state': 'ACK_MAINTENANCE',
      'instance_actions': {INSTANCE_1: 'LIVE_MIGRATE',
                           INSTANCE_B: 'MIGRATE', UNKNOWN: 'EVICTION'}},
     404, INSTANCE_B),
    ('bad instance id in list', 'PUT', A, conftest.MEMBER_A,
     {'state': 'ACK_MAINTENANCE', 'instance_ids': ['x']}, 400,
     "field 'instance_ids/0': 'x' is not a UUID"),
    ('too many instance actions', 'PUT', A, conftest.MEMBER_A,
     {'state': 'ACK_MAINTENANCE', 'instance_actions': {
         '%08d-0000-4000-8000-000000000000' % i: 'MIGRATE'
         for i in range(6)}}, 400,
     "field 'instance_actions': 6 items, at most 5"),
    ('unknown field', 'PUT', A, conftest.MEMBER_A,
     {'state': 'ACK_MAINTENANCE', 'colour': 'red'}, 400,
     "unknown field 'colour'"),
    ('session id of another session', 'PUT', A, conftest.MEMBER_A,
     {'state': 'ACK_MAINTENANCE', 'session_id': UNKNOWN}, 400,
     "field 'session_id'"),
    ('unknown project replies', 'PUT', '/v1/maintenance/{sid}/nobody',
     None, {'state': 'ACK_MAINTENANCE'}, 404, 'nobody'),
    # Per-instance replies.
    ('instance ack', 'PUT', A_I2, conftest.MEMBER_A,
     {'state': 'ACK_PLANNED_MAINTENANCE', 'instance_action': 'MIGRATE'},
     200, 'ACK_PLANNED_MAINTENANCE'),
    ('instance reply to another state', 'PUT', A_I2, conftest.MEMBER_A,
     {'state': 'ACK_MAINTENANCE_COMPLETE'}, 422,
     'asked about PLANNED_MAINTENANCE now'),
    ('instance reply by other project', 'PUT', A_I2, conftest.MEMBER_B,
     {'state': 'ACK_PLANNED_MAINTENANCE'}, 403,
     'fenix:project:instance_reply'),
    ('instance of another project', 'PUT', A + '/' + INSTANCE_B, None,
     {'state': 'ACK_MAINTENANCE'}, 404, INSTANCE_B),
    ('instance id not a UUID', 'PUT', A + '/vm1', None,
     {'state': 'ACK_MAINTENANCE'}, 400, "instance_id: 'vm1' is not a UUID"),
    ('bad instance action (instance)', 'PUT', A_I2, None,
     {'state': 'ACK_PLANNED_MAINTENANCE', 'instance_action': 'REBOOT'}, 400,
     "field 'instance_action'"),
    ('instance_actions on an instance', 'PUT', A_I2, None,
     {'state': 'ACK_PLANNED_MAINTENANCE', 'instance_actions': {}}, 400,
     "unknown field 'instance_actions'"),
]


@pytest.mark.parametrize('method,path,headers,body,status,expected',
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_project_api(app, engine_api, project_session, method, path,
                     headers, body, status, expected):
    response = request(app, method, path.format(sid=project_session),
                       body=body, headers=headers)
    assert response.status_int == status, response.text
    assert expected in response.text
    if method == 'PUT' and status == 200:
        engine_api.reply_received.assert_called_once()
        assert engine_api.reply_received.call_args[0][1:] == (
            project_session, PROJECT_A)
    else:
        engine_api.reply_received.assert_not_called()


def test_reply_is_stored_with_who_replied(app, project_session):
    request(app, 'PUT', A.format(sid=project_session),
            headers=conftest.MEMBER_A,
            body={'state': 'ACK_MAINTENANCE',
                  'instance_actions': {INSTANCE_1: 'OWN_ACTION'}})
    project = db.project_get(project_session, PROJECT_A)
    assert (project['reply'], project['replied_by']) == (
        'ACK_MAINTENANCE', 'user-a')
    actions = {i['instance_id']: i['action']
               for i in db.instance_list(project_session)}
    assert actions[INSTANCE_1] == 'OWN_ACTION'


def test_instance_reply_is_stored(app, project_session):
    request(app, 'PUT', A_I2.format(sid=project_session),
            body={'state': 'ACK_PLANNED_MAINTENANCE',
                  'instance_action': 'LIVE_MIGRATE'})
    instance = [i for i in db.instance_list(project_session)
                if i['instance_id'] == INSTANCE_2][0]
    assert (instance['reply'], instance['action']) == (
        'ACK_PLANNED_MAINTENANCE', 'LIVE_MIGRATE')


def test_concurrent_reply_is_409(app, project_session, monkeypatch):
    def lose_the_race(session_id, project_id, *args, **kwargs):
        raise exception.ConcurrentUpdate(
            what='The reply of project %s' % project_id)

    monkeypatch.setattr(db, 'project_reply', lose_the_race)
    response = request(app, 'PUT', A.format(sid=project_session),
                       body={'state': 'ACK_MAINTENANCE'})
    assert response.status_int == 409
    assert 'changed by another request' in response.json['error']['message']


# What the existing app managers send (see fenix/api/schemas/v1/project.py
# for the source files): (id, path, body)
CLIENT_REPLIES = [
    ('Tacker ACK_MAINTENANCE', A,
     {'instance_ids': [INSTANCE_1, INSTANCE_2], 'session_id': '{sid}',
      'state': 'ACK_MAINTENANCE'}),
    ('Tacker without session id', A,
     {'instance_ids': [INSTANCE_1], 'session_id': '',
      'state': 'NACK_MAINTENANCE'}),
    ('Tacker per-instance', A_I2,
     {'instance_action': 'MIGRATE', 'session_id': '{sid}',
      'state': 'ACK_PLANNED_MAINTENANCE'}),
    ('Doctor sample ACK_MAINTENANCE', A,
     {'instance_ids': [INSTANCE_1, INSTANCE_2], 'session_id': '{sid}',
      'state': 'ACK_MAINTENANCE'}),
    ('Doctor sample instance_actions', A,
     {'instance_actions': {INSTANCE_1: 'MIGRATE', INSTANCE_2: 'MIGRATE'},
      'session_id': '{sid}', 'state': 'ACK_MAINTENANCE'}),
    ('Doctor VNFM per-instance', A_I2,
     {'instance_action': 'MIGRATE', 'session_id': '{sid}',
      'state': 'ACK_PLANNED_MAINTENANCE'}),
]


@pytest.mark.parametrize('path,body', [c[1:] for c in CLIENT_REPLIES],
                         ids=[c[0] for c in CLIENT_REPLIES])
def test_client_reply_shapes(app, project_session, path, body):
    body = {k: v.format(sid=project_session) if isinstance(v, str) else v
            for k, v in body.items()}
    headers = {'X-Auth-Token': 'ignored-by-noauth',
               'Accept': 'application/json'}
    headers.update(conftest.MEMBER_A)
    response = request(app, 'PUT', path.format(sid=project_session),
                       body=body, headers=headers)
    assert response.status_int == 200, response.text


def test_doctor_sample_get_with_a_body(app, project_session):
    """doctor_tests/app_manager/sample.py GETs with a JSON body."""
    response = app.request(
        A.format(sid=project_session), method='GET',
        body=b'{"session_id": "%s"}' % project_session.encode(),
        content_type='application/json', headers=conftest.MEMBER_A)
    assert response.json == {'instance_ids': [INSTANCE_1, INSTANCE_2]}


@pytest.mark.parametrize('lease_seconds,owner', [(60, 'engine-2'),
                                                 (-60, None)])
def test_reply_wakes_the_engine_that_owns_the_session(
        app, engine_api, project_session, lease_seconds, owner):
    now = datetime.datetime.utcnow()
    assert db.session_claim(
        project_session, 'engine-2',
        now + datetime.timedelta(seconds=lease_seconds), now=now)
    response = request(app, 'PUT', A.format(sid=project_session),
                       headers=conftest.MEMBER_A,
                       body={'state': 'ACK_MAINTENANCE'})
    assert response.status_int == 200, response.text
    # A lease that ran out names no owner: any engine may take it.
    assert engine_api.reply_received.call_args[1] == {'owner': owner}
    response = request(app, 'PUT', A_I2.format(sid=project_session),
                       headers=conftest.MEMBER_A,
                       body={'state': 'ACK_PLANNED_MAINTENANCE'})
    assert response.status_int == 200, response.text
    assert engine_api.reply_received.call_args[1] == {'owner': owner}
