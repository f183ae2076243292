#!/usr/bin/env python3
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
"""A real, small OpenStack on 127.0.0.1 for Fenix's end-to-end tests.

Keystone, Placement, Glance, Neutron (API only) and Nova (API, conductor,
scheduler and four nova-compute processes on a fake virt driver, hosts
compute1..compute4) run from ONE virtualenv pinned by requirements-lock.txt,
over the machine's RabbitMQ (vhost ``openstack``) and MariaDB.

Usage (system python3, standard library only)::

    harness.py install          # venv + pinned packages (reused if unchanged)
    harness.py start [--fresh]  # fresh state + all services, unless already up
    harness.py workload         # 3 servers each in projA/projB on every host
    harness.py status           # up/down per service; exit 0 when all up
    harness.py stop
    harness.py env [--json]     # admin OS_* exports (or stack facts as JSON)

Everything lives under ${FENIX_OPENSTACK_HOME:-/var/tmp/fenix-openstack}:
venv/, etc/ (rendered configs), data/, logs/, run/ (pid files).
Timing lines ("[  12.3s] ...") go to stderr; results to stdout.
See README.rst next to this file.
"""

import argparse
from concurrent.futures import ThreadPoolExecutor
import contextlib
import fcntl
import grp
import hashlib
import json
import os
from pathlib import Path
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

HERE = Path(__file__).resolve().parent
LOCK_FILE = HERE / 'requirements-lock.txt'
TEMPLATES = HERE / 'etc'
WSGI_DIR = HERE / 'wsgi'
FAKE_DRIVER = HERE / 'fenix_fake.py'
WORKLOAD_SCRIPT = HERE / 'workload.py'

HOME = Path(os.environ.get('FENIX_OPENSTACK_HOME', '/var/tmp/fenix-openstack'))
VENV = HOME / 'venv'
VENV_PYTHON = VENV / 'bin' / 'python'
VENV_STAMP = VENV / '.fenix-lock-stamp'
ETC = HOME / 'etc'
DATA = HOME / 'data'
LOGS = HOME / 'logs'
RUN = HOME / 'run'
STACK_FILE = RUN / 'stack.json'
HARNESS_LOCK = HOME / 'harness.lock'

HOST = '127.0.0.1'
AUTH_URL = f'http://{HOST}:5000/v3'
REGION = 'RegionOne'
ADMIN_USER, ADMIN_PASSWORD, ADMIN_PROJECT = 'admin', 'admin', 'admin'
SERVICE_PASSWORD = 'secret'
SERVICE_USERS = ('nova', 'placement', 'neutron', 'glance')
# project: (user, password); the user gets member+reader, admin gets admin.
TENANTS = {'projA': ('alice', 'secret'), 'projB': ('bob', 'secret')}

RABBIT_PORT = 5672
RABBIT_VHOST, RABBIT_USER, RABBIT_PASSWORD = 'openstack', 'openstack', 'secret'
TRANSPORT_URL = (
    f'rabbit://{RABBIT_USER}:{RABBIT_PASSWORD}@{HOST}:{RABBIT_PORT}/'
    f'{RABBIT_VHOST}'
)
DB_USER, DB_PASSWORD = 'os', 'secret'
DB_URL = f'mysql+pymysql://{DB_USER}:{DB_PASSWORD}@{HOST}'
DATABASES = ('nova_api', 'nova', 'nova_cell0', 'placement', 'neutron')

COMPUTE_HOSTS = tuple(f'compute{i}' for i in range(1, 5))
CATALOG = (  # name, type, url
    ('nova', 'compute', f'http://{HOST}:8774/v2.1'),
    ('placement', 'placement', f'http://{HOST}:8778'),
    ('neutron', 'network', f'http://{HOST}:9696'),
    ('glance', 'image', f'http://{HOST}:9292'),
)

