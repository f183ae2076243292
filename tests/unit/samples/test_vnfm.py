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
"""The sample app manager: its decisions, its API client, its listener."""

import http.server
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

from keystoneauth1 import session as ks_session
from oslo_config import cfg
import oslo_messaging
import pytest

from fenix.cloud import base as cloud_base
from fenix.cloud import simulated
from fenix.cmd import sample_vnfm as cmd
from fenix.common import rpc
from fenix.common import states
from fenix.samples import vnfm

PROJECT = 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0'
OTHER = 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0'
SESSION = '5e551011-0000-4000-8000-000000000001'
URL = 'http://fenix:12347/v1/maintenance/%s/%s' % (SESSION, PROJECT)
ALL_ACTIONS = list(states.INSTANCE_ACTIONS)


def _id():
    return str(uuid.uuid4())


class FakeDriver:
    """The instances of a cloud, in memory."""

    def __init__(self, instances=()):
        self.instances = {i.id: i for i in instances}
        self.calls = []
        self.excluded = []
        self.fail = None

    def _check(self, op):
        self.calls.append(op)
        if self.fail == op[0]:
            raise cloud_base.CloudError(reason='%s failed' % op[0])

    def list_instances(self, hosts=None, project_id=None):
        return [i for i in self.instances.values()
                if project_id is None or i.project_id == project_id]

    def get_instance(self, instance_id):
        try:
            return self.instances[instance_id]
        except KeyError:
            raise cloud_base.InstanceNotFound(instance_id=instance_id)

    def create_instance(self, project_id, name, like=None, exclude=()):
        self._check(('create', name, like))
        self.excluded.append(tuple(exclude))
        host = 'compute-new'
        if like is not None:
            assert like in self.instances, 'like= names a live instance'
        for inst in self.instances.values():
            # Idempotent by name, like the real drivers.
            if inst.name == name and inst.id not in exclude:
                return inst
        inst = cloud_base.Instance(_id(), name, project_id, host)
        self.instances[inst.id] = inst
        return inst

    def delete_instance(self, instance_id):
        self._check(('delete', instance_id))
        self.instances.pop(instance_id, None)


class FakeAPI:
    """Records the requests an app manager makes."""

    def __init__(self, instance_ids=()):
        self.instance_ids = list(instance_ids)
        self.project_id = None
        self.gets = []
        self.replies = []
        self.fail_get = None
        self.fail_reply = None

    def get_instance_ids(self, url):
        self.gets.append(url)
        if self.fail_get:
            raise self.fail_get
        return list(self.instance_ids)

    def reply(self, url, state, instance_actions=None, instance_ids=None):
        if self.fail_reply:
            raise self.fail_reply
        self.replies.append(('project', url, state, instance_actions,
                             instance_ids))

    def reply_instance(self, url, state, action):
        if self.fail_reply:
            raise self.fail_reply
        self.replies.append(('instance', url, state, action))


def _instances(count, project=PROJECT, group=None):
    return [cloud_base.Instance(_id(), 'vm-%d' % n, project,
                                'compute-%d' % (n % 2), server_group_id=group)
            for n in range(count)]


def _payload(state, project=PROJECT, instance_ids=URL,
             allowed=ALL_ACTIONS, reply_url=None, session=SESSION):
    return {'service': 'fenix', 'session_id': session,
            'project_id': project, 'state': state,
            'instance_ids': instance_ids, 'allowed_actions': allowed,
            'reply_url': reply_url or (
                URL if not isinstance(instance_ids, list)
                else '%s/%s' % (URL, instance_ids[0])),
            'reply_at': '2030-01-01 00:10:00',
            'actions_at': '2030-01-01 00:05:00',
            'metadata': {'openstack_version': 'Zed'}}


@pytest.fixture
def made():
    made = []

    def make(count=3, min_instances=1, record=None, instances=None,
             **knobs):
        instances = _instances(count) if instances is None else instances
        driver = FakeDriver(instances)
        api = FakeAPI([i.id for i in instances])
        app = vnfm.SampleVNFM(PROJECT, api, driver, record=record,
                              min_instances=min_instances, **knobs)
        made.append(app)
        return app, api, driver

    yield make
    for app in made:
        app.stop()


