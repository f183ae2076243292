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
"""Benchmark of one whole maintenance session on the simulated cloud.

Not a test: it runs one session of the ``default`` workflow over a
synthetic cloud (``fenix.cloud.simulated.generate_inventory``) with the
``dummy`` host action and instant migrations (time scale 0), every project
subscribed and answering at once, and prints what the engine cost::

    .venv/bin/python tools/benchmark.py --hosts 1000 --instances 20000 \\
        --projects 200 [--database mysql+pymysql://root@127.0.0.1/bench] \\
        [--transport rabbit://guest:guest@127.0.0.1:5672/] [--json] \\
        [--profile /tmp/engine.prof]

Where the cost is measured:

* The API, the engine and the simulated cloud run embedded
  (``fenix.embedded``) in a child process of their own: the "engine
  process". Its CPU time over the session (every thread: the session's
  workflow thread, the API's request threads, the RPC server, the sweep,
  the notification bus, logging to its file) is the engine CPU figure, so
  the figure errs on the high side: the simulated cloud stands in for Nova
  and is counted too. The CPU time of the session's own thread
  (``time.thread_time``) is printed beside it.
* The projects' app managers are lightweight auto-repliers in this (the
  parent) process: on each ``maintenance.scheduled`` that wants an answer
  they GET the project URL and PUT ``ACK_<state>`` (MIGRATE for every
  instance) over HTTP, as the sample VNFM does, without its own cloud
  look-ups. With the in-process ``fake:/`` transport the engine process
  forwards the notifications to them over a pipe; with ``--transport
  rabbit://...`` they listen on RabbitMQ themselves.
* Peak RSS is the engine process's high-water mark (VmHWM); it includes the
  simulated cloud's model of every host and instance.
* Database rows: the rows in every table after the session (per table), and
  the rows the session's INSERT/UPDATE/DELETE statements touched, counted
  on the engine process's database engine; both divided by the hosts. The
  CPU of a MySQL or PostgreSQL server is not counted anywhere.

A session still running after ``--timeout`` seconds is left unfinished
and reported as TIMEOUT, with the figures per host taken over the hosts
maintained so far (to extrapolate from).

``--profile FILE`` runs cProfile in the session's thread (written to FILE)
and in the API's request threads (FILE.api) and prints the top functions,
by the threads' CPU time (``--profile-clock wall`` to see waits too); the
CPU figures of a profiled run are inflated by the profiler.
"""

import argparse
import collections
import concurrent.futures
import cProfile
import datetime
import json
import multiprocessing
import os
import pstats
import queue
import re
import resource
import shutil
import sys
import tempfile
import threading
import time
import traceback
import uuid

import requests
import sqlalchemy as sa

from fenix.common import states

TARGET_CPU_MS_PER_HOST = 20.0
TARGET_RSS_MB = 300.0
SESSION_EVENT = 'maintenance.session'
HOST_EVENT = 'maintenance.host'
PROJECT_EVENT = 'maintenance.scheduled'
MOVE_STATES = (states.PREPARE_MAINTENANCE, states.PLANNED_MAINTENANCE)
_DB_NAME = re.compile(r'^[A-Za-z0-9_]+$')


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        description='Time one maintenance session of the default workflow '
                    'on the simulated cloud.')
    parser.add_argument('--hosts', type=int, default=1000)
    parser.add_argument('--instances', type=int, default=20000,
                        help='instances in all; spread evenly over the '
                             'projects (rounded down to a multiple)')
    parser.add_argument('--projects', type=int, default=200,
                        help='projects, each with an auto-replier')
    parser.add_argument('--fill', type=float, default=0.6,
                        help='share of the cloud the instances use '
                             '(default 0.6: any host can be emptied)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--database', default=None,
                        help='default: a SQLite file in a temporary '
                             'directory. A mysql+pymysql:// or '
                             'postgresql+psycopg2:// URL names a database '
                             'that must not exist yet: it is created and '
                             'dropped afterwards')
    parser.add_argument('--transport', default='fake:/',
                        help='oslo.messaging transport URL (default '
                             'fake:/, in-process); e.g. '
                             'rabbit://guest:guest@127.0.0.1:5672/')
    parser.add_argument('--repliers', type=int, default=8,
                        help='threads answering notifications')
    parser.add_argument('--reply-timeout', type=int, default=600,
                        help='[workflow] reply_timeout of the engine')
    parser.add_argument('--timeout', type=float, default=1800,
                        help='give up on the session after this many '
                             'seconds and report what was done')
    parser.add_argument('--profile', metavar='FILE',
                        help='cProfile the session thread into FILE (and '
                             'the API request threads into FILE.api)')
    parser.add_argument('--profile-clock', choices=('cpu', 'wall'),
                        default='cpu',
                        help='what the profile measures: CPU time of the '
                             'thread (default) or wall time (waits too)')
    parser.add_argument('--profile-top', type=int, default=25)
    parser.add_argument('--json', action='store_true',
                        help='print the figures as JSON on stdout')
    parser.add_argument('--keep', action='store_true',
                        help='keep the work directory (log, SQLite file)')
    args = parser.parse_args(argv)
    if args.hosts < 2 or args.projects < 1 or (
            args.instances < args.projects):
        parser.error('need 2 hosts or more and at least one instance per '
                     'project')
    return args


