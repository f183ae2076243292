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
"""fenix-engine killed with SIGKILL in the middle of a session.

fenix-api and fenix-engine run as their console scripts over RabbitMQ and a
real database, with the simulated cloud kept in a state file: the cloud
outlives the engine, as a real one does (a move in progress goes on and
ends at its time). Each test kills the engine at one point of a session,
starts a new one and checks that the session resumes and ends in
MAINTENANCE_DONE with nothing done twice and nothing lost:

* no instance was moved off the same host twice (the simulated cloud keeps
  every move started on an instance, in the state file), and the moves the
  cloud saw are exactly the moves the session's history records;
* no reply was lost, and no project was asked again for a reply it had
  already given;
* every host was maintained and is enabled again; every instance is there,
  ACTIVE, and the cloud's bookkeeping is sound.

Beside the crashes, two engines running side by side: a reply reaches the
one that owns the session, not whichever engine the bus picks.

The sample app managers run in this process. One process owns the state
file (the engine): theirs is a read-only view that reads the file afresh on
every call; with MIGRATE replies and no scale-in they never change the
cloud.
"""

import collections
import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

from keystoneauth1 import session as ks_session
import kombu
from oslo_config import cfg
import oslo_messaging as messaging
import pytest
import requests
import yaml

from fenix.cloud import base as cloud_base
from fenix.cloud import simulated
from fenix.common import service
from fenix.common import states
from fenix.samples import vnfm
from tests.functional import conftest

BIN = os.path.dirname(sys.executable)
HOSTS = ('compute-0', 'compute-1', 'compute-2', 'compute-3')
# Session end, from the restart of the engine.
RESUME_TIMEOUT = 120
ENGINE_1 = 'crash-engine-1'
ENGINE_2 = 'crash-engine-2'
MOVE_STEPS = (states.MIGRATE, states.LIVE_MIGRATE)


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _ini(path, sections):
    with open(path, 'w') as f:
        for section, values in sections.items():
            f.write('[%s]\n' % section)
            for key, value in values.items():
                f.write('%s = %s\n' % (key, value))
            f.write('\n')
    return str(path)


def _now():
    return datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S')


def _inventory(migrate):
    """Four hosts, none empty; two projects, one anti-affinity group.

    Emptying any host fits on the others, so the session only migrates.
    """
    a, b = uuid.uuid4().hex, uuid.uuid4().hex
    return {
        'durations': {'migrate': migrate, 'live_migrate': migrate,
                      'boot': 0.5, 'delete': 0.2},
        'flavors': {'small': {'vcpus': 1, 'memory_mb': 1024}},
        'default_flavor': 'small',
        'hosts': [{'name': h, 'vcpus': 4, 'memory_mb': 4096}
                  for h in HOSTS],
        # NOTE: fresh project ids give the app managers' listener pools
        # (queues named after the project) no leftovers of other runs.
        'projects': [{'id': a, 'name': 'crash-a'},
                     {'id': b, 'name': 'crash-b'}],
        'server_groups': [{'name': 'crash-a-ha', 'project': 'crash-a',
                           'policy': 'anti-affinity'}],
        'instances': [
            {'name': 'a-0', 'project': 'crash-a', 'host': 'compute-0',
             'server_group': 'crash-a-ha'},
            {'name': 'a-1', 'project': 'crash-a', 'host': 'compute-1',
             'server_group': 'crash-a-ha'},
            {'name': 'b-0', 'project': 'crash-b', 'host': 'compute-2'},
            {'name': 'b-1', 'project': 'crash-b', 'host': 'compute-3'},
        ],
    }


class ReadOnlyCloud(cloud_base.CloudDriver):
    """The app managers' view of the engine's simulated cloud.

    Every call loads the state file (written atomically by the engine) into
    a model of its own that saves nothing; changes are refused.
    """

    def __init__(self, state_file, inventory):
        self.state_file = state_file
        self.inventory = inventory

    def _model(self):
        if os.path.exists(self.state_file):
            return simulated.SimulatedCloud(self.state_file, time_scale=0)
        return simulated.SimulatedCloud(self.inventory, time_scale=0)

    def list_hosts(self, names=None):
        return self._model().list_hosts(names)

    def list_instances(self, hosts=None, project_id=None):
        return self._model().list_instances(hosts=hosts,
                                            project_id=project_id)

    def get_instance(self, instance_id):
        return self._model().get_instance(instance_id)

    def is_subscribed(self, project_id):
        return self._model().is_subscribed(project_id)

    def _refuse(self, *args, **kwargs):
        raise cloud_base.CloudError(
            reason='the app managers of the crash tests do not change the '
                   'cloud')

    disable_host = enable_host = migrate = live_migrate = _refuse
    create_instance = delete_instance = _refuse