def _replied(app):
    return [e for e in app.events if 'replied' in e]


# -- each state ------------------------------------------------------------

def test_maintenance_fetches_ids_and_acks(made):
    app, api, _ = made()
    assert app.handle(_payload(states.MAINTENANCE)) == 'ACK_MAINTENANCE'
    assert api.gets == [URL]
    assert api.replies == [('project', URL, 'ACK_MAINTENANCE', None,
                            api.instance_ids)]
    assert api.project_id == PROJECT, 'noauth headers name the project'


def test_scale_in_deletes_one_and_acks(made):
    app, api, driver = made(count=3)
    before = set(driver.instances)
    assert app.handle(_payload(states.SCALE_IN)) == 'ACK_SCALE_IN'
    assert len(driver.instances) == 2
    (gone,) = before - set(driver.instances)
    assert app.removed == [{'session_id': SESSION, 'id': gone,
                            'name': 'vm-2'}]
    _, url, state, actions, ids = api.replies[0]
    assert (url, state, actions) == (URL, 'ACK_SCALE_IN', None)
    assert sorted(ids) == sorted(driver.instances)
    assert _replied(app)[0]['removed'] == [gone]


def test_scale_in_prefers_listed_instances_outside_groups(made):
    grouped = _instances(2, group='g1')
    free = [cloud_base.Instance(_id(), 'a-free', PROJECT, 'compute-0'),
            cloud_base.Instance(_id(), 'b-free', PROJECT, 'compute-1')]
    app, api, driver = made(instances=grouped + free)
    api.instance_ids = [grouped[0].id, free[0].id]
    app.handle(_payload(states.SCALE_IN))
    assert free[0].id not in driver.instances
    assert len(driver.instances) == 3


def test_scale_in_never_below_min(made):
    app, api, driver = made(count=2, min_instances=2)
    assert app.handle(_payload(states.SCALE_IN)) == 'ACK_SCALE_IN'
    assert len(driver.instances) == 2
    assert not [c for c in driver.calls if c[0] == 'delete']
    assert app.removed == []
    # A second round cannot go lower either.
    app.handle(_payload(states.SCALE_IN))
    assert len(driver.instances) == 2


def test_scale_in_down_to_min_over_rounds(made):
    app, api, driver = made(count=3, min_instances=1)
    for _ in range(4):
        app.handle(_payload(states.SCALE_IN))
    assert len(driver.instances) == 1
    assert len(app.removed) == 2


@pytest.mark.parametrize('state', [states.PREPARE_MAINTENANCE,
                                   states.PLANNED_MAINTENANCE])
def test_move_states_reply_migrate_for_each(made, state):
    app, api, _ = made()
    api.instance_ids = api.instance_ids[:2]
    assert app.handle(_payload(state)) == 'ACK_%s' % state
    assert api.gets == [URL]
    assert api.replies == [('project', URL, 'ACK_%s' % state,
                            {i: 'MIGRATE' for i in api.instance_ids},
                            None)]


@pytest.mark.parametrize('allowed, preferred, action', [
    (['MIGRATE', 'LIVE_MIGRATE'], None, 'MIGRATE'),
    (['LIVE_MIGRATE', 'MIGRATE'], None, 'MIGRATE'),
    (['EVICTION', 'LIVE_MIGRATE'], None, 'LIVE_MIGRATE'),
    (['EVICTION', 'OWN_ACTION'], None, 'EVICTION'),
    (['OWN_ACTION'], None, 'OWN_ACTION'),
    ([], None, 'MIGRATE'),
    (None, None, 'MIGRATE'),
    (ALL_ACTIONS, 'LIVE_MIGRATE', 'LIVE_MIGRATE'),
    (ALL_ACTIONS, 'OWN_ACTION', 'OWN_ACTION'),
    (['MIGRATE', 'LIVE_MIGRATE'], 'OWN_ACTION', 'MIGRATE'),
    (['EVICTION', 'LIVE_MIGRATE'], 'MIGRATE', 'LIVE_MIGRATE'),
    ([], 'LIVE_MIGRATE', 'LIVE_MIGRATE'),
])
def test_choose_action(allowed, preferred, action):
    assert vnfm.SampleVNFM.choose_action(allowed, preferred) == action