# -- measuring the engine process ---------------------------------------------

def _proc_status_mb(field):
    """A memory figure of /proc/self/status (VmRSS, VmHWM) in MB."""
    try:
        with open('/proc/self/status', encoding='ascii') as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_maxrss / 1024.0


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Counters:
    """Thread-safe counters."""

    def __init__(self):
        self._lock = threading.Lock()
        self.values = collections.Counter()

    def add(self, key, n=1):
        with self._lock:
            self.values[key] += n

    def snapshot(self):
        with self._lock:
            return dict(self.values)


class _Forwarder:
    """Notification endpoint of the engine process (fake transport).

    Counts every notification and hands those the parent acts on to it.
    """

    def __init__(self, send, counters):
        self.send = send
        self.counters = counters

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        state = payload.get('state')
        self.counters.add('%s %s' % (event_type, state))
        if event_type == PROJECT_EVENT and (
                state not in states.REPLY_STATES):
            return None
        if event_type == HOST_EVENT and (
                state != states.HOST_MAINTENANCE_COMPLETE):
            return None
        self.send(('event', event_type, payload))
        return None


def _instrument(profile, clock, measures):
    """Measure (and profile) the session thread and the API threads."""
    from fenix.api import server as api_server
    from fenix.engine import runner as runner_mod

    measures['session_thread_cpu'] = 0.0
    # Thread ident -> its CPU time when its run began, while it runs.
    measures['running'] = {}
    measures['session_profile'] = None
    measures['api_profile'] = None
    original_run = runner_mod.SessionRunner._run
    timer = time.thread_time if clock == 'cpu' else time.perf_counter

    def _run(runner, handle):
        profiler = cProfile.Profile(timer) if profile else None
        start = time.thread_time()
        measures['running'][threading.get_ident()] = start
        if profiler is not None:
            profiler.enable()
        try:
            return original_run(runner, handle)
        finally:
            if profiler is not None:
                profiler.disable()
                if measures['session_profile'] is None:
                    measures['session_profile'] = pstats.Stats(profiler)
                else:
                    measures['session_profile'].add(profiler)
            measures['session_thread_cpu'] += time.thread_time() - start
            measures['running'].pop(threading.get_ident(), None)

    runner_mod.SessionRunner._run = _run
    if not profile:
        return
    lock = threading.Lock()
    original_handle = api_server._RequestHandler.handle

    def handle(handler):
        profiler = cProfile.Profile(timer)
        profiler.enable()
        try:
            return original_handle(handler)
        finally:
            profiler.disable()
            with lock:
                if measures['api_profile'] is None:
                    measures['api_profile'] = pstats.Stats(profiler)
                else:
                    measures['api_profile'].add(profiler)

    api_server._RequestHandler.handle = handle


def _session_thread_cpu(measures):
    """CPU time of the session runs so far, those still running too."""
    total = measures['session_thread_cpu']
    for ident, start in list(measures['running'].items()):
        try:
            clock = time.pthread_getcpuclockid(ident)
            total += time.clock_gettime(clock) - start
        except (OSError, AttributeError):
            pass
    return total


def _count_statements(engine, counters):
    """Count the statements (and rows written) on ``engine``."""
    @sa.event.listens_for(engine, 'after_cursor_execute')
    def _after(conn, cursor, statement, parameters, context, executemany):
        verb = statement.lstrip().split(None, 1)[0].upper()
        counters.add(verb)
        if verb in ('INSERT', 'UPDATE', 'DELETE'):
            rows = cursor.rowcount
            if rows and rows > 0:
                counters.add(verb + ' rows', rows)

    return _after


