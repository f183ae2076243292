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
"""The API app (noauth) on a SQLite file, with the engine RPC mocked.

NOTE: the RPC client is the one thing mocked: these are unit tests of the
API; the functional tier runs the real bus.
"""

import datetime
import json
from unittest import mock
import uuid

from oslo_config import cfg
import pytest
import webtest

from fenix.api import app as api_app
from fenix.common import service
from fenix.db import api as db
from fenix.db.sqlalchemy import models

PROJECT_A = 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0'
PROJECT_B = 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0'
INSTANCE_1 = '11111111-1111-4111-8111-111111111111'
INSTANCE_2 = '22222222-2222-4222-8222-222222222222'
INSTANCE_B = '33333333-3333-4333-8333-333333333333'
UNKNOWN = '99999999-9999-4999-8999-999999999999'

MAX_LIST_LENGTH = 5
MAX_SESSIONS = 3

MEMBER_A = {'X-Project-Id': PROJECT_A, 'X-Roles': 'member',
            'X-User-Id': 'user-a'}
MEMBER_B = {'X-Project-Id': PROJECT_B, 'X-Roles': 'member',
            'X-User-Id': 'user-b'}


@pytest.fixture
def conf(tmp_path):
    conf = cfg.ConfigOpts()
    service.register_opts(conf)
    conf([], project='fenix', default_config_files=[])
    conf.set_override('auth_strategy', 'noauth')
    conf.set_override('connection', 'sqlite:///%s' % (tmp_path / 'f.db'),
                      group='database')
    conf.set_override('max_list_length', MAX_LIST_LENGTH, group='api')
    conf.set_override('max_sessions', MAX_SESSIONS, group='engine')
    db.configure(conf)
    models.Base.metadata.create_all(db.get_engine())
    yield conf
    db.dispose()


@pytest.fixture
def engine_api():
    """The engine RPC client the app makes (a mock)."""
    with mock.patch('fenix.api.hooks.rpcapi.EngineAPI') as cls:
        yield cls.return_value


@pytest.fixture
def app(conf, engine_api):
    return webtest.TestApp(api_app.setup_app(conf))


def request(app, method, path, body=None, headers=None, raw=None,
            content_type='application/json'):
    """One request; ``body`` is sent as JSON, ``raw`` as given."""
    headers = dict(headers or {})
    kwargs = {'method': method, 'headers': headers, 'expect_errors': True}
    if body is not None:
        raw = json.dumps(body).encode()
    if raw is not None:
        kwargs['body'] = raw
        if content_type:
            kwargs['content_type'] = content_type
    response = app.request(path, **kwargs)
    if response.status_int >= 400:
        # Every error, everywhere, has the same JSON shape.
        assert response.content_type == 'application/json', response.text
        error = response.json['error']
        assert error['code'] == response.status_int
        assert error['title'] and error['message']
        assert 'Traceback' not in response.text
    return response


def session_body(**overrides):
    body = {'hosts': ['host1', 'host2'], 'state': 'MAINTENANCE',
            'maintenance_at': '2030-01-01 10:00:00',
            'metadata': {'openstack_version': 'Train'},
            'workflow': 'default',
            'actions': [{'plugin': 'dummy', 'type': 'host', 'order': 1,
                         'metadata': {'k': 'v'}}],
            'download': [{'url': 'http://repo/pkg.tgz', 'size': 10}]}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def make_session(state='MAINTENANCE', hosts=('host1',), **values):
    row = {'id': str(uuid.uuid4()), 'state': state, 'workflow': 'default',
           'maintenance_at': datetime.datetime(2030, 1, 1, 10),
           'requested_hosts': list(hosts), 'metadata': {}, 'download': [],
           'progress': {}}
    row.update(values)
    return db.session_create(row, [])['id']


@pytest.fixture
def project_session(conf):
    """A session that asked projects A and B about MAINTENANCE.

    Instance 2 (of A) is asked about PLANNED_MAINTENANCE on its own.
    """
    sid = make_session()
    db.hosts_create(sid, [{'hostname': 'host1'}])
    db.projects_create(sid, [{'project_id': PROJECT_A},
                             {'project_id': PROJECT_B}])
    db.instances_create(sid, [
        {'instance_id': INSTANCE_1, 'project_id': PROJECT_A,
         'instance_name': 'vm1', 'host': 'host1'},
        {'instance_id': INSTANCE_2, 'project_id': PROJECT_A,
         'instance_name': 'vm2', 'host': 'host1'},
        {'instance_id': INSTANCE_B, 'project_id': PROJECT_B,
         'instance_name': 'vmb', 'host': 'host1'}])
    deadline = datetime.datetime(2030, 1, 1, 9)
    db.projects_notify(sid, [PROJECT_A, PROJECT_B], 'MAINTENANCE', deadline,
                       instance_ids={PROJECT_A: [INSTANCE_1, INSTANCE_2],
                                     PROJECT_B: [INSTANCE_B]})
    db.instance_update(sid, INSTANCE_2, project_state='PLANNED_MAINTENANCE')
    return sid