@pytest.mark.parametrize('preferred', ['LIVE_MIGRATE', 'MIGRATE'])
def test_preferred_action_replied_for_each(made, preferred):
    app, api, _ = made(action=preferred)
    app.handle(_payload(states.PLANNED_MAINTENANCE))
    assert api.replies[0][3] == {i: preferred for i in api.instance_ids}


def test_preferred_action_not_allowed_falls_back(made):
    app, api, driver = made(action='OWN_ACTION')
    app.handle(_payload(states.PREPARE_MAINTENANCE,
                        allowed=['MIGRATE', 'LIVE_MIGRATE']))
    assert set(api.replies[0][3].values()) == {'MIGRATE'}
    assert not [c for c in driver.calls if c[0] == 'create']


def test_live_migrate_when_migrate_not_allowed(made):
    app, api, _ = made()
    app.handle(_payload(states.PLANNED_MAINTENANCE,
                        allowed=['LIVE_MIGRATE', 'EVICTION']))
    assert set(api.replies[0][3].values()) == {'LIVE_MIGRATE'}


def test_own_action_recreates_with_the_same_name_before_replying(made):
    app, api, driver = made(count=2, action='OWN_ACTION')
    old = api.instance_ids[0]
    api.instance_ids = [old]
    app.handle(_payload(states.PREPARE_MAINTENANCE))
    assert old not in driver.instances
    assert len(driver.instances) == 2
    create = [c for c in driver.calls if c[0] == 'create'][0]
    assert create == ('create', 'vm-0', old), 'same name, like the old one'
    assert driver.excluded == [(old,)], 'the old one is not the answer'
    assert driver.calls.index(create) < driver.calls.index(('delete', old))
    assert api.replies == [('project', URL, 'ACK_PREPARE_MAINTENANCE',
                            {old: 'OWN_ACTION'}, None)]
    new = _replied(app)[0]['replaced'][old]
    assert new in driver.instances and new != old
    assert driver.instances[new].name == 'vm-0'
    assert app.created == [{'session_id': SESSION, 'id': new,
                            'name': 'vm-0', 'replaces': old}]


def test_own_action_answers_nack_when_the_driver_hands_back_the_old(made):
    app, api, driver = made(count=1, action='OWN_ACTION')
    old = api.instance_ids[0]
    # A driver that ignores exclude= gives back the old instance.
    driver.create_instance = lambda *a, **kw: driver.instances[old]
    assert app.handle(_payload(states.PREPARE_MAINTENANCE)) == (
        'NACK_PREPARE_MAINTENANCE')
    assert old in driver.instances, 'never deleted'
    assert 'same instance' in _replied(app)[0]['reason']


def test_own_action_on_the_simulated_cloud():
    cloud = simulated.SimulatedCloud(time_scale=0)
    old = cloud.list_instances()[0]
    project = old.project_id
    mine = [i.id for i in cloud.list_instances(project_id=project)]
    api = FakeAPI([old.id])
    app = vnfm.SampleVNFM(project, api, cloud, action='OWN_ACTION')
    try:
        cloud.disable_host(old.host, 'maintenance')
        payload = _payload(states.PREPARE_MAINTENANCE, project=project)
        assert app.handle(payload) == 'ACK_PREPARE_MAINTENANCE'
    finally:
        app.stop()
    with pytest.raises(cloud_base.InstanceNotFound):
        cloud.get_instance(old.id)
    new = cloud.get_instance(_replied(app)[0]['replaced'][old.id])
    assert (new.name, new.project_id) == (old.name, project)
    assert new.host != old.host and new.status == 'ACTIVE'
    assert len(cloud.list_instances(project_id=project)) == len(mine)


# -- behaviour knobs ----------------------------------------------------------

@pytest.mark.parametrize('state', states.REPLY_STATES)
def test_nack_states_answer_nack_without_acting(made, state):
    app, api, driver = made(count=3, nack=[state], action='OWN_ACTION')
    assert app.handle(_payload(state)) == 'NACK_%s' % state
    assert api.gets == [] and driver.calls == []
    assert api.replies == [('project', URL, 'NACK_%s' % state, None, None)]
    assert _replied(app)[0]['reason'] == 'nack configured'