def _table_rows(engine):
    rows = {}
    with engine.connect() as conn:
        for name in sorted(sa.inspect(engine).get_table_names()):
            rows[name] = conn.execute(
                sa.select(sa.func.count()).select_from(sa.table(name))
            ).scalar()
    return rows


def _engine_main(spec, conn):
    """The engine process: API, engine and simulated cloud."""
    send_lock = threading.Lock()

    def send(message):
        with send_lock:
            conn.send(message)

    try:
        _engine_run(spec, conn, send)
    except Exception:
        send(('error', traceback.format_exc()))
    finally:
        conn.close()


def _engine_run(spec, conn, send):
    import warnings
    warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

    from oslo_config import cfg
    from oslo_log import log as logging
    import oslo_messaging as messaging

    from fenix.common import rpc
    from fenix.db import api as db
    from fenix import embedded

    measures = {}
    _instrument(spec['profile'], spec['profile_clock'], measures)
    groups = {
        'DEFAULT': {'transport_url': spec['transport'],
                    'control_exchange': spec['exchange'],
                    'host': 'fenix-benchmark'},
        'database': {'connection': spec['database']},
    }
    # NOTE: the global CONF, as in the services: oslo.messaging reads some
    # of its options from there only.
    conf = embedded.demo_conf(spec['workdir'], port=0,
                              inventory=spec['inventory'], time_scale=0,
                              reply_timeout=spec['reply_timeout'],
                              conf=cfg.CONF, **groups)
    logging.setup(conf, 'fenix')
    fenix = embedded.Embedded(conf, vnfm_projects=[])
    notifications = _Counters()
    statements = _Counters()
    listener = None
    fenix.start()
    try:
        if spec['forward']:
            # NOTE: without a pool, so that the fake driver's default queue,
            # which every notification also goes to, is consumed.
            listener = messaging.get_notification_listener(
                rpc.get_notification_transport(),
                [messaging.Target(topic='notifications')],
                [_Forwarder(send, notifications)], executor='threading')
            listener.start()
        _count_statements(db.get_engine(), statements)
        cloud = fenix.cloud.snapshot()
        rss_ready = _proc_status_mb('VmRSS')
        cpu0 = _cpu_seconds()
        thread0 = _session_thread_cpu(measures)
        send(('ready', {'endpoint': fenix.endpoint,
                        'hosts': len(cloud['hosts']),
                        'instances': len(cloud['instances'])}))
        conn.recv()  # finish
        cpu = _cpu_seconds() - cpu0
        counts = statements.snapshot()
        result = {
            'cpu_s': cpu,
            'session_thread_cpu_s': _session_thread_cpu(measures) - thread0,
            'rss_ready_mb': rss_ready,
            'rss_peak_mb': _proc_status_mb('VmHWM'),
            'statements': counts,
            'table_rows': _table_rows(db.get_engine()),
            'notifications': notifications.snapshot(),
        }
        if spec['profile']:
            # NOTE: the session thread ends its run when the session does;
            # give it a moment to leave the profiled call.
            deadline = time.monotonic() + 10
            while (measures['session_profile'] is None
                   and time.monotonic() < deadline):
                time.sleep(0.1)
            if measures['running']:
                # NOTE: still running (timed out): stop the engine at its
                # next safe point, which ends the profiled run.
                fenix.engine.stop()
                fenix.engine = None
            for key, path in (('session_profile', spec['profile']),
                              ('api_profile', spec['profile'] + '.api')):
                if measures[key] is not None:
                    measures[key].dump_stats(path)
        send(('result', result))
    finally:
        if listener is not None:
            listener.stop()
            listener.wait()
        fenix.stop()


# -- the parent: databases, auto-repliers, the report -------------------------

def _admin_engine(url):
    server = sa.engine.URL.create(
        url.drivername, username=url.username, password=url.password,
        host=url.host, port=url.port,
        database=None if url.get_backend_name() == 'mysql' else 'postgres')
    return sa.create_engine(server, isolation_level='AUTOCOMMIT')


