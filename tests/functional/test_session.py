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
"""Whole sessions on the real bus and databases, with the simulated cloud.

The API app (served over HTTP), the engine, RabbitMQ, the database and the
sample app managers are the real ones, placed in the test process; the
simulated cloud stands in for Nova (the e2e tier runs against real Nova).
"""

import datetime
import threading
import time
import uuid

from oslo_config import cfg
import pytest

from fenix.common import states
from fenix import embedded
from tests.functional import conftest


class Recorder:
    """A notification endpoint that keeps everything it hears in order."""

    def __init__(self):
        self.events = []
        self._cond = threading.Condition()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        with self._cond:
            self.events.append((event_type, payload))
            self._cond.notify_all()

    def of(self, event_type, session_id):
        with self._cond:
            return [p for e, p in self.events
                    if e == event_type and p['session_id'] == session_id]

    def wait_session_end(self, session_id, timeout=120):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for payload in self.of_locked(session_id):
                    if payload['state'] in states.INACTIVE_SESSION_STATES:
                        return payload
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError('session %s did not end in %ss: %s'
                                         % (session_id, timeout,
                                            self.of_locked(session_id)))
                self._cond.wait(left)

    def of_locked(self, session_id):
        return [p for e, p in self.events if e == 'maintenance.session'
                and p['session_id'] == session_id]


def _now():
    return datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S')


def _create(fenix, **body):
    request = {'hosts': [], 'state': 'MAINTENANCE', 'maintenance_at': _now(),
               'metadata': {'openstack_version': 'Zed'},
               'actions': [{'plugin': 'dummy', 'type': 'host', 'order': 1}]}
    request.update(body)
    status, reply = fenix.request('POST', '/v1/maintenance', request)
    assert status == 200, reply
    return reply['session_id']


def _start(tmp_path, database_url, vnfm_projects=None, **groups):
    recorder = Recorder()
    groups.setdefault('DEFAULT', {}).update(
        transport_url=conftest.RABBIT_URL,
        control_exchange='fenix-ft-%s' % uuid.uuid4().hex[:8])
    groups.setdefault('database', {})['connection'] = database_url
    # NOTE: the global CONF, as in the services: oslo.messaging reads some
    # of its options (tracing, metrics) from there only.
    conf = embedded.demo_conf(str(tmp_path), port=0, time_scale=0.02,
                              reply_timeout=30, conf=cfg.CONF, **groups)
    fenix = embedded.Embedded(conf, vnfm_projects=vnfm_projects)
    fenix.start(observers=[recorder])
    return fenix, recorder


@pytest.fixture
def started(request, tmp_path, database_url):
    parts = []

    def start(vnfm_projects=None, **groups):
        fenix, recorder = _start(tmp_path, database_url, vnfm_projects,
                                 **groups)
        parts.append(fenix)
        return fenix, recorder

    yield start
    for fenix in parts:
        fenix.stop()
    cfg.CONF.reset()