def test_nack_only_the_listed_states(made):
    app, api, _ = made(nack=['PLANNED_MAINTENANCE'])
    assert app.handle(_payload(states.MAINTENANCE)) == 'ACK_MAINTENANCE'
    assert app.handle(_payload(states.PREPARE_MAINTENANCE)) == (
        'ACK_PREPARE_MAINTENANCE')
    assert app.handle(_payload(states.PLANNED_MAINTENANCE)) == (
        'NACK_PLANNED_MAINTENANCE')


def test_nack_per_instance(made):
    app, api, _ = made(nack=['PLANNED_MAINTENANCE'])
    iid = api.instance_ids[0]
    app.handle(_payload(states.PLANNED_MAINTENANCE, instance_ids=[iid]))
    assert api.replies == [('instance', '%s/%s' % (URL, iid),
                            'NACK_PLANNED_MAINTENANCE', None)]


def test_silent_states_get_no_reply(made, tmp_path):
    record = tmp_path / 'vnfm.jsonl'
    app, api, driver = made(silent=['PREPARE_MAINTENANCE', 'SCALE_IN'],
                            record=str(record))
    assert app.handle(_payload(states.PREPARE_MAINTENANCE)) is None
    assert app.handle(_payload(states.SCALE_IN)) is None
    assert api.replies == [] and api.gets == [] and driver.calls == []
    assert app.handle(_payload(states.MAINTENANCE)) == 'ACK_MAINTENANCE'
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert [line.get('silent') for line in lines] == [
        'PREPARE_MAINTENANCE', 'SCALE_IN', None]
    assert lines[0]['session_id'] == SESSION


@pytest.mark.parametrize('knobs, match', [
    ({'action': 'TELEPORT'}, 'Unknown instance action'),
    ({'nack': ['INSTANCE_ACTION_DONE']}, 'INSTANCE_ACTION_DONE'),
    ({'silent': ['START_MAINTENANCE']}, 'START_MAINTENANCE'),
])
def test_knobs_are_checked(knobs, match):
    with pytest.raises(ValueError, match=match):
        vnfm.SampleVNFM(PROJECT, FakeAPI(), FakeDriver(), **knobs)


def test_instance_action_done_is_recorded_without_reply(made):
    app, api, _ = made()
    iid = api.instance_ids[0]
    assert app.handle(_payload(states.INSTANCE_ACTION_DONE,
                               instance_ids=[iid], allowed=[])) is None
    assert api.replies == []
    assert app.actions_done[0]['instance_ids'] == [iid]


def test_maintenance_complete_scales_back_out(made):
    app, api, driver = made(count=3)
    app.handle(_payload(states.MAINTENANCE))
    app.handle(_payload(states.SCALE_IN))
    app.handle(_payload(states.SCALE_IN))
    assert len(driver.instances) == 1
    removed = {r['name'] for r in app.removed}
    (remaining,) = driver.instances
    assert app.handle(_payload(states.MAINTENANCE_COMPLETE)) == (
        'ACK_MAINTENANCE_COMPLETE')
    assert len(driver.instances) == 3
    creates = [c for c in driver.calls if c[0] == 'create']
    assert {c[1] for c in creates} == removed, 'the same names come back'
    assert {c[2] for c in creates} == {remaining}
    _, url, state, _, ids = api.replies[-1]
    assert state == 'ACK_MAINTENANCE_COMPLETE'
    assert sorted(ids) == sorted(driver.instances)
    assert len(_replied(app)[-1]['created']) == 2
    # Told again (a resumed engine): the count is right, nothing more.
    app.handle(_payload(states.MAINTENANCE_COMPLETE))
    assert len(driver.instances) == 3


def test_maintenance_complete_restores_evicted_instances(made):
    app, api, driver = made(count=3)
    app.handle(_payload(states.MAINTENANCE))
    # Fenix evicted one (EVICTION): the count at MAINTENANCE comes back.
    driver.instances.pop(api.instance_ids[0])
    app.handle(_payload(states.MAINTENANCE_COMPLETE))
    assert len(driver.instances) == 3