def _prepare_database(database, workdir):
    """The URL to use and a callable that drops what was created."""
    if not database:
        return 'sqlite:///%s' % os.path.join(workdir, 'fenix.sqlite'), None
    url = sa.engine.make_url(database)
    backend = url.get_backend_name()
    if backend == 'sqlite':
        return database, None
    if backend not in ('mysql', 'postgresql'):
        raise SystemExit('--database: sqlite, mysql or postgresql only')
    name = url.database
    if not name or not _DB_NAME.match(name):
        raise SystemExit('--database: name a database (letters, digits, '
                         '_): it is created and dropped afterwards')
    quoted = '`%s`' % name if backend == 'mysql' else '"%s"' % name
    admin = _admin_engine(url)
    try:
        with admin.connect() as conn:
            if backend == 'mysql':
                exists = conn.execute(sa.text(
                    'SELECT 1 FROM information_schema.schemata '
                    'WHERE schema_name = :n'), {'n': name}).first()
            else:
                exists = conn.execute(sa.text(
                    'SELECT 1 FROM pg_database WHERE datname = :n'),
                    {'n': name}).first()
            if exists:
                raise SystemExit('--database: %s exists already; name a new '
                                 'one (it is dropped afterwards)' % name)
            conn.execute(sa.text(
                'CREATE DATABASE %s%s' % (
                    quoted,
                    ' CHARACTER SET utf8mb4' if backend == 'mysql' else '')))
    finally:
        admin.dispose()
    if backend == 'mysql' and 'charset' not in url.query:
        url = url.update_query_dict({'charset': 'utf8mb4'})

    def drop():
        engine = _admin_engine(url)
        try:
            with engine.connect() as conn:
                conn.execute(sa.text('DROP DATABASE IF EXISTS %s%s' % (
                    quoted,
                    ' WITH (FORCE)' if backend == 'postgresql' else '')))
        finally:
            engine.dispose()

    return url.render_as_string(hide_password=False), drop


def _write_inventory(args, workdir):
    from fenix.cloud import simulated
    per_project = args.instances // args.projects
    inventory = simulated.generate_inventory(
        hosts=args.hosts, projects=args.projects,
        instances_per_project=per_project, seed=args.seed, fill=args.fill)
    path = os.path.join(workdir, 'inventory.json')
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(inventory, f)
    return path


class _Replier:
    """The auto-replying app managers of every project.

    Also follows the session's notifications: its states, the hosts done.
    """

    def __init__(self, workers, log):
        self.endpoint = None
        self.session_id = None
        self.log = log
        self.ended = threading.Event()
        self.end = None
        self.hosts_done = 0
        self.states = []
        self.replies = _Counters()
        self.heard = _Counters()
        self.errors = []
        self._early = []
        self._lock = threading.Lock()
        self._local = threading.local()
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix='replier')

    def _http(self):
        if not hasattr(self._local, 'session'):
            self._local.session = requests.Session()
        return self._local.session

    def begin(self, session_id, started):
        """The session to follow; events that came first are replayed."""
        with self._lock:
            self.session_id = session_id
            self.states.append((started, states.MAINTENANCE))
            early, self._early = self._early, []
        for event_type, payload in early:
            self.on_event(event_type, payload)

    def on_event(self, event_type, payload):
        with self._lock:
            if self.session_id is None:
                self._early.append((event_type, payload))
                return
        if payload.get('session_id') != self.session_id:
            return
        state = payload.get('state')
        if event_type == SESSION_EVENT:
            with self._lock:
                self.states.append((time.monotonic(), state))
            if state in states.INACTIVE_SESSION_STATES:
                self.end = payload
                self.ended.set()
        elif event_type == HOST_EVENT:
            if state == states.HOST_MAINTENANCE_COMPLETE:
                with self._lock:
                    self.hosts_done += 1
        elif event_type == PROJECT_EVENT and state in states.REPLY_STATES:
            try:
                self._executor.submit(self._reply, payload)
            except RuntimeError:
                # NOTE: stopped (the session ran out of time): no answer.
                self.replies.add('not answered: stopped')

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        """Notification endpoint (RabbitMQ)."""
        self.heard.add('%s %s' % (event_type, payload.get('state')))
        self.on_event(event_type, payload)

    def _reply(self, payload):
        state = payload['state']
        project = payload['project_id']
        headers = {'X-Project-Id': project, 'X-Roles': 'member',
                   'Accept': 'application/json'}
        http = self._http()
        try:
            got = http.get(payload['instance_ids'], headers=headers,
                           timeout=120)
            got.raise_for_status()
            ids = got.json()['instance_ids']
            body = {'state': 'ACK_%s' % state}
            if state in MOVE_STATES:
                body['instance_actions'] = {i: states.MIGRATE for i in ids}
            else:
                body['instance_ids'] = ids
            put = http.put(payload['reply_url'], json=body, headers=headers,
                           timeout=120)
            if put.status_code != 200:
                raise RuntimeError('HTTP %s: %s' % (put.status_code,
                                                    put.text[:300]))
            self.replies.add(body['state'])
        except Exception as e:
            self.replies.add('failed')
            with self._lock:
                self.errors.append('%s %s: %s' % (project, state, e))
            self.log('reply of project %s to %s failed: %s'
                     % (project, state, e))

    def stop(self):
        self._executor.shutdown(wait=True, cancel_futures=True)


