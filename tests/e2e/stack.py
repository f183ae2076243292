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
"""Fenix as separate processes against the real mini OpenStack.

:class:`FenixStack` runs fenix-api and fenix-engine (nova driver, RabbitMQ,
a MariaDB database of its own) and one fenix-sample-vnfm per project user,
each with its own knobs; an observer in the test process keeps every Fenix
notification. The helpers below it read the truth from Nova as admin.
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
import requests

from fenix.common import service

BIN = os.path.dirname(sys.executable)
RABBIT = 'rabbit://guest:guest@127.0.0.1:5672/'
COMPUTE_MICROVERSION = '2.87'
ENDED = ('MAINTENANCE_DONE', 'MAINTENANCE_FAILED')
USERS = ('alice', 'bob')
SERVICE_TYPE = 'maintenance'
# The service user fenix-api validates tokens with (keystone_authtoken).
FENIX_USER, FENIX_PASSWORD = 'fenix', 'secret'


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _ini(path, sections):
    with open(path, 'w') as f:
        for section, values in sections.items():
            f.write('[%s]\n' % section)
            for key, value in values.items():
                if isinstance(value, (list, tuple)):
                    value = ','.join(value)
                f.write('%s = %s\n' % (key, value))
            f.write('\n')
    return str(path)


def _merge(base, extra):
    merged = {section: dict(values) for section, values in base.items()}
    for section, values in (extra or {}).items():
        merged.setdefault(section, {}).update(values)
    return merged


def credentials(cloud, user):
    """[service_credentials] values of the stack's admin or a user."""
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


def connect(cloud, user='admin'):
    """An openstacksdk Connection as admin or one of the users."""
    creds = credentials(cloud, user)
    return openstack.connect(
        auth_url=creds['auth_url'], username=creds['username'],
        password=creds['password'], project_name=creds['project_name'],
        user_domain_name=creds['user_domain_name'],
        project_domain_name=creds['project_domain_name'],
        region_name=creds['region_name'],
        compute_api_version=COMPUTE_MICROVERSION, load_yaml_config=False,
        load_envvars=False)


def token_session(cloud, user='admin'):
    """A requests Session sending a real Keystone token of ``user``."""
    http = requests.Session()
    http.headers['X-Auth-Token'] = connect(cloud, user).auth_token
    return http