def test_maintenance_complete_without_maintenance_seen(made):
    app, api, driver = made(count=3)
    app.handle(_payload(states.SCALE_IN))
    app._baseline.clear()
    app.handle(_payload(states.MAINTENANCE_COMPLETE))
    assert len(driver.instances) == 3


def test_per_instance_reply(made):
    app, api, _ = made()
    iid = api.instance_ids[1]
    payload = _payload(states.PLANNED_MAINTENANCE, instance_ids=[iid],
                       allowed=['LIVE_MIGRATE'])
    assert app.handle(payload) == 'ACK_PLANNED_MAINTENANCE'
    assert api.gets == [], 'the id is in the notification'
    assert api.replies == [('instance', '%s/%s' % (URL, iid),
                            'ACK_PLANNED_MAINTENANCE', 'LIVE_MIGRATE')]
    event = _replied(app)[0]
    assert (event['instance_id'], event['instance_action']) == (
        iid, 'LIVE_MIGRATE')


def test_other_projects_ignored(made):
    app, api, driver = made()
    for state in states.PROJECT_STATES:
        payload = _payload(state, project=OTHER)
        assert app.notify(payload) is None
        assert app.handle(payload) is None
    assert app.events == [] and api.replies == [] and api.gets == []
    assert driver.calls == []


def test_unknown_state_ignored(made, caplog):
    app, api, _ = made()
    assert app.handle(_payload('SOMETHING_NEW')) is None
    assert api.replies == []
    assert 'unknown state' in caplog.text


# -- failures -----------------------------------------------------------------

def test_api_failure_is_logged_not_raised(made, caplog):
    caplog.set_level(logging.INFO)
    app, api, _ = made()
    api.fail_get = vnfm.FenixAPIError('Session not found', 404, 'GET', URL)
    assert app.handle(_payload(states.MAINTENANCE)) is None
    assert api.replies == []
    assert 'Fenix API failed' in caplog.text
    assert 'HTTP 404: Session not found' in caplog.text
    api.fail_get = None
    api.fail_reply = vnfm.FenixAPIError('reply to a state that is not '
                                        'current', 422, 'PUT', URL)
    assert app.handle(_payload(states.PLANNED_MAINTENANCE)) is None
    assert 'replying ACK_PLANNED_MAINTENANCE' in caplog.text
    assert _replied(app) == [], 'only replies sent are recorded'


def test_unexpected_api_error_is_logged_not_raised(made, caplog):
    app, api, _ = made()
    api.fail_reply = ValueError('boom')
    assert app.handle(_payload(states.MAINTENANCE)) is None
    assert 'boom' in caplog.text


def test_cloud_failure_answers_nack(made, caplog):
    app, api, driver = made(count=3)
    driver.fail = 'delete'
    assert app.handle(_payload(states.SCALE_IN)) == 'NACK_SCALE_IN'
    assert api.replies[-1][2] == 'NACK_SCALE_IN'
    assert 'delete failed' in caplog.text
    assert _replied(app)[-1]['reason'].endswith('delete failed')
    driver.fail = 'create'
    app.handle(_payload(states.MAINTENANCE))
    driver.instances.pop(api.instance_ids[0])
    assert app.handle(_payload(states.MAINTENANCE_COMPLETE)) == (
        'NACK_MAINTENANCE_COMPLETE')


def test_failure_in_a_worker_never_reaches_the_listener(made):
    app, api, _ = made()
    api.fail_get = RuntimeError('bad')
    future = app.notify(_payload(states.PREPARE_MAINTENANCE))
    assert future.result(timeout=10) == 'NACK_PREPARE_MAINTENANCE'


# -- the record ---------------------------------------------------------------

