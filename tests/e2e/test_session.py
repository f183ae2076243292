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
"""A whole session against real Nova, every part its own process.

fenix-api and fenix-engine run as separate processes over RabbitMQ and
MariaDB with the nova driver; two fenix-sample-vnfm processes answer for
projA and projB with their users' credentials. The test drives the session
over HTTP and checks the outcome against Nova itself.
"""

import datetime
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid

import openstack
from oslo_config import cfg
import oslo_messaging as messaging
import pymysql
import pytest
import requests

from fenix.common import service
from tests.e2e import openstack as harness

BIN = os.path.dirname(sys.executable)
RABBIT = 'rabbit://guest:guest@127.0.0.1:5672/'


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


def _credentials(cloud, user):
    if user == 'admin':
        creds = dict(cloud['admin'])
    else:
        creds = dict(cloud['users'][user], username=user)
    return {'auth_type': 'password', 'auth_url': cloud['auth_url'],
            'username': creds['username'], 'password': creds['password'],
            'project_name': creds['project_name'],
            'user_domain_name': creds['user_domain_name'],
            'project_domain_name': creds['project_domain_name'],
            'region_name': cloud['region_name']}


class Observer:
    """Every Fenix notification, in the order it arrived."""

    def __init__(self):
        self.events = []

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self.events.append((event_type, payload))


class ServiceWatch(threading.Thread):
    """Polls Nova's compute services and keeps what it saw disabled."""

    def __init__(self, conn):
        super().__init__(daemon=True)
        self.conn = conn
        self.disabled = {}
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                for svc in self.conn.compute.services(
                        binary='nova-compute'):
                    if svc.status == 'disabled':
                        self.disabled.setdefault(svc.host,
                                                 svc.disabled_reason)
            except Exception:  # noqa: a failed poll is retried
                pass
            self.stop.wait(0.3)


@pytest.fixture(scope='module')
def cloud():
    return harness.ensure_openstack()


@pytest.fixture
def stack(cloud, tmp_path):
    workload = harness.boot_workload()
    name = 'fenix_e2e_%s' % uuid.uuid4().hex[:8]
    db = pymysql.connect(host='127.0.0.1', user='root', autocommit=True)
    db.cursor().execute('CREATE DATABASE %s CHARACTER SET utf8mb4' % name)
    port = _free_port()
    exchange = 'fenix-e2e-%s' % uuid.uuid4().hex[:8]
    endpoint = 'http://127.0.0.1:%d' % port
    base = {
        'DEFAULT': {'auth_strategy': 'noauth', 'transport_url': RABBIT,
                    'control_exchange': exchange, 'host': 'e2e-engine'},
        'database': {'connection': 'mysql+pymysql://root@127.0.0.1/%s'
                                   '?charset=utf8mb4' % name},
        'api': {'host': '127.0.0.1', 'port': port,
                'public_endpoint': endpoint},
        'cloud': {'driver': 'nova'},
        'engine': {'sweep_interval': 1},
        'workflow': {'reply_timeout': 120, 'migration_timeout': 300},
        'service_credentials': _credentials(cloud, 'admin'),
    }
    conf = _ini(tmp_path / 'fenix.conf', base)
    subprocess.run([os.path.join(BIN, 'fenix-manage'), '--config-file',
                    conf, 'db', 'sync'], check=True, capture_output=True)
    procs = []

    def spawn(name, argv):
        log = open(tmp_path / ('%s.log' % name), 'w')
        procs.append(subprocess.Popen(argv, stdout=log,
                                      stderr=subprocess.STDOUT))

    spawn('api', [os.path.join(BIN, 'fenix-api'), '--config-file', conf])
    spawn('engine', [os.path.join(BIN, 'fenix-engine'), '--config-file',
                     conf])
    records = {}
    for user in ('alice', 'bob'):
        project_id = cloud['users'][user]['project_id']
        vconf = _ini(tmp_path / ('vnfm-%s.conf' % user), dict(
            base, service_credentials=_credentials(cloud, user)))
        records[project_id] = str(tmp_path / ('vnfm-%s.jsonl' % user))
        spawn('vnfm-%s' % user, [
            os.path.join(BIN, 'fenix-sample-vnfm'), '--config-file', vconf,
            '--project-id', project_id, '--fenix-endpoint', endpoint,
            '--record', records[project_id]])
    # The observer listens in this process on the same bus.
    oconf = cfg.ConfigOpts()
    service.register_opts(oconf)
    oconf([], project='fenix', default_config_files=[])
    oconf.set_override('transport_url', RABBIT)
    oconf.set_override('control_exchange', exchange)
    observer = Observer()
    transport = messaging.get_notification_transport(oconf)
    listener = messaging.get_notification_listener(
        transport, [messaging.Target(topic='notifications')], [observer],
        executor='threading', pool='e2e-observer')
    listener.start()
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(endpoint + '/healthcheck').status_code == 200:
                break
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, 'fenix-api did not start'
        time.sleep(0.3)
    time.sleep(3)  # the app managers' listeners bind their queues
    try:
        yield {'endpoint': endpoint, 'workload': workload,
               'observer': observer, 'records': records, 'tmp': tmp_path}
    finally:
        listener.stop()
        listener.wait()
        transport.cleanup()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        db.cursor().execute('DROP DATABASE %s' % name)
        db.close()