def _receive(conn, replier, inbox):
    """The engine process's messages: events to the replier, others queued."""
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            inbox.put(('gone',))
            return
        if message[0] == 'event':
            try:
                replier.on_event(message[1], message[2])
            except Exception as e:
                replier.log('event %s not handled: %s' % (message[1:], e))
        else:
            inbox.put(message)


def _now():
    return datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S')


def _create_session(endpoint):
    body = {'hosts': [], 'state': states.MAINTENANCE,
            'maintenance_at': _now(), 'workflow': 'default',
            'metadata': {'openstack_version': 'benchmark'},
            'actions': [{'plugin': 'dummy', 'type': 'host', 'order': 1}]}
    resp = requests.post(endpoint + '/v1/maintenance', json=body,
                         timeout=120)
    if resp.status_code != 200:
        raise RuntimeError('Creating the session failed: HTTP %s: %s'
                           % (resp.status_code, resp.text[:500]))
    return resp.json()['session_id']


def _time_in_states(marks, t_end):
    spent = collections.OrderedDict()
    for (t, state), nxt in zip(marks, marks[1:] + [(t_end, None)]):
        if state in states.INACTIVE_SESSION_STATES:
            continue
        spent[state] = spent.get(state, 0.0) + (nxt[0] - t)
    return spent


def _rabbit_listener(transport_url, exchange, replier):
    from oslo_config import cfg
    import oslo_messaging as messaging
    conf = cfg.ConfigOpts()
    conf([], project='fenix-benchmark', default_config_files=[])
    messaging.set_transport_defaults(control_exchange=exchange)
    transport = messaging.get_notification_transport(conf, url=transport_url)
    listener = messaging.get_notification_listener(
        transport, [messaging.Target(topic='notifications')], [replier],
        executor='threading', pool='fenix-benchmark-%s' % exchange)
    listener.start()
    return listener, transport


def _progress_line(replier, hosts, started):
    with replier._lock:
        state = replier.states[-1][1] if replier.states else '-'
        done = replier.hosts_done
    return '%6.0fs  %s  %d/%d hosts maintained' % (
        time.monotonic() - started, state, done, hosts)