def test_record_lines(made, tmp_path):
    record = tmp_path / 'vnfm.jsonl'
    app, api, _ = made(count=2, record=str(record))
    for state in (states.MAINTENANCE, states.PLANNED_MAINTENANCE):
        app.notify(_payload(state))
        assert app.wait_idle(10)
    iid = api.instance_ids[0]
    app.notify(_payload(states.INSTANCE_ACTION_DONE, instance_ids=[iid],
                        allowed=[]))
    assert app.wait_idle(10)
    app.notify(_payload(states.MAINTENANCE, project=OTHER))
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert lines == app.events
    assert [(e.get('state'), e.get('replied')) for e in lines] == [
        ('MAINTENANCE', None), (None, 'ACK_MAINTENANCE'),
        ('PLANNED_MAINTENANCE', None), (None, 'ACK_PLANNED_MAINTENANCE'),
        ('INSTANCE_ACTION_DONE', None)]
    received = lines[0]
    assert received['session_id'] == SESSION
    assert received['instance_ids'] == URL
    assert received['allowed_actions'] == ALL_ACTIONS
    assert received['project_id'] == PROJECT
    assert 'received_at' in received and 'reply_at' in received
    reply = lines[3]
    assert reply['session_id'] == SESSION and 'replied_at' in reply
    assert reply['instance_actions'] == {i: 'MIGRATE'
                                         for i in api.instance_ids}
    assert lines[4]['instance_ids'] == [iid]


def test_record_write_failure_is_logged(made, tmp_path, caplog):
    app, api, _ = made(record=str(tmp_path / 'missing' / 'vnfm.jsonl'))
    assert app.handle(_payload(states.MAINTENANCE)) == 'ACK_MAINTENANCE'
    assert 'cannot write to the record' in caplog.text


# -- the API client -----------------------------------------------------------

class _Fenix(http.server.BaseHTTPRequestHandler):
    """Answers what the test sets in ``server.answers``."""

    def _answer(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.server.requests.append((self.command, self.path,
                                     dict(self.headers), body))
        status, answer = self.server.answers.pop(0)
        data = (json.dumps(answer) if not isinstance(answer, str)
                else answer).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def fenix_server():
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Fenix)
    server.requests, server.answers = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_client_noauth_requests(fenix_server):
    endpoint = 'http://127.0.0.1:%d' % fenix_server.server_port
    api = vnfm.FenixProjectAPI(endpoint, ks_session.Session(),
                               project_id=PROJECT)
    iid = _id()
    fenix_server.answers += [(200, {'instance_ids': [iid]}), (200, {}),
                             (200, {})]
    path = '/v1/maintenance/%s/%s' % (SESSION, PROJECT)
    assert api.get_instance_ids(endpoint + path) == [iid]
    api.reply(path, 'ACK_PREPARE_MAINTENANCE',
              instance_actions={iid: 'MIGRATE'}, instance_ids=[iid])
    api.reply_instance('%s%s/%s' % (endpoint, path, iid),
                       'ACK_PLANNED_MAINTENANCE', 'LIVE_MIGRATE')
    (get, put, put_instance) = fenix_server.requests
    assert get[:2] == ('GET', path)
    for _, _, headers, _ in fenix_server.requests:
        assert headers['X-Project-Id'] == PROJECT
        assert headers['X-Roles'] == 'member'
        assert 'X-Auth-Token' not in headers
    assert put[:2] == ('PUT', path), 'relative URLs join the endpoint'
    assert put[3] == {'state': 'ACK_PREPARE_MAINTENANCE',
                      'instance_actions': {iid: 'MIGRATE'},
                      'instance_ids': [iid]}
    assert put_instance[1] == '%s/%s' % (path, iid)
    assert put_instance[3] == {'state': 'ACK_PLANNED_MAINTENANCE',
                               'instance_action': 'LIVE_MIGRATE'}


def test_client_error_carries_status_and_message(fenix_server):
    endpoint = 'http://127.0.0.1:%d' % fenix_server.server_port
    api = vnfm.FenixProjectAPI(endpoint, ks_session.Session(), PROJECT)
    fenix_server.answers.append((422, {'error': {
        'code': 422, 'title': 'Unprocessable Entity',
        'message': 'Project p is asked about SCALE_IN now'}}))
    with pytest.raises(vnfm.FenixAPIError) as caught:
        api.reply(endpoint + '/v1/maintenance/s/p', 'ACK_MAINTENANCE')
    assert caught.value.status == 422
    assert caught.value.message == 'Project p is asked about SCALE_IN now'
    assert 'HTTP 422' in str(caught.value)
    fenix_server.answers.append((500, 'not json'))
    with pytest.raises(vnfm.FenixAPIError) as caught:
        api.get_instance_ids(endpoint + '/x')
    assert (caught.value.status, caught.value.message) == (500, 'not json')