# WSGI APIs under gunicorn: name -> (port, environment naming the config).
WSGI_APIS = {
    'keystone': (
        5000,
        {'OS_KEYSTONE_CONFIG_FILES': str(ETC / 'keystone/keystone.conf')},
    ),
    'placement': (8778, {'OS_PLACEMENT_CONFIG_DIR': str(ETC / 'placement')}),
    'glance': (9292, {'OS_GLANCE_CONFIG_DIR': str(ETC / 'glance')}),
    'neutron': (9696, {'OS_NEUTRON_CONFIG_DIR': str(ETC / 'neutron')}),
    'nova-api': (
        8774,
        {
            'OS_NOVA_CONFIG_DIR': str(ETC / 'nova'),
            'OS_NOVA_CONFIG_FILES': 'api-paste.ini;nova.conf;nova-api.conf',
        },
    ),
}
NOVA_DAEMONS = ('nova-conductor', 'nova-scheduler')
SERVICES = (*WSGI_APIS, *NOVA_DAEMONS, *(f'nova-{h}' for h in COMPUTE_HOSTS))

START_TIMEOUT = 240  # seconds for every service to answer / report up
STOP_GRACE = 10  # seconds before SIGKILL

_T0 = time.monotonic()


class HarnessError(Exception):
    """A step failed; the message says which log to read."""


def log(msg):
    print(
        f'[{time.monotonic() - _T0:6.1f}s] {msg}', file=sys.stderr, flush=True
    )


# --------------------------------------------------------------- utilities