def test_whole_session_against_nova(cloud, stack):
    admin = openstack.connect(
        auth_url=cloud['auth_url'], username='admin', password='admin',
        project_name='admin', user_domain_name='Default',
        project_domain_name='Default', region_name=cloud['region_name'],
        compute_api_version='2.87')
    hosts = {s.host for s in admin.compute.services(binary='nova-compute')}
    before = {s.id: s.compute_host for s in
              admin.compute.servers(all_projects=True)}
    assert set(before.values()) == hosts, 'no empty host at the start'
    watch = ServiceWatch(admin)
    watch.start()

    endpoint = stack['endpoint']
    reply = requests.post(endpoint + '/v1/maintenance', json={
        'hosts': [], 'state': 'MAINTENANCE',
        'maintenance_at': datetime.datetime.utcnow().strftime(
            '%Y-%m-%d %H:%M:%S'),
        'metadata': {'openstack_version': 'Zed'},
        'actions': [{'plugin': 'dummy', 'type': 'host', 'order': 1}]})
    assert reply.status_code == 200, reply.text
    sid = reply.json()['session_id']
    deadline = time.monotonic() + 900
    while True:
        session = requests.get(endpoint + '/v1/maintenance/' + sid).json()
        if session['state'] in ('MAINTENANCE_DONE', 'MAINTENANCE_FAILED'):
            break
        assert time.monotonic() < deadline, session
        time.sleep(1)
    watch.stop.set()
    watch.join()
    logs = {p.name: p.read_text()[-3000:]
            for p in stack['tmp'].glob('*.log')}
    assert session['state'] == 'MAINTENANCE_DONE', (session, logs)

    # Nova: every compute service was disabled by us and is enabled again.
    assert set(watch.disabled) == hosts
    assert set(watch.disabled.values()) == {'maintenance by fenix'}
    services = list(admin.compute.services(binary='nova-compute'))
    assert {s.status for s in services} == {'enabled'}
    # Nova: every server is still there and ACTIVE.
    after = {s.id: s for s in admin.compute.servers(all_projects=True)}
    assert set(after) == set(before)
    assert {s.status for s in after.values()} == {'ACTIVE'}
    moved = [i for i in before if after[i].compute_host != before[i]]
    assert moved, 'instances were migrated off their hosts'

    detail = requests.get(endpoint + '/v1/maintenance/%s/detail'
                          % sid).json()
    assert sorted(h['hostname'] for h in detail['hosts']
                  if h['maintained']) == sorted(hosts)

    # Notifications arrived, in order.
    events = stack['observer'].events
    mine = [(e, p) for e, p in events if p.get('session_id') == sid]
    states = [p['state'] for e, p in mine if e == 'maintenance.session']
    assert states[-1] == 'MAINTENANCE_DONE'
    for host in hosts:
        assert [p['state'] for e, p in mine if e == 'maintenance.host'
                and p['host'] == host] == ['IN_MAINTENANCE',
                                           'MAINTENANCE_COMPLETE']
    for project_id, path in stack['records'].items():
        told = [p['state'] for e, p in mine
                if e == 'maintenance.scheduled'
                and p['project_id'] == project_id]
        assert told[0] == 'MAINTENANCE' and told[-1] == (
            'MAINTENANCE_COMPLETE'), told
        with open(path) as f:
            lines = [json.loads(line) for line in f]
        replied = [line['replied'] for line in lines if 'replied' in line]
        assert replied[0] == 'ACK_MAINTENANCE'
        assert replied[-1] == 'ACK_MAINTENANCE_COMPLETE'