def run(args, log):
    """Run the benchmark; return the figures (a dict)."""
    workdir = tempfile.mkdtemp(prefix='fenix-bench-')
    drop = None
    process = None
    listener = transport = None
    replier = _Replier(args.repliers, log)
    try:
        database, drop = _prepare_database(args.database, workdir)
        t0 = time.monotonic()
        inventory = _write_inventory(args, workdir)
        log('inventory of %d hosts written in %.1fs' % (
            args.hosts, time.monotonic() - t0))
        forward = args.transport.startswith('fake:')
        exchange = 'fenix-bench-%s' % uuid.uuid4().hex[:8]
        if not forward:
            listener, transport = _rabbit_listener(args.transport, exchange,
                                                   replier)
        spec = {'workdir': workdir, 'inventory': inventory,
                'database': database, 'transport': args.transport,
                'exchange': exchange, 'forward': forward,
                'reply_timeout': args.reply_timeout,
                'profile_clock': args.profile_clock,
                'profile': os.path.abspath(args.profile)
                if args.profile else None}
        ctx = multiprocessing.get_context('spawn')
        parent_conn, child_conn = ctx.Pipe()
        process = ctx.Process(target=_engine_main, args=(spec, child_conn),
                              name='fenix-engine')
        process.start()
        child_conn.close()
        inbox = queue.Queue()
        threading.Thread(target=_receive, args=(parent_conn, replier, inbox),
                         daemon=True, name='receive').start()
        message = inbox.get()
        if message[0] != 'ready':
            raise RuntimeError('The engine process did not start: %s'
                               % (message[1:] or 'it died',))
        ready = message[1]
        replier.endpoint = ready['endpoint']
        log('engine process %d ready at %s: %d hosts, %d instances' % (
            process.pid, ready['endpoint'], ready['hosts'],
            ready['instances']))

        parent_cpu0 = _cpu_seconds()
        started = time.monotonic()
        session_id = _create_session(ready['endpoint'])
        replier.begin(session_id, started)
        deadline = started + args.timeout
        timed_out = False
        while not replier.ended.wait(min(10.0, max(0.0, deadline
                                                   - time.monotonic()))):
            if not process.is_alive():
                raise RuntimeError('The engine process died')
            if time.monotonic() >= deadline:
                timed_out = True
                break
            log(_progress_line(replier, ready['hosts'], started))
        wall = time.monotonic() - started
        replier.stop()
        parent_cpu = _cpu_seconds() - parent_cpu0
        parent_conn.send('finish')
        message = inbox.get(timeout=600)
        if message[0] != 'result':
            raise RuntimeError('The engine process failed: %s'
                               % (message[1:] or 'it died',))
        result = message[1]
        process.join(60)
        end = replier.end or {}
        return _figures(args, ready, session_id, database, wall, timed_out,
                        end, replier, result, parent_cpu,
                        _time_in_states(replier.states, started + wall))
    finally:
        if process is not None and process.is_alive():
            process.join(30)
            if process.is_alive():
                process.terminate()
                process.join(10)
        if listener is not None:
            listener.stop()
            listener.wait()
            transport.cleanup()
        if drop is not None:
            drop()
        if args.keep:
            log('work directory kept: %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _figures(args, ready, session_id, database, wall, timed_out, end,
             replier, result, parent_cpu, spent):
    hosts = ready['hosts']
    done = replier.hosts_done
    # NOTE: figures per host are over the hosts maintained when the session
    # did not end in time.
    per = hosts if not timed_out else max(done, 1)
    counts = result['statements']
    rows = {k: v for k, v in result['table_rows'].items()
            if k != 'alembic_version'}
    written = sum(counts.get(v + ' rows', 0)
                  for v in ('INSERT', 'UPDATE', 'DELETE'))
    cpu_ms = 1000.0 * result['cpu_s'] / per
    safe_db = sa.engine.make_url(database).render_as_string(
        hide_password=True)
    return {
        'hosts': hosts,
        'instances': ready['instances'],
        'projects': args.projects,
        'database': safe_db,
        'transport': args.transport.split('@')[-1],
        'profiled': bool(args.profile),
        'session_id': session_id,
        'state': 'TIMEOUT' if timed_out else end.get('state'),
        'reason': end.get('reason'),
        'hosts_maintained': done,
        'per_host_over': per,
        'wall_s': wall,
        'wall_ms_per_host': 1000.0 * wall / per,
        'engine_cpu_s': result['cpu_s'],
        'engine_cpu_ms_per_host': cpu_ms,
        'engine_cpu_target_ms_per_host': TARGET_CPU_MS_PER_HOST,
        'engine_cpu_ok': cpu_ms <= TARGET_CPU_MS_PER_HOST,
        'session_thread_cpu_s': result['session_thread_cpu_s'],
        'session_thread_cpu_ms_per_host':
            1000.0 * result['session_thread_cpu_s'] / per,
        'rss_peak_mb': result['rss_peak_mb'],
        'rss_ready_mb': result['rss_ready_mb'],
        'rss_target_mb': TARGET_RSS_MB,
        'rss_ok': result['rss_peak_mb'] <= TARGET_RSS_MB,
        'db_rows': sum(rows.values()),
        'db_rows_per_host': sum(rows.values()) / per,
        'db_rows_by_table': rows,
        'db_rows_written': written,
        'db_rows_written_per_host': written / per,
        'db_statements': counts,
        'db_statements_per_host': {
            k: v / per for k, v in counts.items() if ' ' not in k},
        'seconds_in_state': spent,
        'replier_cpu_s': parent_cpu,
        'replies': replier.replies.snapshot(),
        'reply_errors': replier.errors[:20],
        'notifications': result['notifications'] or replier.heard.snapshot(),
    }