def _continued_end(fenix, sid, timeout=120):
    """The session once it ended again after a continue.

    Polled: the recorder's last end may be the failure before it.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, session = fenix.request('GET', '/v1/maintenance/%s' % sid)
        if session['state'] in states.INACTIVE_SESSION_STATES:
            break
        time.sleep(0.2)
    return session


def _hosts_of(cloud):
    snapshot = cloud.snapshot()
    hosts = {h['name']: [] for h in snapshot['hosts']}
    for instance in snapshot['instances']:
        hosts[instance['host']].append(instance['id'])
    return hosts


def _projects(cloud):
    return sorted({i['project_id'] for i in cloud.snapshot()['instances']})


@conftest.all_backends
def test_rolling_maintenance_to_done(started):
    fenix, recorder = started()
    before = _hosts_of(fenix.cloud)
    assert all(before.values()), 'the demo inventory has no empty host'
    sid = _create(fenix)
    end = recorder.wait_session_end(sid)
    assert end['state'] == states.MAINTENANCE_DONE, end
    assert end['percent_done'] == 100

    # The cloud: every host enabled again, no instance lost, all ACTIVE.
    snapshot = fenix.cloud.snapshot()
    assert all(h['enabled'] for h in snapshot['hosts'])
    after = _hosts_of(fenix.cloud)
    assert sorted(sum(before.values(), [])) == sorted(sum(after.values(),
                                                          []))
    assert {i['status'] for i in snapshot['instances']} == {'ACTIVE'}

    # The session as the API tells it.
    status, detail = fenix.request('GET', '/v1/maintenance/%s/detail' % sid)
    assert status == 200
    assert detail['state'] == states.MAINTENANCE_DONE
    assert sorted(h['hostname'] for h in detail['hosts']
                  if h['maintained']) == sorted(before)
    runs = detail['action_plugin_instances']
    assert sorted(r['hostname'] for r in runs) == sorted(before)
    assert {r['state'] for r in runs} == {'DONE'}
    assert detail['history'], 'every step is in the history'

    # Every notification, in order.
    session_states = [p['state'] for p in
                      recorder.of('maintenance.session', sid)]
    assert session_states[-1] == states.MAINTENANCE_DONE
    assert states.START_MAINTENANCE in session_states
    host_events = recorder.of('maintenance.host', sid)
    for host in before:
        assert [p['state'] for p in host_events if p['host'] == host] == [
            states.IN_MAINTENANCE, states.HOST_MAINTENANCE_COMPLETE]
    for project in _projects(fenix.cloud):
        told = [p['state'] for p in
                recorder.of('maintenance.scheduled', sid)
                if p['project_id'] == project]
        assert told[0] == states.MAINTENANCE
        assert told[-1] == states.MAINTENANCE_COMPLETE
        assert states.INSTANCE_ACTION_DONE in told
    vnfm_replies = [e for v in fenix.vnfms for e in v.events
                    if e.get('replied')]
    assert vnfm_replies, 'the app managers answered through the API'


def test_nack_fails_with_the_project_named(started):
    fenix, recorder = started(vnfm_projects=[])
    project = _projects(fenix.cloud)[0]
    sid = _create(fenix)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, body = fenix.request(
            'PUT', '/v1/maintenance/%s/%s' % (sid, project),
            {'state': 'NACK_MAINTENANCE'})
        if status == 200:
            break
        assert status in (404, 422), body
        time.sleep(0.1)
    assert status == 200
    end = recorder.wait_session_end(sid)
    assert end['state'] == states.MAINTENANCE_FAILED
    assert project in end['reason'] and 'NACK_MAINTENANCE' in end['reason']
    assert all(h['enabled'] for h in fenix.cloud.snapshot()['hosts'])


def test_continue_after_nack_asks_again(started):
    fenix, recorder = started()
    vnfm = fenix.vnfms[0]
    vnfm.nack = frozenset([states.MAINTENANCE])
    sid = _create(fenix)
    end = recorder.wait_session_end(sid)
    assert end['state'] == states.MAINTENANCE_FAILED
    assert 'NACK_MAINTENANCE' in end['reason'], end
    asked = [p for p in recorder.of('maintenance.scheduled', sid)
             if p['project_id'] == vnfm.project_id]
    assert [p['state'] for p in asked] == [states.MAINTENANCE]

    # The project changed its mind: the continued session asks it again
    # instead of failing on the NACK it stored.
    vnfm.nack = frozenset()
    status, body = fenix.request('PUT', '/v1/maintenance/%s' % sid,
                                 {'state': states.MAINTENANCE})
    assert status == 200, body
    session = _continued_end(fenix, sid)
    assert session['state'] == states.MAINTENANCE_DONE, session
    asked = [p['state'] for p in recorder.of('maintenance.scheduled', sid)
             if p['project_id'] == vnfm.project_id]
    assert asked[:2] == [states.MAINTENANCE, states.MAINTENANCE], asked
    replies = [e['replied'] for e in vnfm.events
               if e.get('session_id') == sid and e.get('replied')]
    assert replies[:2] == ['NACK_MAINTENANCE', 'ACK_MAINTENANCE'], replies


def test_reply_timeout_names_the_silent_project(started):
    fenix, _ = started(vnfm_projects=[])
    projects = _projects(fenix.cloud)
    fenix.stop()
    fenix, recorder = started(vnfm_projects=projects[:1],
                              workflow={'reply_timeout': 2})
    sid = _create(fenix)
    end = recorder.wait_session_end(sid, timeout=60)
    assert end['state'] == states.MAINTENANCE_FAILED
    assert projects[1] in end['reason'] and projects[0] not in end['reason']
    assert 'No reply to MAINTENANCE' in end['reason']


def test_failed_migration_then_continue(started):
    fenix, recorder = started()
    victim = fenix.cloud.snapshot()['instances'][0]
    fenix.cloud.inject_failure('migrate', victim['id'], count=1,
                               reason='injected by the test')
    sid = _create(fenix)
    end = recorder.wait_session_end(sid)
    assert end['state'] == states.MAINTENANCE_FAILED
    assert victim['id'] in end['reason']
    assert 'injected by the test' in end['reason']
    status, session = fenix.request('GET', '/v1/maintenance/%s' % sid)
    assert session['reason'] == end['reason']

    # The admin fixed the cause: continue where it stopped.
    status, body = fenix.request('PUT', '/v1/maintenance/%s' % sid,
                                 {'state': states.PLANNED_MAINTENANCE})
    assert status == 200, body
    session = _continued_end(fenix, sid)
    assert session['state'] == states.MAINTENANCE_DONE, session
    assert all(h['enabled'] for h in fenix.cloud.snapshot()['hosts'])


def test_engine_restart_resumes(started):
    fenix, recorder = started(cloud={'simulated_time_scale': 0.2})
    sid = _create(fenix)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if states.PREPARE_MAINTENANCE in [
                p['state'] for p in recorder.of('maintenance.session', sid)]:
            break
        time.sleep(0.05)
    # A graceful stop leaves the session to whoever runs next.
    fenix.engine.stop()
    from fenix.engine import service as engine_service
    fenix.engine = engine_service.EngineService(fenix.conf)
    fenix.engine.start()
    end = recorder.wait_session_end(sid)
    assert end['state'] == states.MAINTENANCE_DONE, end
    status, detail = fenix.request('GET', '/v1/maintenance/%s/detail' % sid)
    # No instance was moved off the same host twice.
    moves = [(h['host'], h['details'].split()[0])
             for h in detail['history'] if h['step'] == 'MIGRATE']
    assert moves and len(moves) == len(set(moves)), moves
    assert {h['engine'] for h in detail['history']} == {'fenix-embedded'}