def run(argv, logfile=None, env=None, timeout=600, check=True):
    """Run a command; its output goes to logfile (appended) or is returned."""
    full_env = dict(os.environ, PYTHONWARNINGS='ignore', **(env or {}))
    if logfile is None:
        proc = subprocess.run(
            [str(a) for a in argv],
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        out = proc.stdout + proc.stderr
    else:
        with open(logfile, 'a') as f:
            f.write(f'$ {" ".join(map(str, argv))}\n')
            f.flush()
            proc = subprocess.run(
                [str(a) for a in argv],
                stdout=f,
                stderr=subprocess.STDOUT,
                env=full_env,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
            )
        out = ''
    if check and proc.returncode != 0:
        where = f'; read {logfile}' if logfile else f':\n{out[-2000:]}'
        raise HarnessError(
            f'{Path(str(argv[0])).name} {" ".join(map(str, argv[1:3]))} '
            f'failed (exit {proc.returncode}){where}'
        )
    return out


def port_open(port):
    with contextlib.closing(socket.socket()) as s:
        s.settimeout(1)
        return s.connect_ex((HOST, port)) == 0


def http(method, url, body=None, token=None, timeout=10, headers=None):
    """Minimal JSON over HTTP: returns (status, headers, decoded body)."""
    hdrs = {'Accept': 'application/json', **(headers or {})}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        hdrs['Content-Type'] = 'application/json'
    if token:
        hdrs['X-Auth-Token'] = token
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, rhdrs, raw = resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        status, rhdrs, raw = e.code, e.headers, e.read()
    try:
        payload = json.loads(raw) if raw else None
    except ValueError:
        payload = raw.decode(errors='replace')
    return status, rhdrs, payload


def api_answers(port):
    """True when the HTTP API on port answers below 500 (300/401 count)."""
    try:
        return http('GET', f'http://{HOST}:{port}/', timeout=5)[0] < 500
    except OSError:
        return False


def wait_until(what, predicate, timeout, hint, interval=1.0):
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return
        if time.monotonic() > deadline:
            raise HarnessError(
                f'{what}: not ready after {timeout}s; read {hint}'
            )
        time.sleep(interval)


def mysql(sql):
    return run(
        ['mysql', '-uroot', '--batch', '--skip-column-names', '-e', sql]
    )


def rabbitmqctl(*args, check=True):
    return run(
        ['rabbitmqctl', '-q', *args],
        env={'ERL_EPMD_ADDRESS': HOST},
        check=check,
    )


def venv_bin(name):
    return VENV / 'bin' / name


# ----------------------------------------------------------------- install


def lock_stamp():
    digest = hashlib.sha256(LOCK_FILE.read_bytes()).hexdigest()
    return f'{digest} python{sys.version_info[0]}.{sys.version_info[1]}\n'


def venv_is_current():
    if not VENV_STAMP.is_file() or VENV_STAMP.read_text() != lock_stamp():
        return False
    probe = subprocess.run(
        [str(VENV_PYTHON), '-c', 'import nova, keystone'], capture_output=True
    )
    return probe.returncode == 0


def link_fake_driver():
    """Nova imports compute drivers as nova.virt.<module>: link ours in."""
    (virt,) = VENV.glob('lib/python3*/site-packages/nova/virt')
    target = virt / FAKE_DRIVER.name
    if target.is_symlink() or target.exists():
        target.unlink()
    target.symlink_to(FAKE_DRIVER)


def cmd_install(args):
    LOGS.mkdir(parents=True, exist_ok=True)
    if venv_is_current():
        print(f'reusing venv {VENV} (lock unchanged)')
    else:
        pip_log = LOGS / 'pip-install.log'
        pip_log.unlink(missing_ok=True)
        if VENV.exists():
            log(f'lock changed or venv incomplete: recreating {VENV}')
            if stop_services():
                log('stopped the services running from the old venv')
            shutil.rmtree(VENV)
        log(f'creating venv {VENV}')
        run([sys.executable, '-m', 'venv', VENV], logfile=pip_log)
        log(f'pip install --no-deps -r {LOCK_FILE.name} (log: {pip_log})')
        pip = [venv_bin('pip'), '--disable-pip-version-check']
        run([*pip, 'install', '--no-deps', '-r', LOCK_FILE], pip_log,
            timeout=1800)
        run([*pip, 'check'], pip_log)
        VENV_STAMP.write_text(lock_stamp())
        print(f'installed venv {VENV}')
    link_fake_driver()
    log('install done')


def require_venv():
    if not VENV_STAMP.is_file() or not VENV_PYTHON.exists():
        raise HarnessError(
            f'no venv at {VENV}: run "{Path(__file__).name} install" first'
        )


# ----------------------------------------------------------- infrastructure


def ensure_rabbitmq():
    if not port_open(RABBIT_PORT):
        log('RabbitMQ is down: starting it (rabbitmq-server -detached)')
        with open(LOGS / 'rabbitmq-start.log', 'a') as out:
            subprocess.run(
                ['rabbitmq-server', '-detached'],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=dict(os.environ, ERL_EPMD_ADDRESS=HOST),
                check=True,
            )
        wait_until(
            'RabbitMQ',
            lambda: port_open(RABBIT_PORT),
            90,
            '/var/log/rabbitmq/',
            interval=2,
        )
        rabbitmqctl('await_startup', '--timeout', '60')
    # A fresh vhost drops queues left by earlier runs (old compute topics).
    rabbitmqctl('delete_vhost', RABBIT_VHOST, check=False)
    rabbitmqctl('add_vhost', RABBIT_VHOST)
    if RABBIT_USER in rabbitmqctl('list_users').split():
        rabbitmqctl('change_password', RABBIT_USER, RABBIT_PASSWORD)
    else:
        rabbitmqctl('add_user', RABBIT_USER, RABBIT_PASSWORD)
    rabbitmqctl(
        'set_permissions', '-p', RABBIT_VHOST, RABBIT_USER, '.*', '.*', '.*'
    )


def mariadb_up():
    ping = subprocess.run(['mysqladmin', '-uroot', 'ping'],
                          capture_output=True)
    return ping.returncode == 0


def ensure_mariadb():
    if not mariadb_up():
        log('MariaDB is down: starting mariadbd')
        Path('/run/mysqld').mkdir(exist_ok=True)
        shutil.chown('/run/mysqld', 'mysql', 'mysql')
        run(['start-stop-daemon', '--start', '--oknodo', '--background',
             '--exec', '/usr/sbin/mariadbd'])
        wait_until('MariaDB', mariadb_up, 60, '/var/log/mysql/ or journal')
    sql = [
        f'DROP DATABASE IF EXISTS {db}; '
        f'CREATE DATABASE {db} CHARACTER SET utf8mb4;'
        for db in DATABASES
    ]
    user = f"'{DB_USER}'@'{HOST}'"
    sql.append(
        f"CREATE USER IF NOT EXISTS {user} IDENTIFIED BY '{DB_PASSWORD}';"
    )
    sql.append(f"ALTER USER {user} IDENTIFIED BY '{DB_PASSWORD}';")
    sql += [f'GRANT ALL PRIVILEGES ON {db}.* TO {user};' for db in DATABASES]
    mysql(' '.join(sql))


# ------------------------------------------------------------------ configs


def render_configs():
    """Copy etc/ templates into $HOME/etc, filling the @TOKENS@."""
    tokens = {
        '@ETC@': str(ETC),
        '@DATA@': str(DATA),
        '@LOGS@': str(LOGS),
        '@TRANSPORT_URL@': TRANSPORT_URL,
        '@DB@': DB_URL,
        '@SERVICE_PASSWORD@': SERVICE_PASSWORD,
    }

    def render(src, dst, extra=None):
        text = src.read_text()
        for key, value in {**tokens, **(extra or {})}.items():
            text = text.replace(key, value)
        leftover = re.search(r'@[A-Z_]+@', text)
        if leftover:
            raise HarnessError(f'unrendered token {leftover.group()} in {src}')
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(text)

    for src in TEMPLATES.rglob('*'):
        if src.is_file() and src.name != 'compute.conf.in':
            render(src, ETC / src.relative_to(TEMPLATES))
    for host in COMPUTE_HOSTS:
        render(
            TEMPLATES / 'nova/compute.conf.in',
            ETC / f'nova/{host}.conf',
            {'@COMPUTE_HOST@': host},
        )


def reset_state():
    for d in (ETC, DATA, LOGS):
        shutil.rmtree(d, ignore_errors=True)
    for d in (
        ETC,
        LOGS,
        RUN,
        DATA / 'lock',
        DATA / 'neutron',
        DATA / 'nova',
        DATA / 'keystone',
        *(DATA / f'glance/{s}' for s in ('images', 'staging', 'tasks')),
        *(DATA / h for h in COMPUTE_HOSTS),
    ):
        d.mkdir(parents=True, exist_ok=True)
    STACK_FILE.unlink(missing_ok=True)
    render_configs()


# ---------------------------------------------------------------- processes


def pid_file(name):
    return RUN / f'{name}.pid'


def proc_start_time(pid):
    """Start time (clock ticks after boot) of pid; None if gone or zombie."""
    try:
        stat = Path(f'/proc/{pid}/stat').read_text()
    except OSError:
        return None
    fields = stat.rsplit(')', 1)[1].split()
    if fields[0] == 'Z':
        return None
    return fields[19]


def service_pid(name):
    """pid of our running service, checked against the recorded start time."""
    try:
        pid, started = pid_file(name).read_text().split()
    except (OSError, ValueError):
        return None
    return int(pid) if proc_start_time(int(pid)) == started else None


def service_argv(name):
    if name in WSGI_APIS:
        port = WSGI_APIS[name][0]
        module = name.replace('-', '_') + '_app'
        return [venv_bin('gunicorn'), '--chdir', WSGI_DIR,
                '--bind', f'{HOST}:{port}', '--workers', '1',
                '--threads', '4', '--timeout', '300',
                # Idle keep-alive clients would hold a graceful stop 30 s.
                '--graceful-timeout', '3',
                '--access-logfile', LOGS / f'{name}-access.log',
                '--no-control-socket', f'{module}:application']
    nova_conf = ETC / 'nova/nova.conf'
    if name in NOVA_DAEMONS:
        return [venv_bin(name), '--config-file', nova_conf]
    host = name.removeprefix('nova-')
    return [venv_bin('nova-compute'), '--config-file', nova_conf,
            '--config-file', ETC / f'nova/{host}.conf']


def service_log(name):
    """The logs to read when a service misbehaves."""
    return f'{LOGS}/{name}.log and {name}.out'


def launch(name):
    """Start a service in its own session; pid file: pid and start time."""
    if service_pid(name):
        raise HarnessError(
            f'{name} is already running (pid {service_pid(name)})'
        )
    port = WSGI_APIS.get(name, (None, {}))[0]
    if port and port_open(port):
        raise HarnessError(
            f'port {port} for {name} is taken by a process this harness did '
            f'not start (see: ss -ltnp "sport = :{port}")'
        )
    env = dict(
        os.environ,
        PYTHONWARNINGS='ignore',
        **WSGI_APIS.get(name, (None, {}))[1],
    )
    with open(LOGS / f'{name}.out', 'ab') as out:
        proc = subprocess.Popen(
            [str(a) for a in service_argv(name)],
            cwd=HOME,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pid_file(name).write_text(f'{proc.pid} {proc_start_time(proc.pid)}\n')
    _children[name] = proc


# Services started by this process: to reap them and to spot early deaths.
_children = {}


def check_alive(name):
    proc = _children.get(name)
    if proc is not None and proc.poll() is not None:
        raise HarnessError(
            f'{name} exited with code {proc.returncode}; '
            f'read {service_log(name)}'
        )


def stop_services():
    pids = {}
    for name in SERVICES:
        pid = service_pid(name)
        if pid:
            pids[name] = pid
            # Each service leads its own process group (start_new_session).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
        pid_file(name).unlink(missing_ok=True)
    deadline = time.monotonic() + STOP_GRACE
    while time.monotonic() < deadline and any(
        _group_alive(p) for p in pids.values()
    ):
        _reap()
        time.sleep(0.3)
    for name, pid in pids.items():
        if _group_alive(pid):
            log(
                f'{name} (pid {pid}) ignored SIGTERM for {STOP_GRACE}s: '
                'SIGKILL'
            )
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
    _reap()
    return pids


def _group_alive(pgid):
    """True while a live (non-zombie) process remains in process group pgid."""
    for stat in Path('/proc').glob('[0-9]*/stat'):
        try:
            fields = stat.read_text().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if fields[0] != 'Z' and int(fields[2]) == pgid:
            return True
    return False


def _reap():
    for proc in _children.values():
        proc.poll()


# ----------------------------------------------------------------- keystone


class Keystone:
    """Just enough of the Identity v3 API for the setup (admin token)."""

    def __init__(
        self,
        username=ADMIN_USER,
        password=ADMIN_PASSWORD,
        project=ADMIN_PROJECT,
    ):
        body = {
            'auth': {
                'identity': {
                    'methods': ['password'],
                    'password': {
                        'user': {
                            'name': username,
                            'password': password,
                            'domain': {'id': 'default'},
                        }
                    },
                },
                'scope': {
                    'project': {'name': project, 'domain': {'id': 'default'}}
                },
            }
        }
        status, headers, payload = http(
            'POST', f'{AUTH_URL}/auth/tokens', body
        )
        if status != 201:
            raise HarnessError(
                f'keystone refused {username}: {status} {payload}; '
                f'read {LOGS / "keystone.log"}'
            )
        self.token = headers['X-Subject-Token']
        self.project_id = payload['token']['project']['id']

    def call(self, method, path, body=None, expect=(200, 201, 204)):
        url = path if path.startswith('http') else f'{AUTH_URL}{path}'
        status, _, payload = http(method, url, body, token=self.token)
        if status not in expect:
            raise HarnessError(f'{method} {url} -> {status} {payload}')
        return payload

    def find_or_create(self, collection, name, attrs=None, query=''):
        key = collection[:-1]
        found = self.call('GET', f'/{collection}?name={name}{query}')[
            collection
        ]
        if found:
            return found[0]['id']
        return self.call(
            'POST', f'/{collection}', {key: {'name': name, **(attrs or {})}}
        )[key]['id']

    def grant(self, project_id, user_id, role_id):
        self.call(
            'PUT', f'/projects/{project_id}/users/{user_id}/roles/{role_id}'
        )


def keystone_bootstrap():
    manage = [venv_bin('keystone-manage'),
              '--config-file', ETC / 'keystone/keystone.conf']
    logfile = LOGS / 'db-sync-keystone.log'
    owner = ['--keystone-user', pwd.getpwuid(os.getuid()).pw_name,
             '--keystone-group', grp.getgrgid(os.getgid()).gr_name]
    run([*manage, 'db_sync'], logfile)
    run([*manage, 'fernet_setup', *owner], logfile)
    run([*manage, 'credential_setup', *owner], logfile)
    url = f'{AUTH_URL}/'
    run([*manage, 'bootstrap', '--bootstrap-password', ADMIN_PASSWORD,
         '--bootstrap-admin-url', url, '--bootstrap-internal-url', url,
         '--bootstrap-public-url', url, '--bootstrap-region-id', REGION],
        logfile)


def keystone_setup():
    """Service users, catalog, projA/alice, projB/bob; writes stack.json."""
    ks = Keystone()
    roles = {r['name']: r['id'] for r in ks.call('GET', '/roles')['roles']}
    for role in ('admin', 'member', 'reader', 'service'):
        if role not in roles:
            roles[role] = ks.find_or_create('roles', role)
    admin_id = ks.call('GET', f'/users?name={ADMIN_USER}')['users'][0]['id']
    service_project = ks.find_or_create(
        'projects', 'service', {'domain_id': 'default'}
    )
    for name in SERVICE_USERS:
        uid = ks.find_or_create(
            'users',
            name,
            {'password': SERVICE_PASSWORD, 'domain_id': 'default'},
        )
        ks.grant(service_project, uid, roles['admin'])
        ks.grant(service_project, uid, roles['service'])
    projects, users = {}, {}
    for project, (user, password) in TENANTS.items():
        pid = ks.find_or_create('projects', project, {'domain_id': 'default'})
        uid = ks.find_or_create(
            'users',
            user,
            {
                'password': password,
                'domain_id': 'default',
                'default_project_id': pid,
            },
        )
        ks.grant(pid, uid, roles['member'])
        ks.grant(pid, uid, roles['reader'])
        ks.grant(pid, admin_id, roles['admin'])
        projects[project] = pid
        users[user] = {
            'user_id': uid,
            'password': password,
            'project_name': project,
            'project_id': pid,
            'user_domain_name': 'Default',
            'project_domain_name': 'Default',
        }
    for name, stype, url in CATALOG:
        sid = ks.find_or_create('services', name, {'type': stype})
        have = {
            e['interface']
            for e in ks.call('GET', f'/endpoints?service_id={sid}')[
                'endpoints'
            ]
        }
        for interface in ('public', 'internal', 'admin'):
            if interface not in have:
                ks.call(
                    'POST',
                    '/endpoints',
                    {
                        'endpoint': {
                            'service_id': sid,
                            'interface': interface,
                            'url': url,
                            'region_id': REGION,
                        }
                    },
                )
    stack = {
        'auth_url': AUTH_URL,
        'region_name': REGION,
        'admin': {
            'username': ADMIN_USER,
            'password': ADMIN_PASSWORD,
            'user_id': admin_id,
            'project_name': ADMIN_PROJECT,
            'project_id': ks.project_id,
            'user_domain_name': 'Default',
            'project_domain_name': 'Default',
        },
        'projects': projects,
        'users': users,
        'compute_hosts': list(COMPUTE_HOSTS),
        'transport_url': TRANSPORT_URL,
        'home': str(HOME),
        'python': str(VENV_PYTHON),
    }
    STACK_FILE.write_text(json.dumps(stack, indent=2) + '\n')


# ------------------------------------------------------------------- health


def nova_compute_services(ks=None):
    """{host: (state, status)} of the nova-compute services (compute API)."""
    ks = ks or Keystone()
    status, _, payload = http(
        'GET',
        f'http://{HOST}:8774/v2.1/os-services?binary=nova-compute',
        token=ks.token,
    )
    if status != 200:
        raise HarnessError(
            f'nova-api os-services -> {status}; read {service_log("nova-api")}'
        )
    return {s['host']: (s['state'], s['status']) for s in payload['services']}


def mapped_hosts():
    out = mysql('SELECT host FROM nova_api.host_mappings')
    return set(out.split())


def health():
    """{service: (ok, detail)} for every service of the stack."""
    result = {}
    for name in SERVICES:
        pid = service_pid(name)
        port = WSGI_APIS.get(name, (None,))[0]
        if not pid:
            result[name] = (False, 'not running')
        elif port and not api_answers(port):
            result[name] = (
                False,
                f'pid {pid}, http://{HOST}:{port}/ does not answer',
            )
        else:
            result[name] = (
                True,
                f'pid {pid}' + (f', http://{HOST}:{port}/' if port else ''),
            )
    if all(ok for ok, _ in result.values()):
        try:
            computes = nova_compute_services()
            mapped = mapped_hosts()
        except (HarnessError, OSError) as e:
            computes, mapped = {}, set()
            result['nova-api'] = (False, f'compute API check failed: {e}')
        for host in COMPUTE_HOSTS:
            name = f'nova-{host}'
            state, status = computes.get(host, ('missing', '-'))
            ok = state == 'up' and host in mapped
            detail = f'{result[name][1]}, nova service {state}/{status}'
            if host not in mapped:
                detail += ', not mapped to cell1'
            result[name] = (ok and result[name][0], detail)
    return result


def stack_healthy():
    if not STACK_FILE.is_file():
        return False
    return all(ok for ok, _ in health().values())


# -------------------------------------------------------------------- start


def db_sync_nova():
    manage = [venv_bin('nova-manage'), '--config-file', ETC / 'nova/nova.conf']
    logfile = LOGS / 'db-sync-nova.log'
    run([*manage, 'api_db', 'sync'], logfile)
    run([*manage, 'cell_v2', 'map_cell0',
         '--database_connection', f'{DB_URL}/nova_cell0?charset=utf8'],
        logfile)
    run([*manage, 'db', 'sync'], logfile)  # also migrates cell0
    run(
        [*manage, 'cell_v2', 'create_cell', '--name', 'cell1', '--verbose'],
        logfile,
    )


def wait_api(name):
    port = WSGI_APIS[name][0]

    def ready():
        check_alive(name)
        return api_answers(port)

    wait_until(
        f'{name} on port {port}', ready, START_TIMEOUT, service_log(name), 0.5
    )
    log(f'{name} answers on http://{HOST}:{port}/')


def start_stack():
    rabbit_ready = threading.Event()

    def step(name, fn):
        fn()
        log(f'{name} done')

    def keystone_chain():
        keystone_bootstrap()
        launch('keystone')
        wait_api('keystone')
        keystone_setup()
        log('keystone bootstrap + projects/users/catalog done')

    def api_chain(name, sync_argv):
        run(sync_argv, LOGS / f'db-sync-{name}.log', timeout=600)
        log(f'{name} db sync done')
        if name == 'neutron':
            rabbit_ready.wait(120)
        launch(name)

    def rabbit_chain():
        ensure_rabbitmq()
        rabbit_ready.set()
        log(f'RabbitMQ vhost {RABBIT_VHOST} ready')

    # Phase 1: MariaDB databases, then everything that only needs its own
    # schema runs in parallel; the APIs start as soon as their schema is there.
    ensure_mariadb()
    log('MariaDB databases created')
    syncs = {
        'placement': [venv_bin('placement-manage'), '--config-file',
                      ETC / 'placement/placement.conf', 'db', 'sync'],
        'glance': [venv_bin('glance-manage'), '--config-file',
                   ETC / 'glance/glance-api.conf', 'db_sync'],
        'neutron': [venv_bin('neutron-db-manage'),
                    '--config-file', ETC / 'neutron/neutron.conf',
                    '--config-file', ETC / 'neutron/plugins/ml2/ml2_conf.ini',
                    'upgrade', 'heads'],
    }
    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [
            pool.submit(rabbit_chain),
            pool.submit(keystone_chain),
            pool.submit(step, 'nova db sync', db_sync_nova),
            *(pool.submit(api_chain, name, argv)
              for name, argv in syncs.items()),
        ]
        for f in futures:
            f.result()

    # Phase 2: Nova. Computes register with Placement at start-up, so
    # Placement must answer first.
    wait_api('placement')
    for name in ('nova-api', *NOVA_DAEMONS,
                 *(f'nova-{h}' for h in COMPUTE_HOSTS)):
        launch(name)
    log('nova services launched')
    for name in ('glance', 'neutron', 'nova-api'):
        wait_api(name)

    # Phase 3: all computes report 'up', then map them into cell1.
    ks = Keystone()
    state = {}

    def computes_up():
        for host in COMPUTE_HOSTS:
            check_alive(f'nova-{host}')
        for daemon in NOVA_DAEMONS:
            check_alive(daemon)
        state.update(nova_compute_services(ks))
        return all(state.get(h, ('down',))[0] == 'up' for h in COMPUTE_HOSTS)

    wait_until('4 nova-compute services up', computes_up, START_TIMEOUT,
               f'{LOGS}/nova-compute<N>.log', 1)
    log('4 nova-compute services up')

    discover = [venv_bin('nova-manage'), '--config-file',
                ETC / 'nova/nova.conf', 'cell_v2', 'discover_hosts',
                '--verbose']

    def all_mapped():
        run(discover, LOGS / 'discover-hosts.log')
        return mapped_hosts() >= set(COMPUTE_HOSTS)

    wait_until('compute hosts mapped to cell1', all_mapped, 120,
               f'{LOGS}/discover-hosts.log and nova-compute<N>.log', 2)
    log('compute hosts mapped to cell1')


def cmd_start(args):
    require_venv()
    for d in (LOGS, RUN):
        d.mkdir(parents=True, exist_ok=True)
    link_fake_driver()  # cheap; keeps the link right if the checkout moved
    if not args.fresh and stack_healthy():
        log('already up')
        print(f'mini OpenStack already up ({AUTH_URL})')
        return 0
    if stop_services():
        log('stopped leftover services')
    reset_state()
    log(f'fresh state in {HOME}')
    try:
        start_stack()
    except BaseException:
        log(f'start failed: stopping what was started (logs stay in {LOGS})')
        stop_services()
        raise
    log('ALL UP')
    print(f'mini OpenStack up ({AUTH_URL}), state and logs in {HOME}')
    return 0


# ------------------------------------------------------------ other commands


def cmd_stop(args):
    stopped = stop_services()
    log(f'stopped {len(stopped)} services')
    print('stopped: ' + (' '.join(stopped) or 'nothing was running'))
    return 0


def cmd_status(args):
    result = health()
    for name, (ok, detail) in result.items():
        print(f'{name:16} {"up" if ok else "DOWN":5} {detail}')
    return 0 if all(ok for ok, _ in result.values()) else 1


def cmd_env(args):
    if args.json:
        if not STACK_FILE.is_file():
            raise HarnessError(
                f'{STACK_FILE} missing: run "{Path(__file__).name} start"'
            )
        print(STACK_FILE.read_text(), end='')
        return 0
    exports = {
        'OS_AUTH_URL': AUTH_URL,
        'OS_USERNAME': ADMIN_USER,
        'OS_PASSWORD': ADMIN_PASSWORD,
        'OS_PROJECT_NAME': ADMIN_PROJECT,
        'OS_USER_DOMAIN_NAME': 'Default',
        'OS_PROJECT_DOMAIN_NAME': 'Default',
        'OS_IDENTITY_API_VERSION': '3',
        'OS_REGION_NAME': REGION,
        'FENIX_OPENSTACK_HOME': str(HOME),
        'FENIX_OPENSTACK_PYTHON': str(VENV_PYTHON),
        'FENIX_OPENSTACK_BIN': str(VENV / 'bin'),
    }
    for key, value in exports.items():
        print(f'export {key}={value}')
    return 0


def cmd_workload(args):
    require_venv()
    if not STACK_FILE.is_file():
        raise HarnessError(
            f'{STACK_FILE} missing: run "{Path(__file__).name} start"'
        )
    env = dict(
        os.environ,
        PYTHONWARNINGS='ignore',
        FENIX_OPENSTACK_STACK=str(STACK_FILE),
    )
    proc = subprocess.run(
        [str(VENV_PYTHON), str(WORKLOAD_SCRIPT)],
        env=env,
        stdin=subprocess.DEVNULL,
    )
    if proc.returncode:
        raise HarnessError(
            f'workload failed (exit {proc.returncode}); see the messages '
            f'above and {LOGS}/nova-*.log'
        )
    log('workload done')
    return 0


@contextlib.contextmanager
def harness_lock():
    """Serialise commands that change the stack (two callers must not race)."""
    HOME.mkdir(parents=True, exist_ok=True)
    with open(HARNESS_LOCK, 'w') as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    sub.add_parser(
        'install', help='create/reuse the venv from requirements-lock.txt'
    )
    start = sub.add_parser(
        'start', help='start the stack with fresh state unless it is up'
    )
    start.add_argument(
        '--fresh',
        action='store_true',
        help='restart with fresh state even if up',
    )
    sub.add_parser(
        'workload',
        help='reset servers: 3 in projA, 3 in projB, every host used',
    )
    sub.add_parser('stop', help='stop every service')
    sub.add_parser(
        'status', help='up/down per service; exit 0 when all are up'
    )
    env = sub.add_parser('env', help='print admin OS_* exports')
    env.add_argument(
        '--json', action='store_true', help='print the stack facts as JSON'
    )
    args = parser.parse_args(argv)
    commands = {
        'install': cmd_install,
        'start': cmd_start,
        'workload': cmd_workload,
        'stop': cmd_stop,
        'status': cmd_status,
        'env': cmd_env,
    }
    try:
        if args.command in ('status', 'env'):
            return commands[args.command](args)
        with harness_lock():
            return commands[args.command](args)
    except HarnessError as e:
        log(f'ERROR: {e}')
        return 1


if __name__ == '__main__':
    sys.exit(main())