class Gate:
    """Holds the first notification of ``state`` before it is answered."""

    def __init__(self, state=None):
        self.state = state
        self.held = threading.Event()
        self.release = threading.Event()
        self.answered = threading.Event()
        self.payload = None
        self.project_id = None
        self._lock = threading.Lock()

    def pause(self, project_id, payload):
        """True when this notification was the one held."""
        if payload.get('state') != self.state:
            return False
        with self._lock:
            if self.payload is not None:
                return False
            self.payload = payload
            self.project_id = project_id
        self.held.set()
        assert self.release.wait(90), 'the test never released the gate'
        return True


class RecordingAPI(vnfm.FenixProjectAPI):
    """The project API client; keeps the requests Fenix refused."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused = []

    def _request(self, method, url, body=None):
        try:
            return super()._request(method, url, body)
        except vnfm.FenixAPIError as e:
            self.refused.append((method, url, body, e.status, e.message))
            raise


class CrashVNFM(vnfm.SampleVNFM):
    """The sample app manager, plus what the checks need to know.

    ``rounds``: (state, reply_at) of every notification received, in order;
    one round of notifications shares its reply deadline. ``asked_again``:
    those received after the project had answered that round.
    """

    def __init__(self, project_id, api, driver, gate):
        super().__init__(project_id, api, driver, workers=4)
        self.gate = gate
        self.rounds = []
        self.answered = set()
        self.asked_again = []
        self._check_lock = threading.Lock()

    def notify(self, payload):
        if isinstance(payload, dict) and (
                payload.get('project_id') == self.project_id):
            key = (payload.get('state'), payload.get('reply_at'))
            with self._check_lock:
                self.rounds.append(key)
                if key in self.answered:
                    self.asked_again.append(key)
        return super().notify(payload)

    def handle(self, payload):
        held = self.gate.pause(self.project_id, payload)
        replied = super().handle(payload)
        if replied:
            with self._check_lock:
                self.answered.add((payload.get('state'),
                                   payload.get('reply_at')))
        if held:
            self.gate.answered.set()
        return replied


class Observer:
    """Every Fenix notification, in the order it arrived."""

    def __init__(self):
        self.events = []
        self._lock = threading.Lock()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        with self._lock:
            self.events.append((event_type, payload))

    def of(self, event_type):
        with self._lock:
            return [p for e, p in self.events if e == event_type]


class Stack:
    """fenix-api, fenix-engine and the app managers of one test."""

    def __init__(self, tmp_path, database_url, migrate=1.0, gate=None,
                 engine=None):
        self.tmp = tmp_path
        self.gate = gate or Gate()
        self.inventory = _inventory(migrate)
        self.inventory_file = str(tmp_path / 'inventory.yaml')
        with open(self.inventory_file, 'w') as f:
            yaml.safe_dump(self.inventory, f)
        self.state_file = str(tmp_path / 'cloud-state.json')
        self.exchange = 'fenix-crash-%s' % uuid.uuid4().hex[:8]
        # NOTE: oslo.messaging names a topic's queue after the topic only,
        # whatever the exchange: a topic of our own keeps other tests'
        # engines off our casts.
        self.topic = 'fenix-engine-%s' % uuid.uuid4().hex[:8]
        port = _free_port()
        self.endpoint = 'http://127.0.0.1:%d' % port
        self.conf = _ini(tmp_path / 'fenix.conf', {
            'DEFAULT': {'auth_strategy': 'noauth',
                        'transport_url': conftest.RABBIT_URL,
                        'control_exchange': self.exchange,
                        'host': ENGINE_1},
            'database': {'connection': database_url},
            'api': {'host': '127.0.0.1', 'port': port,
                    'public_endpoint': self.endpoint},
            'cloud': {'driver': 'simulated',
                      'simulated_inventory': self.inventory_file,
                      'simulated_state_file': self.state_file,
                      'simulated_time_scale': 1.0},
            'engine': dict({'topic': self.topic, 'sweep_interval': 0.5,
                            'lease_duration': 3.0}, **(engine or {})),
            'workflow': {'reply_timeout': 40,
                         'complete_reply_timeout': 40},
        })
        self.procs = {}
        self.engines = []
        self.vnfms = []
        self.observer = Observer()
        self._listener = None
        self._transport = None

    # -- processes --------------------------------------------------------

    def _spawn(self, name, argv):
        log = open(self.tmp / ('%s.log' % name), 'w')
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.procs[name] = proc
        return proc

    def start(self):
        # NOTE: the API needs no schema to start; the engine does.
        self._spawn('api', [os.path.join(BIN, 'fenix-api'),
                            '--config-file', self.conf])
        subprocess.run([os.path.join(BIN, 'fenix-manage'), '--config-file',
                        self.conf, 'db', 'sync'], check=True,
                       capture_output=True)
        self.start_engine(ENGINE_1)
        self._start_listeners()
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(self.endpoint + '/healthcheck',
                                timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert self.procs['api'].poll() is None, self.logs('api')
            assert time.monotonic() < deadline, 'fenix-api did not start'
            time.sleep(0.2)

    def start_engine(self, host):
        """A new fenix-engine process named ``host``."""
        name = 'engine-%d' % (len(self.engines) + 1)
        argv = [os.path.join(BIN, 'fenix-engine'), '--config-file',
                self.conf]
        if host != ENGINE_1:
            argv += ['--config-file', _ini(self.tmp / ('%s.conf' % name),
                                           {'DEFAULT': {'host': host}})]
        self.engines.append(name)
        return self._spawn(name, argv)

    def kill_engine(self):
        """SIGKILL the running engine; wait until it is gone."""
        proc = self.procs[self.engines[-1]]
        assert proc.poll() is None, (
            'the engine died by itself:\n%s' % self.logs(self.engines[-1]))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert proc.returncode == -signal.SIGKILL

    def _start_listeners(self):
        conf = cfg.ConfigOpts()
        service.register_opts(conf)
        conf([], project='fenix', default_config_files=[])
        conf.set_override('transport_url', conftest.RABBIT_URL)
        conf.set_override('control_exchange', self.exchange)
        self._transport = messaging.get_notification_transport(conf)
        self._listener = messaging.get_notification_listener(
            self._transport, [messaging.Target(topic='notifications')],
            [self.observer], executor='threading',
            pool='fenix-crash-observer-%s' % self.exchange)
        self._listener.start()
        driver = ReadOnlyCloud(self.state_file, self.inventory_file)
        for project in self.inventory['projects']:
            api = RecordingAPI(self.endpoint, ks_session.Session(),
                               project_id=project['id'])
            app = CrashVNFM(project['id'], api, driver, self.gate)
            app.start(self._transport)
            self.vnfms.append(app)

    def stop(self):
        self.gate.release.set()
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        # NOTE: a listener takes seconds to stop; stop them side by side.
        stops = [app.stop for app in self.vnfms]
        if self._listener is not None:
            stops.append(self._stop_observer)
        threads = [threading.Thread(target=f) for f in stops]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        if self._transport is not None:
            self._transport.cleanup()
        self._delete_queues()

    def _stop_observer(self):
        self._listener.stop()
        self._listener.wait()

    def _delete_queues(self):
        """Best effort: the queues and exchange of this test's bus."""
        names = [self.topic, '%s.%s' % (self.topic, ENGINE_1),
                 '%s.%s' % (self.topic, ENGINE_2),
                 'fenix-crash-observer-%s' % self.exchange]
        names += [app.pool for app in self.vnfms]
        try:
            url = conftest.RABBIT_URL.replace('rabbit://', 'amqp://', 1)
            with kombu.Connection(url, connect_timeout=5) as conn:
                channel = conn.channel()
                for name in names:
                    channel.queue_delete(name)
                channel.exchange_delete(self.exchange)
        except Exception:
            # NOTE: leftovers only cost the broker some memory.
            pass

    def logs(self, name=None, lines=80):
        """The tail of one process log, or of every engine's."""
        out = []
        for n in [name] if name else self.engines:
            try:
                with open(self.tmp / ('%s.log' % n)) as f:
                    tail = f.read().splitlines()[-lines:]
            except OSError:
                tail = ['(no log)']
            out.append('--- %s.log (last %d lines) ---\n%s' % (
                n, lines, '\n'.join(tail)))
        return '\n'.join(out)

    # -- the API and the cloud ----------------------------------------------

    def request(self, method, path, body=None):
        resp = requests.request(method, self.endpoint + path, json=body,
                                timeout=30)
        return resp.status_code, (resp.json() if resp.content else None)

    def create(self, actions):
        status, body = self.request('POST', '/v1/maintenance', {
            'hosts': [], 'state': states.MAINTENANCE,
            'maintenance_at': _now(), 'metadata': {'test': 'crash'},
            'actions': actions})
        assert status == 200, body
        return body['session_id']

    def detail(self, session_id):
        status, body = self.request('GET',
                                    '/v1/maintenance/%s/detail' % session_id)
        assert status == 200, body
        return body

    def cloud(self):
        """The cloud as the engine left it in the state file."""
        with open(self.state_file) as f:
            return json.load(f)

    def set_finish(self, instance_id, finish_at):
        """Make a move in progress end at ``finish_at`` (no engine runs)."""
        doc = self.cloud()
        task = next(i for i in doc['instances']
                    if i['id'] == instance_id)['task']
        task['finish_at'] = finish_at
        tmp = self.state_file + '.test'
        with open(tmp, 'w') as f:
            json.dump(doc, f)
        os.replace(tmp, self.state_file)

    def poll(self, what, predicate, session_id, timeout=60, interval=0.05):
        """Wait until ``predicate()`` is true while the session runs."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            status, session = self.request('GET',
                                           '/v1/maintenance/%s' % session_id)
            assert session['state'] not in states.INACTIVE_SESSION_STATES, (
                'the session ended before %s: %s\n%s' % (
                    what, session, self.logs()))
            assert time.monotonic() < deadline, (
                'no %s in %ss\n%s' % (what, timeout, self.logs()))
            time.sleep(interval)

    def wait_end(self, session_id, timeout=RESUME_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            status, session = self.request('GET',
                                           '/v1/maintenance/%s' % session_id)
            assert status == 200, session
            if session['state'] in states.INACTIVE_SESSION_STATES:
                return session
            assert time.monotonic() < deadline, (
                'session %s did not end in %ss after the restart: %s\n%s' % (
                    session_id, timeout, session, self.logs()))
            time.sleep(0.3)


@pytest.fixture
def stack(tmp_path, database_url):
    stacks = []

    def start(**kwargs):
        s = Stack(tmp_path, database_url, **kwargs)
        stacks.append(s)
        s.start()
        return s

    yield start
    for s in stacks:
        s.stop()


def _mysql_url(test):
    return pytest.mark.parametrize('database_url', ['mysql'],
                                   indirect=True)(test)


# -- the checks -------------------------------------------------------------

def _moves_in_cloud(cloud):
    """[(instance_id, source host)] of every move the cloud started."""
    return sorted((i['id'], m['source']) for i in cloud['instances']
                  for m in i.get('moves', []))


def _moves_in_history(detail):
    return sorted((h['details'].split()[0], h['host'])
                  for h in detail['history']
                  if h['step'] in MOVE_STEPS and h['outcome'] == 'ok')


def check_outcome(stack, session_id, engines):
    """Everything a crash must not break, once the session ended."""
    session = stack.wait_end(session_id)
    assert session['state'] == states.MAINTENANCE_DONE, (
        'session %s: %s (reason: %s)\n%s' % (
            session_id, session['state'], session['reason'], stack.logs()))
    assert session['percent_done'] == 100
    detail = stack.detail(session_id)

    # Every host maintained and enabled again; its host actions done.
    hosts = {h['hostname']: h for h in detail['hosts']}
    assert sorted(hosts) == sorted(HOSTS)
    assert [n for n, h in hosts.items() if not h['maintained']] == []
    cloud = stack.cloud()
    assert [h['name'] for h in cloud['hosts'] if not h['enabled']] == []
    runs = detail['action_plugin_instances']
    assert sorted(r['hostname'] for r in runs if r['type'] == 'host') == (
        sorted(HOSTS))
    assert {r['state'] for r in runs} == {states.ACTION_DONE}, runs

    # Every instance there, at rest, the cloud's bookkeeping sound.
    before = {i['name'] for i in stack.inventory['instances']}
    assert {i['name'] for i in cloud['instances']} == before
    assert {i['status'] for i in cloud['instances']} == {'ACTIVE'}
    assert [i['name'] for i in cloud['instances']
            if i.get('task') or i.get('resize')] == []
    assert simulated.SimulatedCloud(
        stack.state_file, time_scale=0).check_consistency() == []

    # No instance moved off the same host twice; every move the cloud
    # started is the one the session recorded, once.
    moves = _moves_in_cloud(cloud)
    assert moves, 'the session moved no instance'
    assert len(moves) == len(set(moves)), (
        'a migration was issued twice: %s' % [
            (i['name'], i['moves']) for i in cloud['instances']])
    assert {source for _, source in moves} <= set(HOSTS)
    assert _moves_in_history(detail) == moves, (
        'history and cloud disagree on the moves', detail['history'])

    # No reply lost, none asked for again once given, none refused.
    for app in stack.vnfms:
        assert app.asked_again == [], (
            'project %s was asked again for replies it had given: %s' % (
                app.project_id, app.asked_again))
        refused = [r for r in app.api.refused if r[0] == 'PUT']
        assert refused == [], 'replies of %s refused: %s' % (
            app.project_id, refused)
        told = [s for s, _ in app.rounds]
        assert told[0] == states.MAINTENANCE, told
        assert told[-1] == states.MAINTENANCE_COMPLETE, told
        assert states.MAINTENANCE_COMPLETE in {
            s for s, _ in app.answered}, app.answered
    projects = {p['project_id']: p for p in detail['projects']}
    assert sorted(projects) == sorted(a.project_id for a in stack.vnfms)
    assert {p['reply'] for p in projects.values()} == {
        'ACK_%s' % states.MAINTENANCE_COMPLETE}, projects

    # Every host told done; the engines that ran it.
    done = {p['host'] for p in stack.observer.of('maintenance.host')
            if p['state'] == states.HOST_MAINTENANCE_COMPLETE}
    assert done == set(HOSTS)
    assert {h['engine'] for h in detail['history']} == set(engines)
    return detail


# -- the tests --------------------------------------------------------------

@pytest.mark.parametrize('database_url, move', [
    ('mysql', 'running'), ('mysql', 'ended')], indirect=['database_url'])
def test_kill_during_migration(stack, move):
    """Killed while a cold migration runs.

    running: the move outlasts the dead engine's lease; an engine of
    another name waits for the lease to run out, takes the session over
    and finds the move still running. ended: the same engine restarts and
    finds the move over (VERIFY_RESIZE on the target, as Nova leaves a cold
    migration nobody confirmed).
    """
    s = stack(migrate=2.0 if move == 'running' else 1.0)
    sid = s.create([{'plugin': 'dummy', 'type': 'host'}])

    def second_move_running():
        try:
            cloud = s.cloud()
        except (OSError, ValueError):
            return None
        started = sum(len(i.get('moves', [])) for i in cloud['instances'])
        moving = [i for i in cloud['instances']
                  if (i.get('task') or {}).get('kind') == 'migrate']
        return started >= 2 and moving

    moving = s.poll('second migration', second_move_running, sid)
    s.kill_engine()
    killed_at = time.time()
    if move == 'running':
        # NOTE: the cloud is slow with this move: it ends well after the
        # new engine resumes, however long that engine takes to start.
        s.set_finish(moving[0]['id'], time.time() + 8.0)
        s.start_engine(ENGINE_2)
        engines = {ENGINE_1, ENGINE_2}
    else:
        # NOTE: the move (1 s) ends while no engine runs.
        time.sleep(1.0)
        s.start_engine(ENGINE_1)
        engines = {ENGINE_1}
    check_outcome(s, sid, engines)
    # The move the kill interrupted was waited for, not issued again.
    moved = next(i for i in s.cloud()['instances']
                 if i['id'] == moving[0]['id'])
    interrupted = [m for m in moved['moves']
                   if m['source'] == moving[0]['host']]
    assert len(interrupted) == 1 and interrupted[0]['at'] < killed_at


@pytest.mark.parametrize('database_url, reply', [
    ('mysql', 'while-down'), ('postgresql', 'after-restart')],
    indirect=['database_url'])
def test_kill_while_waiting_for_replies(stack, reply):
    """Killed while it waits for a project's reply to PLANNED_MAINTENANCE.

    while-down: the reply comes while no engine runs; the restarted engine
    finds it stored and goes on without asking again. after-restart: the
    restarted engine tells the project again; its late first answer and
    its answer to the repeated notification must not derail the session.
    """
    gate = Gate(states.PLANNED_MAINTENANCE)
    s = stack(gate=gate)
    sid = s.create([{'plugin': 'dummy', 'type': 'host'}])
    s.poll('notification held', gate.held.is_set, sid)
    # The engine waits: the project row is asked and has no reply.
    detail = s.detail(sid)
    row = next(p for p in detail['projects']
               if p['project_id'] == gate.project_id)
    assert (row['state'], row['reply']) == (
        states.PLANNED_MAINTENANCE, None), row
    s.kill_engine()
    app = next(a for a in s.vnfms if a.project_id == gate.project_id)
    key = (gate.payload['state'], gate.payload['reply_at'])
    if reply == 'while-down':
        gate.release.set()
        assert gate.answered.wait(30)
        assert key in app.answered, app.api.refused
        s.start_engine(ENGINE_1)
    else:
        s.start_engine(ENGINE_1)
        deadline = time.monotonic() + 60
        while app.rounds.count(key) < 2:
            assert time.monotonic() < deadline, (
                'the restarted engine did not ask again\n%s' % s.logs())
            time.sleep(0.05)
        # Let it answer the repeated notification, then the held one.
        while key not in app.answered:
            assert time.monotonic() < deadline, app.api.refused
            time.sleep(0.05)
        gate.release.set()
        assert gate.answered.wait(30)
        # NOTE: the held answer comes late: the session may have moved
        # on, and Fenix may refuse it (422) for a state no longer asked.
        app.api.refused = [r for r in app.api.refused if r[3] != 422]
    check_outcome(s, sid, {ENGINE_1})


@_mysql_url
def test_kill_during_host_action(stack):
    """Killed while the script host action runs on the second host.

    The restarted engine runs the action on that host again (an action
    runs at least once) and on no host maintained before the kill.
    """
    s = stack()
    runs_log = str(s.tmp / 'script-runs.log')
    sid = s.create([{'plugin': 'script', 'type': 'host', 'metadata': {
        'command': ['/bin/sh', '-c',
                    'echo {host} >> %s; sleep 2' % runs_log]}}])

    def second_action_running():
        runs = s.detail(sid)['action_plugin_instances']
        done = [r for r in runs if r['state'] == states.ACTION_DONE]
        running = [r for r in runs if r['state'] == states.ACTION_RUNNING]
        return len(done) >= 1 and running

    running = s.poll('host action running', second_action_running, sid,
                     interval=0.1)
    host = running[0]['hostname']
    cloud = s.cloud()
    assert not next(h for h in cloud['hosts'] if h['name'] == host)[
        'enabled'], 'a host in maintenance is disabled'
    s.kill_engine()
    s.start_engine(ENGINE_1)
    detail = check_outcome(s, sid, {ENGINE_1})
    with open(runs_log) as f:
        ran = collections.Counter(f.read().split())
    # NOTE: the kill may come between the run's row and the command.
    assert set(ran) == set(HOSTS) and ran[host] in (1, 2), ran
    assert [h for h, n in ran.items() if n != 1 and h != host] == [], ran
    steps = [h for h in detail['history']
             if h['host'] == host and h['step'].startswith('action script')]
    assert [h['outcome'] for h in steps if h['outcome'] != 'info'] == [
        'ok'], steps


@_mysql_url
def test_two_engines_reply_reaches_the_owner(stack):
    """Two engines; every wake-up goes to the session's owner.

    The sweeps are a minute apart: a reply cast to the engine that does
    not own the session would leave the owner waiting for its next sweep,
    a minute later. With the casts addressed to the owner the session
    runs through its dozen rounds of replies without such a stall.
    """
    s = stack(migrate=0.3, engine={'sweep_interval': 60.0,
                                   'lease_duration': 180.0})
    s.start_engine(ENGINE_2)
    # Both engines consume their topic before the session is cast.
    deadline = time.monotonic() + 30
    for name, host in zip(s.engines, (ENGINE_1, ENGINE_2)):
        while 'Engine %s started' % host not in s.logs(name):
            assert time.monotonic() < deadline, s.logs()
            time.sleep(0.2)
    sid = s.create([{'plugin': 'dummy', 'type': 'host', 'order': 1}])
    # Less than one sweep interval: no wake-up was lost on the way.
    session = s.wait_end(sid, timeout=50)
    assert session['state'] == states.MAINTENANCE_DONE, (session,
                                                         s.logs())
    detail = s.detail(sid)
    owners = {h['engine'] for h in detail['history']}
    assert len(owners) == 1 and owners <= {ENGINE_1, ENGINE_2}, owners
    rounds = [h for h in detail['history']
              if h['step'].startswith('replies to')]
    assert len(rounds) >= 4, rounds
    assert [n for n in s.engines if s.procs[n].poll() is not None] == []