def _ok(flag):
    return 'OK' if flag else 'OVER'


def _report(fig, out):
    w = out.write
    w('Fenix benchmark: %d hosts, %d instances, %d auto-replying projects; '
      'dummy host action, time scale 0\n'
      % (fig['hosts'], fig['instances'], fig['projects']))
    w('database %s, transport %s%s\n' % (
        fig['database'], fig['transport'],
        '  (PROFILED: CPU figures inflated)' if fig['profiled'] else ''))
    w('session %s ended %s%s\n' % (
        fig['session_id'], fig['state'],
        ': %s' % fig['reason'] if fig['reason'] else ''))
    if fig['state'] != states.MAINTENANCE_DONE:
        w('!! figures per host are over the %d host(s) maintained\n'
          % fig['per_host_over'])
    w('  %-34s %10.1f s   %8.1f ms/host\n' % (
        'wall time of the session', fig['wall_s'], fig['wall_ms_per_host']))
    w('  %-34s %10.1f s   %8.1f ms/host   target <= %.0f ms/host  %s\n' % (
        'engine process CPU', fig['engine_cpu_s'],
        fig['engine_cpu_ms_per_host'], fig['engine_cpu_target_ms_per_host'],
        _ok(fig['engine_cpu_ok'])))
    w('  %-34s %10.1f s   %8.1f ms/host\n' % (
        '  of which the session thread', fig['session_thread_cpu_s'],
        fig['session_thread_cpu_ms_per_host']))
    w('  %-34s %10.1f MB                       target <= %.0f MB  %s\n' % (
        'engine process peak RSS', fig['rss_peak_mb'], fig['rss_target_mb'],
        _ok(fig['rss_ok'])))
    w('  %-34s %10.1f MB\n' % ('  RSS when started (cloud loaded)',
                               fig['rss_ready_mb']))
    w('  %-34s %10d     %8.1f rows/host\n' % (
        'database rows after the session', fig['db_rows'],
        fig['db_rows_per_host']))
    w('      %s\n' % ', '.join('%s %d' % kv
                               for kv in fig['db_rows_by_table'].items()))
    w('  %-34s %10d     %8.1f rows/host\n' % (
        'rows written (INSERT/UPDATE/DEL)', fig['db_rows_written'],
        fig['db_rows_written_per_host']))
    w('      statements per host: %s\n' % ', '.join(
        '%s %.1f' % kv for kv in sorted(
            fig['db_statements_per_host'].items())))
    w('  %-34s %10.1f s\n' % ('auto-repliers CPU (this process)',
                              fig['replier_cpu_s']))
    w('  time in states: %s\n' % ', '.join(
        '%s %.1fs' % kv for kv in fig['seconds_in_state'].items()))
    w('  replies: %s\n' % ', '.join(
        '%s %d' % kv for kv in sorted(fig['replies'].items())))
    if fig['reply_errors']:
        w('  reply errors: %s\n' % '; '.join(fig['reply_errors']))


def _print_profile(path, title, clock, top, out):
    if not os.path.exists(path):
        out.write('no profile in %s\n' % path)
        return
    stats = pstats.Stats(path, stream=out)
    total = stats.total_tt or 1.0
    out.write('\n== %s (%s): %.1fs of %s time profiled; top %d by '
              'cumulative time\n' % (title, path, total, clock, top))
    stats.strip_dirs().sort_stats('cumulative').print_stats(top)
    out.write('== %s: top %d by own time\n' % (title, top))
    stats.sort_stats('tottime').print_stats(top)


def main(argv=None):
    args = _parse_args(sys.argv[1:] if argv is None else argv)

    def log(text):
        sys.stderr.write('[benchmark] %s\n' % text)
        sys.stderr.flush()

    figures = run(args, log)
    out = sys.stdout
    if args.json:
        out.write(json.dumps(figures, indent=2, sort_keys=True) + '\n')
    else:
        _report(figures, out)
    if args.profile:
        stream = sys.stderr if args.json else out
        for suffix, title in (('', 'session thread'),
                              ('.api', 'API request threads')):
            _print_profile(os.path.abspath(args.profile) + suffix, title,
                           args.profile_clock, args.profile_top, stream)
    return 0 if figures['state'] == states.MAINTENANCE_DONE else 1


if __name__ == '__main__':
    sys.exit(main())