def test_client_no_answer_is_a_clear_error():
    api = vnfm.FenixProjectAPI('http://127.0.0.1:9', ks_session.Session(),
                               PROJECT, connect_retries=0)
    with pytest.raises(vnfm.FenixAPIError) as caught:
        api.get_instance_ids('http://127.0.0.1:9/v1/maintenance/s/p')
    assert caught.value.status is None
    assert 'no answer' in str(caught.value)


def test_client_needs_an_endpoint_without_keystone():
    api = vnfm.FenixProjectAPI(None, ks_session.Session(), PROJECT)
    with pytest.raises(vnfm.FenixAPIError, match='No Fenix endpoint'):
        api.reply('/v1/maintenance/s/p', 'ACK_MAINTENANCE')


# -- the listener on the in-process bus ---------------------------------------

def test_listeners_get_their_own_projects_notifications():
    conf = cfg.ConfigOpts()
    rpc.set_defaults(conf)
    # NOTE: the fake driver's queues live as long as the process; an
    # exchange of its own keeps other tests' messages out.
    conf.set_override('control_exchange', 'vnfm-test-%s' % uuid.uuid4())
    transport = oslo_messaging.get_notification_transport(conf, url='fake:/')
    notifier = oslo_messaging.Notifier(
        transport, publisher_id='fenix', driver='messagingv2',
        topics=['notifications'])
    apps = {}
    for project in (PROJECT, OTHER):
        instances = _instances(2, project=project)
        apps[project] = vnfm.SampleVNFM(
            project, FakeAPI([i.id for i in instances]),
            FakeDriver(instances))
    try:
        for app in apps.values():
            app.start(transport)
            assert app.pool == 'fenix-sample-vnfm-%s' % app.project_id
        third = 'c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0'
        notifier.info({}, 'maintenance.host', {
            'service': 'fenix', 'session_id': SESSION, 'host': 'compute-0',
            'state': 'IN_MAINTENANCE', 'project_id': PROJECT})
        for project in (PROJECT, OTHER, third):
            notifier.info({'project_id': project}, 'maintenance.scheduled',
                          _payload(states.MAINTENANCE, project=project))
        notifier.info({'project_id': OTHER}, 'maintenance.scheduled',
                      _payload(states.PLANNED_MAINTENANCE, project=OTHER))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (
                len(apps[PROJECT].api.replies) < 1
                or len(apps[OTHER].api.replies) < 2):
            time.sleep(0.05)
        time.sleep(0.2)
    finally:
        for app in apps.values():
            app.stop()
        transport.cleanup()
    mine, other = apps[PROJECT], apps[OTHER]
    assert [e['state'] for e in mine.events if 'received_at' in e] == [
        'MAINTENANCE']
    assert [r[2] for r in mine.api.replies] == ['ACK_MAINTENANCE']
    assert [e['state'] for e in other.events if 'received_at' in e] == [
        'MAINTENANCE', 'PLANNED_MAINTENANCE']
    assert [r[2] for r in other.api.replies] == [
        'ACK_MAINTENANCE', 'ACK_PLANNED_MAINTENANCE']
    assert all(e['project_id'] == OTHER for e in other.events)


# -- the command --------------------------------------------------------------

def test_command_options():
    conf = cfg.ConfigOpts()
    cmd.register_opts(conf)
    conf(['--project-id', PROJECT, '--min-instances', '2', '--record',
          '/tmp/r.jsonl', '--fenix-endpoint', 'http://f:12347'],
         default_config_files=[])
    assert conf.vnfm.project_id == PROJECT
    assert conf.vnfm.min_instances == 2
    assert conf.vnfm.record == '/tmp/r.jsonl'
    assert conf.vnfm.fenix_endpoint == 'http://f:12347'
    assert (conf.vnfm.action, conf.vnfm.nack, conf.vnfm.silent) == (
        None, [], [])
    session = cmd.make_session(conf)
    assert session.auth is None, 'no [vnfm_auth] auth_type: noauth'
    conf.set_override('driver', 'simulated', group='cloud')
    driver = cmd.load_driver(conf, session)
    assert driver.list_instances() is not None