def os_env(cloud, user='admin'):
    """Ordinary ``OS_*`` variables of ``user``, as an openrc gives them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    creds = credentials(cloud, user)
    env.update({'OS_AUTH_URL': creds['auth_url'],
                'OS_USERNAME': creds['username'],
                'OS_PASSWORD': creds['password'],
                'OS_PROJECT_NAME': creds['project_name'],
                'OS_USER_DOMAIN_NAME': creds['user_domain_name'],
                'OS_PROJECT_DOMAIN_NAME': creds['project_domain_name'],
                'OS_REGION_NAME': creds['region_name'],
                'OS_IDENTITY_API_VERSION': '3',
                'OS_INTERFACE': 'public'})
    return env


def register_fenix(cloud, admin, endpoint):
    """Fenix in the Keystone catalog and its service user, as devstack does.

    Service type ``maintenance`` with a public, internal and admin endpoint
    at ``endpoint`` (moved there when it exists); user ``fenix`` with the
    admin and service roles in project ``service``.

    :returns: the keystone_authtoken options of fenix-api.
    """
    identity = admin.identity
    service = next(identity.services(type=SERVICE_TYPE), None)
    if service is None:
        service = identity.create_service(
            name='fenix', type=SERVICE_TYPE,
            description='Rolling infrastructure maintenance')
    have = {e.interface: e for e in identity.endpoints(service_id=service.id)}
    for interface in ('public', 'internal', 'admin'):
        if interface not in have:
            identity.create_endpoint(
                service_id=service.id, interface=interface, url=endpoint,
                region_id=cloud['region_name'])
        elif have[interface].url != endpoint:
            identity.update_endpoint(have[interface], url=endpoint)
    project = identity.find_project('service', domain_id='default')
    user = identity.find_user(FENIX_USER, domain_id='default')
    if user is None:
        user = identity.create_user(name=FENIX_USER, password=FENIX_PASSWORD,
                                    domain_id='default',
                                    default_project_id=project.id)
    for role in ('admin', 'service'):
        identity.assign_project_role_to_user(
            project, user, identity.find_role(role))
    auth_url = cloud['auth_url'].rsplit('/v3', 1)[0]
    return {'www_authenticate_uri': auth_url, 'auth_url': auth_url,
            'auth_type': 'password', 'username': FENIX_USER,
            'password': FENIX_PASSWORD, 'project_name': 'service',
            'user_domain_name': 'Default', 'project_domain_name': 'Default',
            'region_name': cloud['region_name'],
            'service_token_roles_required': 'true'}


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None)


# -- what Nova says -----------------------------------------------------------

def services(admin):
    """{host: (status, disabled_reason)} of the nova-compute services."""
    return {s.host: (s.status, s.disabled_reason)
            for s in admin.compute.services(binary='nova-compute')}


def servers(admin):
    """{server_id: server} of every project."""
    return {s.id: s for s in admin.compute.servers(all_projects=True)}


def migrations(admin, since, server_ids=None):
    """Nova's migration records changed since ``since`` (naive UTC).

    :param server_ids: only those of these servers.
    """
    found = admin.compute.migrations(
        changes_since=since.strftime('%Y-%m-%dT%H:%M:%S'))
    return [m for m in found
            if server_ids is None or m.server_id in server_ids]


def wait_settled(admin, server_id, timeout=180):
    deadline = time.monotonic() + timeout
    while True:
        server = admin.compute.get_server(server_id)
        if server.status == 'ERROR':
            raise AssertionError('server %s went to ERROR: %s'
                                 % (server_id, server.fault))
        if server.status == 'ACTIVE' and not server.task_state:
            return server
        if time.monotonic() > deadline:
            raise AssertionError('server %s is %s/%s after %d s' % (
                server_id, server.status, server.task_state, timeout))
        time.sleep(0.5)


def reuse_workload(cloud, admin):
    """Make the servers a fresh workload again without booting, if cheap.

    ``harness.py workload`` deletes every server and boots six (~35 s).
    When the six servers of the workload (by name) are all that runs and
    all ACTIVE, it is enough to enable every compute service again and to
    live-migrate a server onto each empty host, as the harness does.

    :returns: the workload ({id: {name, project_id, host}}), or None when
        the servers are not the workload's (then boot it afresh).
    """
    found = servers(admin)
    wanted = sorted('%s-vm%d' % (project, n)
                    for project in cloud['projects'] for n in range(3))
    if sorted(s.name for s in found.values()) != wanted:
        return None
    for server in found.values():
        project = server.name.rsplit('-', 1)[0]
        if (server.status != 'ACTIVE' or server.task_state
                or server.project_id != cloud['projects'][project]):
            return None
    for svc in admin.compute.services(binary='nova-compute'):
        if svc.status != 'enabled':
            admin.compute.enable_service(svc)
    for host in sorted(services(admin)):
        where = {i: s.compute_host for i, s in found.items()}
        if host in where.values():
            continue
        counts = {h: list(where.values()).count(h) for h in where.values()}
        busiest = max(sorted(counts), key=counts.get)
        server_id = next(i for i, h in sorted(where.items()) if h == busiest)
        admin.compute.live_migrate_server(server_id, host=host,
                                          block_migration='auto')
        found[server_id] = wait_settled(admin, server_id)
        if found[server_id].compute_host != host:
            return None
    return {i: {'name': s.name, 'project_id': s.project_id,
                'host': s.compute_host} for i, s in found.items()}


def schedulable_ram(admin):
    """MB of RAM Nova's scheduler may place per compute host (Placement).

    (total - reserved) x allocation_ratio of MEMORY_MB, as Fenix counts it.
    """
    placement = admin.placement
    result = {}
    providers = placement.get('/resource_providers').json()
    for provider in providers['resource_providers']:
        inventories = placement.get('/resource_providers/%s/inventories'
                                    % provider['uuid']).json()
        ram = inventories['inventories']['MEMORY_MB']
        result[provider['name'].split('.')[0]] = int(
            (ram['total'] - ram['reserved']) * ram['allocation_ratio'])
    return result


def fill_hosts(cloud, admin, hosts, user='alice', spare_mb=256,
               prefix='projA-x-fill'):
    """Fill ``hosts`` with servers of ``user`` up to ``spare_mb`` of RAM.

    One server per host, each with a flavor of its own size
    (``fenix.e2e.fillram-<MB>``, 1 vCPU) so that every host keeps
    ``spare_mb`` of the RAM Nova's scheduler may use (Placement: RAM is not
    overcommitted, 512 MB reserved), less than one workload server needs:
    no host can then be emptied onto the others until a project scales in.
    A filler the scheduler puts elsewhere is live-migrated to its host by
    the admin.

    :returns: {server_id: host} of the fillers, named ``<prefix>-<host>``.
    """
    conn = connect(cloud, user)
    admin.set_compute_quotas(cloud['users'][user]['project_id'], cores=-1,
                             ram=-1)
    capacity = schedulable_ram(admin)
    used = dict.fromkeys(services(admin), 0)
    for server in servers(admin).values():
        used[server.compute_host] += server.flavor.ram
    image = conn.image.find_image('fenix-tiny')
    fillers = {}
    for host in sorted(hosts):
        size = capacity[host] - used[host] - spare_mb
        if size <= 0:
            continue
        name = 'fenix.e2e.fillram-%d' % size
        flavor = admin.compute.find_flavor(name)
        if flavor is None:
            flavor = admin.compute.create_flavor(name=name, vcpus=1,
                                                 ram=size, disk=1)
        server = conn.compute.create_server(
            name='%s-%s' % (prefix, host), image_id=image.id,
            flavor_id=flavor.id, networks='none')
        server = wait_settled(admin, server.id)
        if server.compute_host != host:
            admin.compute.live_migrate_server(server, host=host,
                                              block_migration='auto')
            server = wait_settled(admin, server.id)
        assert server.compute_host == host, (server.name,
                                             server.compute_host)
        fillers[server.id] = host
    return fillers


class Observer:
    """Every Fenix notification, in the order it arrived."""

    def __init__(self):
        self.events = []
        self._lock = threading.Lock()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        with self._lock:
            self.events.append((event_type, payload))

    def of(self, session_id, event_type=None):
        with self._lock:
            return [(e, p) for e, p in self.events
                    if p.get('session_id') == session_id
                    and (event_type is None or e == event_type)]


class ServiceWatch(threading.Thread):
    """Polls Nova's compute services and keeps what it saw disabled.

    A context manager: watches while inside.
    """

    def __init__(self, admin):
        super().__init__(daemon=True)
        self.admin = admin
        self.disabled = {}
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            try:
                for svc in self.admin.compute.services(
                        binary='nova-compute'):
                    if svc.status == 'disabled':
                        self.disabled.setdefault(svc.host,
                                                 svc.disabled_reason)
            except Exception:  # noqa: a failed poll is retried
                pass
            self._halt.wait(0.3)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self._halt.set()
        self.join()


# -- Fenix --------------------------------------------------------------------

class FenixStack:
    """fenix-api, fenix-engine and one fenix-sample-vnfm per user.

    :param cloud: the stack facts of ``openstack.ensure_openstack()``.
    :param tmp: a directory for configs, logs and the VNFM records.
    :param conf: extra fenix.conf values, {section: {key: value}}; lists
        are written comma separated.
    :param vnfms: {user: knobs} of the app managers to run (default: one
        for alice and one for bob, no knobs). Knobs are [vnfm] options:
        ``action``, ``nack``, ``silent``, ``min_instances``.
    :param keystone: fenix-api with ``auth_strategy = keystone``: Fenix is
        put in the Keystone catalog (:func:`register_fenix`), the app
        managers find it there, and this object calls the API with an
        admin token.
    """

    def __init__(self, cloud, tmp, conf=None, vnfms=None, keystone=False):
        self.cloud = cloud
        self.keystone = keystone
        self.http = requests.Session()
        self.tmp = tmp
        self.extra = conf or {}
        self.vnfms = ({user: {} for user in USERS} if vnfms is None
                      else vnfms)
        self.projects = {user: cloud['users'][user]['project_id']
                         for user in USERS}
        self.records = {}
        self.observer = Observer()
        self._procs = []
        self._db = None
        self._listener = self._transport = None

    # -- life cycle ---------------------------------------------------------

    def start(self):
        self.db_name = 'fenix_e2e_%s' % uuid.uuid4().hex[:8]
        self._db = pymysql.connect(host='127.0.0.1', user='root',
                                   autocommit=True)
        self._db.cursor().execute('CREATE DATABASE %s CHARACTER SET utf8mb4'
                                  % self.db_name)
        port = _free_port()
        self.exchange = 'fenix-e2e-%s' % uuid.uuid4().hex[:8]
        self.endpoint = 'http://127.0.0.1:%d' % port
        base = {
            'DEFAULT': {'auth_strategy': 'noauth', 'transport_url': RABBIT,
                        'control_exchange': self.exchange,
                        'host': 'e2e-engine'},
            'database': {'connection': 'mysql+pymysql://root@127.0.0.1/%s'
                                       '?charset=utf8mb4' % self.db_name},
            'api': {'host': '127.0.0.1', 'port': port,
                    'public_endpoint': self.endpoint},
            'cloud': {'driver': 'nova'},
            'engine': {'sweep_interval': 1},
            'workflow': {'reply_timeout': 120, 'migration_timeout': 300},
            'service_credentials': credentials(self.cloud, 'admin'),
        }
        if self.keystone:
            base['DEFAULT']['auth_strategy'] = 'keystone'
            base['keystone_authtoken'] = register_fenix(
                self.cloud, connect(self.cloud), self.endpoint)
            self.http = token_session(self.cloud)
        self.conf = _merge(base, self.extra)
        conf = _ini(self.tmp / 'fenix.conf', self.conf)
        subprocess.run([os.path.join(BIN, 'fenix-manage'), '--config-file',
                        conf, 'db', 'sync'], check=True, capture_output=True)
        self._spawn('api', [os.path.join(BIN, 'fenix-api'),
                            '--config-file', conf])
        self._spawn('engine', [os.path.join(BIN, 'fenix-engine'),
                               '--config-file', conf])
        for user, knobs in self.vnfms.items():
            self._spawn_vnfm(user, knobs)
        self._listen()
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(self.endpoint + '/healthcheck').ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError('fenix-api did not start: %s'
                                     % self.logs())
            time.sleep(0.3)
        time.sleep(3)  # the app managers' listeners bind their queues
        return self

    def _spawn(self, name, argv):
        log = open(self.tmp / ('%s.log' % name), 'w')
        self._procs.append((name, subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT)))

    def _spawn_vnfm(self, user, knobs):
        project_id = self.projects[user]
        knobs = dict(knobs)
        min_instances = knobs.pop('min_instances', 1)
        sections = {
            'DEFAULT': self.conf['DEFAULT'],
            'cloud': self.conf['cloud'],
            'service_credentials': credentials(self.cloud, user),
        }
        if knobs:
            sections['vnfm'] = knobs
        if self.keystone:
            sections['vnfm_auth'] = credentials(self.cloud, user)
        vconf = _ini(self.tmp / ('vnfm-%s.conf' % user), sections)
        self.records[user] = self.tmp / ('vnfm-%s.jsonl' % user)
        # NOTE: with Keystone the app managers find Fenix in the catalog.
        where = [] if self.keystone else ['--fenix-endpoint', self.endpoint]
        self._spawn('vnfm-%s' % user, [
            os.path.join(BIN, 'fenix-sample-vnfm'), '--config-file', vconf,
            '--project-id', project_id, *where,
            '--record', str(self.records[user]),
            '--min-instances', str(min_instances)])

    def _listen(self):
        oconf = cfg.ConfigOpts()
        service.register_opts(oconf)
        oconf([], project='fenix', default_config_files=[])
        oconf.set_override('transport_url', RABBIT)
        oconf.set_override('control_exchange', self.exchange)
        self._transport = messaging.get_notification_transport(oconf)
        self._listener = messaging.get_notification_listener(
            self._transport, [messaging.Target(topic='notifications')],
            [self.observer], executor='threading', pool='e2e-observer')
        self._listener.start()

    def stop(self):
        if self._listener is not None:
            self._listener.stop()
            self._listener.wait()
            self._transport.cleanup()
        for _, proc in self._procs:
            proc.terminate()
        for _, proc in self._procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._db is not None:
            self._db.cursor().execute('DROP DATABASE %s' % self.db_name)
            self._db.close()

    def alive(self):
        """Names of the processes that exited."""
        return [name for name, proc in self._procs
                if proc.poll() is not None]

    def logs(self, tail=3000):
        """The end of every process log, for assertion messages."""
        return {p.name: p.read_text()[-tail:]
                for p in sorted(self.tmp.glob('*.log'))}

    def why(self, session_id):
        """The session, its history and the engine's log, for a failure."""
        try:
            detail = self.detail(session_id)
        except AssertionError as e:
            return 'session %s: %s' % (session_id, e)
        lines = ['session %s: %s, reason: %s' % (
            session_id, detail['state'], detail['reason'])]
        for event in detail.get('history', []):
            lines.append('  %s' % ' '.join(
                str(event.get(k)) for k in ('created_at', 'state', 'step',
                                            'outcome', 'host', 'details')
                if event.get(k) is not None))
        engine = self.tmp / 'engine.log'
        if engine.exists():
            lines.append('engine log tail:')
            lines.append(engine.read_text()[-4000:])
        return '\n'.join(lines)

    # -- the admin API ------------------------------------------------------

    def post(self, hosts=(), actions=None, metadata=None, at=None):
        """POST /v1/maintenance; the response."""
        return self.http.post(self.endpoint + '/v1/maintenance', json={
            'hosts': list(hosts), 'state': 'MAINTENANCE',
            'maintenance_at': (at or utcnow()).strftime('%Y-%m-%d %H:%M:%S'),
            'metadata': metadata or {'openstack_version': 'Zed'},
            'actions': ([{'plugin': 'dummy', 'type': 'host', 'order': 1}]
                        if actions is None else actions)})

    def create(self, **kwargs):
        """A new session's id."""
        reply = self.post(**kwargs)
        assert reply.status_code == 200, reply.text
        return reply.json()['session_id']

    def url(self, session_id, *parts):
        return '/'.join((self.endpoint, 'v1', 'maintenance', session_id)
                        + parts)

    def get(self, session_id):
        reply = self.http.get(self.url(session_id))
        assert reply.status_code == 200, reply.text
        return reply.json()

    def detail(self, session_id):
        reply = self.http.get(self.url(session_id, 'detail'))
        assert reply.status_code == 200, reply.text
        return reply.json()

    def wait(self, session_id, until=ENDED, timeout=600):
        """Poll the session until its state is one of ``until``."""
        deadline = time.monotonic() + timeout
        while True:
            session = self.get(session_id)
            if session['state'] in until:
                return session
            if time.monotonic() > deadline:
                raise AssertionError('session %s still %s after %d s: %s'
                                     % (session_id, session['state'],
                                        timeout, self.logs()))
            time.sleep(0.5)

    def wait_for(self, what, predicate, timeout=300):
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError('no %s after %d s: %s'
                                     % (what, timeout, self.logs()))
            time.sleep(0.3)

    # -- what the others saw -----------------------------------------------

    def record(self, user, session_id=None):
        """The VNFM record lines of ``user``, of one session if given."""
        path = self.records.get(user)
        if path is None or not path.exists():
            return []
        with open(path) as f:
            lines = [json.loads(line) for line in f]
        return [line for line in lines
                if session_id is None or line.get('session_id') == session_id]

    def replies(self, user, session_id=None):
        return [line['replied'] for line in self.record(user, session_id)
                if 'replied' in line]

    def scheduled(self, session_id, user):
        """States of the maintenance.scheduled notifications to a user."""
        project_id = self.projects[user]
        return [p['state'] for _, p in self.observer.of(
            session_id, 'maintenance.scheduled')
            if p['project_id'] == project_id]

    def session_states(self, session_id):
        return [p['state'] for _, p in self.observer.of(
            session_id, 'maintenance.session')]

    def host_states(self, session_id, host):
        return [p['state'] for _, p in self.observer.of(
            session_id, 'maintenance.host') if p['host'] == host]