def test_command_behaviour_options(tmp_path):
    conf_file = tmp_path / 'vnfm.conf'
    conf_file.write_text('[vnfm]\naction = LIVE_MIGRATE\n'
                         'nack = SCALE_IN\n'
                         'silent = MAINTENANCE,PLANNED_MAINTENANCE\n')
    conf = cfg.ConfigOpts()
    cmd.register_opts(conf)
    conf(['--project-id', PROJECT, '--config-file', str(conf_file)],
         default_config_files=[])
    assert conf.vnfm.action == 'LIVE_MIGRATE'
    assert conf.vnfm.nack == ['SCALE_IN']
    assert conf.vnfm.silent == ['MAINTENANCE', 'PLANNED_MAINTENANCE']
    conf(['--project-id', PROJECT, '--action', 'OWN_ACTION', '--nack',
          'MAINTENANCE'], default_config_files=[])
    assert (conf.vnfm.action, conf.vnfm.nack) == ('OWN_ACTION',
                                                  ['MAINTENANCE'])


@pytest.mark.parametrize('line', ['action = TELEPORT',
                                  'nack = START_MAINTENANCE'])
def test_command_rejects_bad_behaviour_options(tmp_path, line):
    conf_file = tmp_path / 'vnfm.conf'
    conf_file.write_text('[vnfm]\n%s\n' % line)
    conf = cfg.ConfigOpts()
    cmd.register_opts(conf)
    with pytest.raises((SystemExit, ValueError)):
        conf(['--project-id', PROJECT, '--config-file', str(conf_file)],
             default_config_files=[])
        getattr(conf.vnfm, line.split()[0])


def test_command_requires_a_project(tmp_path):
    result = subprocess.run(
        [sys.executable, '-m', 'fenix.cmd.sample_vnfm', '--config-file',
         os.devnull], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert 'project' in result.stderr


def test_command_runs_until_sigterm(tmp_path):
    conf_file = tmp_path / 'vnfm.conf'
    conf_file.write_text('[DEFAULT]\ntransport_url = fake:/\n'
                         '[cloud]\ndriver = simulated\n')
    log = tmp_path / 'vnfm.log'
    proc = subprocess.Popen(
        [sys.executable, '-m', 'fenix.cmd.sample_vnfm', '--config-file',
         str(conf_file), '--project-id', PROJECT, '--fenix-endpoint',
         'http://127.0.0.1:9', '--log-file', str(log)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and not (
                log.exists() and 'listens to' in log.read_text()):
            time.sleep(0.1)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    text = log.read_text()
    assert 'noauth' in text and 'stopped' in text


def _conf_from(tmp_path, text):
    conf_file = tmp_path / 'vnfm.conf'
    conf_file.write_text(text)
    conf = cfg.ConfigOpts()
    cmd.register_opts(conf)
    conf(['--project-id', PROJECT, '--config-file', str(conf_file)],
         default_config_files=[])
    return conf


PROJECT_USER = ('[vnfm_auth]\nauth_type = password\n'
                'auth_url = http://127.0.0.1:9/v3\nusername = u\n'
                'password = p\nproject_name = demo\n'
                'user_domain_name = Default\n'
                'project_domain_name = Default\n')


def test_nova_driver_acts_as_the_project_user(tmp_path, monkeypatch):
    from fenix.cloud import nova
    conf = _conf_from(tmp_path, '[cloud]\ndriver = nova\n' + PROJECT_USER)
    session = cmd.make_session(conf)
    assert session.auth is not None
    made = []
    monkeypatch.setattr(nova.NovaDriver, 'from_connection', classmethod(
        lambda cls, conf, connection: made.append(connection) or 'drv'))
    assert cmd.load_driver(conf, session) == 'drv'
    assert made[0].session is session


def test_service_credentials_win_when_set(tmp_path, monkeypatch):
    from fenix.cloud import nova
    conf = _conf_from(tmp_path, '[cloud]\ndriver = nova\n' + PROJECT_USER
                      + PROJECT_USER.replace('vnfm_auth',
                                             'service_credentials'))
    monkeypatch.setattr(nova.NovaDriver, 'from_connection', None)
    driver = cmd.load_driver(conf, cmd.make_session(conf))
    assert isinstance(driver, nova.NovaDriver)
