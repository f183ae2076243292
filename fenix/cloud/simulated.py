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
"""An in-process model of an OpenStack cloud: the ``simulated`` driver.

:class:`SimulatedCloud` holds hosts, projects, server groups and instances
loaded from an inventory, and changes them the way Nova does:

* A cold migration goes ACTIVE -> RESIZE -> VERIFY_RESIZE on the target and,
  once confirmed, back to ACTIVE (or SHUTOFF); a live migration goes
  ACTIVE -> MIGRATING -> ACTIVE. While it moves, an instance counts against
  the source and the target host, and the server's host is the source until
  the move has finished, as in Nova.
* The scheduler gives no new instance to a disabled or down host, nor to one
  without room for the instance's vCPUs and RAM. There is no overcommit: an
  inventory gives the capacity Placement reports, allocation ratios applied.
  Hard anti-affinity and affinity server groups always hold (the soft
  policies are weighers in Nova and constrain nothing here). With no target
  given it picks the host with the most free RAM, as Nova's default RAM
  weigher does, never the source.
* Every operation lasts its inventory duration times
  ``[cloud] simulated_time_scale`` (0 makes it instant). A caller waits for
  its operation on a :class:`threading.Event` outside the model lock, so any
  number of migrations proceed in parallel.

Inventory format (YAML, JSON or a dict; every key but ``hosts`` optional)::

    durations: {migrate: 2.0, live_migrate: 1.0, boot: 1.0, delete: 0.3}
    flavors: {m1.small: {vcpus: 1, memory_mb: 2048}}
    default_flavor: m1.small            # or {vcpus: 1, memory_mb: 512}
    hosts:
      - {name: compute-0, type: compute, vcpus: 8, memory_mb: 16384,
         enabled: true, up: true, disabled_reason: null}
    projects:
      - {id: 0123456789abcdef0123456789abcdef, name: demo-a,
         subscribed: true}
    server_groups:
      - {name: web, project: demo-a, policy: anti-affinity,
         max_server_per_host: 1}
    instances:
      - {name: web-0, project: demo-a, host: compute-0, flavor: m1.small,
         server_group: web, status: ACTIVE}
    failures:
      - {operation: migrate, instance: web-0, count: 1, reason: disk full}

``project`` and ``server_group`` take an id or a name (a snapshot's
``project_id`` and ``server_group_id`` do as well). Ids left out are
derived from names (uuid5), so one inventory always yields the same ids.
``vcpus`` and ``memory_mb`` may stand in for ``flavor``. A failure names an
``instance`` (name or id), a ``host`` (either end of a move), or neither
(any); ``count`` -1 fails for ever.

Persistence: with a state file the model is saved (JSON in the inventory
format, written to a temporary file and renamed over the old one) before a
call that changed it returns, and loaded from there at start. A move in
progress is saved with the wall-clock time it ends. The cloud does not die
with the engine that drives it, so after a restart a move whose end has
passed is found finished: a cold migration in VERIFY_RESIZE on the target,
which the resumed :meth:`SimulatedCloud.migrate` confirms, a live migration
ACTIVE on the target. A move not yet over ends at its time. One process
owns a state file at a time. Every instance keeps the moves started on it
(``moves``: kind, source, dest and wall-clock start), saved with it, so
that a test can prove no migration was issued twice across restarts.
"""

import collections
import contextlib
import heapq
import json
import math
import os
import random
import tempfile
import threading
import time
import uuid

from oslo_log import log as logging
import yaml

from fenix.cloud import base

LOG = logging.getLogger(__name__)

INVENTORY_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             'inventories')
DEMO_INVENTORY = os.path.join(INVENTORY_DIR, 'demo.yaml')

DEFAULT_DURATIONS = {'migrate': 2.0, 'live_migrate': 1.0, 'boot': 1.0,
                     'delete': 0.3}
# The flavor of base.Instance's defaults.
DEFAULT_FLAVOR = {'vcpus': 1, 'memory_mb': 512}
OPERATIONS = ('migrate', 'live_migrate', 'boot', 'delete', 'disable_host',
              'enable_host')
HOST_OPERATIONS = ('disable_host', 'enable_host')
POLICIES = ('affinity', 'anti-affinity', 'soft-affinity',
            'soft-anti-affinity')
# Statuses an instance rests in (no operation running).
RESTING = ('ACTIVE', 'SHUTOFF', 'PAUSED', 'SUSPENDED', 'ERROR')
# Statuses from which Nova accepts each move.
MOVABLE = {'migrate': ('ACTIVE', 'SHUTOFF'),
           'live_migrate': ('ACTIVE', 'PAUSED')}
MOVING_STATUS = {'migrate': 'RESIZE', 'live_migrate': 'MIGRATING'}
MOVE_LABEL = {'migrate': 'cold migration', 'live_migrate': 'live migration'}
MOVE_VERB = {'migrate': 'cold migrate', 'live_migrate': 'live migrate'}
NO_VALID_HOST = 'No valid host was found.'
MAX_EVENTS = 10000
FORMAT_VERSION = 1

# NOTE(fenix): a fixed namespace makes the ids derived from names stable
# across loads and processes.
_NAMESPACE = uuid.UUID('6137082c-1bef-43eb-9fdd-cb553632f2ce')

_TOP_KEYS = {'version', 'saved_at', 'description', 'durations', 'flavors',
             'default_flavor', 'hosts', 'projects', 'server_groups',
             'instances', 'failures'}

_SHARED = {}
_SHARED_LOCK = threading.Lock()


class InventoryError(base.CloudError):
    msg_fmt = 'Invalid simulated cloud inventory %(source)s: %(reason)s'


def _derived_id(*parts):
    return uuid.uuid5(_NAMESPACE, ':'.join(parts))


class _Host:
    __slots__ = ('name', 'type', 'vcpus', 'memory_mb', 'enabled', 'up',
                 'disabled_reason', 'vcpus_used', 'memory_mb_used',
                 'instances', 'stamp')

    def __init__(self, name, type, vcpus, memory_mb, enabled, up,
                 disabled_reason):
        self.name = name
        self.type = type
        self.vcpus = vcpus
        self.memory_mb = memory_mb
        self.enabled = enabled
        self.up = up
        self.disabled_reason = disabled_reason
        self.vcpus_used = 0
        self.memory_mb_used = 0
        # Ids of the instances whose host this is, in arrival order (a dict
        # as an ordered set).
        self.instances = {}
        # Bumped on every change the scheduler's heap must see.
        self.stamp = 0

    @property
    def free_vcpus(self):
        return self.vcpus - self.vcpus_used

    @property
    def free_memory_mb(self):
        return self.memory_mb - self.memory_mb_used

    def view(self):
        return base.Host(
            name=self.name, type=self.type, vcpus=self.vcpus,
            memory_mb=self.memory_mb, vcpus_used=self.vcpus_used,
            memory_mb_used=self.memory_mb_used, enabled=self.enabled,
            up=self.up, disabled_reason=self.disabled_reason)

    def dump(self):
        return {'name': self.name, 'type': self.type, 'vcpus': self.vcpus,
                'memory_mb': self.memory_mb, 'enabled': self.enabled,
                'up': self.up, 'disabled_reason': self.disabled_reason,
                'vcpus_used': self.vcpus_used,
                'memory_mb_used': self.memory_mb_used}


class _Task:
    """An operation that takes time: a move, a boot or a delete."""

    __slots__ = ('kind', 'instance_id', 'source', 'dest', 'finish_at',
                 'fail_reason', 'prior_status', 'done', 'finished', 'error')

    def __init__(self, kind, instance_id, source, dest, finish_at,
                 fail_reason, prior_status):
        self.kind = kind
        self.instance_id = instance_id
        self.source = source
        self.dest = dest
        # Wall-clock time, so that it means something after a restart.
        self.finish_at = finish_at
        # An injected failure shows when the operation ends.
        self.fail_reason = fail_reason
        self.prior_status = prior_status
        self.done = threading.Event()
        self.finished = False
        self.error = None

    def dump(self):
        return {'kind': self.kind, 'source': self.source, 'dest': self.dest,
                'finish_at': self.finish_at,
                'fail_reason': self.fail_reason,
                'prior_status': self.prior_status}


class _Instance:
    __slots__ = ('id', 'name', 'project_id', 'host', 'vcpus', 'memory_mb',
                 'flavor', 'status', 'server_group_id', 'resize', 'task',
                 'moves')

    def __init__(self, id, name, project_id, host, vcpus, memory_mb,
                 flavor=None, status='ACTIVE', server_group_id=None):
        self.id = id
        self.name = name
        self.project_id = project_id
        self.host = host
        self.vcpus = vcpus
        self.memory_mb = memory_mb
        self.flavor = flavor
        self.status = status
        self.server_group_id = server_group_id
        # (source host, status to return to) of a cold migration waiting in
        # VERIFY_RESIZE for its confirmation.
        self.resize = None
        self.task = None
        # Every move started on it (kind, source, dest, at), oldest first:
        # proof for a test that no migration was issued twice.
        self.moves = []

    def view(self):
        return base.Instance(
            id=self.id, name=self.name, project_id=self.project_id,
            host=self.host, vcpus=self.vcpus, memory_mb=self.memory_mb,
            status=self.status, server_group_id=self.server_group_id)

    def dump(self):
        data = {'id': self.id, 'name': self.name,
                'project_id': self.project_id, 'host': self.host,
                'vcpus': self.vcpus, 'memory_mb': self.memory_mb,
                'flavor': self.flavor, 'status': self.status,
                'server_group_id': self.server_group_id}
        if self.resize is not None:
            data['resize'] = {'source': self.resize[0],
                              'prior_status': self.resize[1]}
        if self.task is not None:
            data['task'] = self.task.dump()
        if self.moves:
            data['moves'] = [dict(m) for m in self.moves]
        return data


class _Group:
    __slots__ = ('id', 'name', 'project_id', 'policy', 'max_per_host',
                 'hosts')

    def __init__(self, id, name, project_id, policy, max_per_host):
        self.id = id
        self.name = name
        self.project_id = project_id
        self.policy = policy
        self.max_per_host = max_per_host
        # How many members hold resources on each host (a moving member on
        # both ends), so that the policy holds during moves too.
        self.hosts = collections.Counter()

    def dump(self):
        return {'id': self.id, 'name': self.name,
                'project_id': self.project_id, 'policy': self.policy,
                'max_server_per_host': self.max_per_host}


class _Reader:
    """Checks the entries of an inventory document and says what is wrong."""

    def __init__(self, label):
        self.label = label

    def fail(self, reason, *args):
        raise InventoryError(source=self.label,
                             reason=reason % args if args else reason)

    def entry(self, entry, what, required=(), optional=()):
        if not isinstance(entry, dict):
            self.fail('%s must be a mapping, not %r', what, entry)
        missing = [key for key in required if entry.get(key) is None]
        if missing:
            self.fail('%s lacks %s', what, ', '.join(missing))
        unknown = set(entry).difference(required, optional)
        if unknown:
            self.fail('%s has unknown keys %s', what,
                      ', '.join(sorted(map(str, unknown))))
        return entry

    def number(self, value, what, integer=True, minimum=0):
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or (
                value < minimum):
            self.fail('%s must be %s of at least %s, not %r', what,
                      'an integer' if integer else 'a number', minimum,
                      value)
        return value

    def flag(self, value, what):
        if not isinstance(value, bool):
            self.fail('%s must be true or false, not %r', what, value)
        return value

    def items(self, doc, key):
        value = doc.get(key) or []
        if not isinstance(value, list):
            self.fail('%s must be a list', key)
        return value


def _aliased(entry):
    """An entry with the snapshot's key names turned into inventory ones."""
    if isinstance(entry, dict) and ('project_id' in entry
                                    or 'server_group_id' in entry):
        entry = dict(entry)
        for alias, key in (('project_id', 'project'),
                           ('server_group_id', 'server_group')):
            if alias in entry:
                value = entry.pop(alias)
                entry.setdefault(key, value)
    return entry


def _read_document(path):
    """Load an inventory or state file: JSON by extension, else YAML."""
    try:
        with open(path, encoding='utf-8') as f:
            if path.endswith('.json'):
                return json.load(f)
            # NOTE(fenix): the C loader reads a 20,000-instance inventory
            # in a fraction of the pure-Python loader's time.
            loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
            return yaml.load(f, Loader=loader)  # nosec: a safe loader
    except (OSError, ValueError, yaml.YAMLError) as e:
        raise InventoryError(source=path, reason=e)


def inventory_path(name):
    """The inventory file for a path or a bundled inventory's name.

    None means the bundled demo inventory; ``demo`` (no directory, no
    extension) names ``fenix/cloud/inventories/demo.yaml``.
    """
    if not name:
        return DEMO_INVENTORY
    bundled = os.path.join(INVENTORY_DIR, name + '.yaml')
    if (not os.path.exists(name) and os.sep not in name
            and os.path.exists(bundled)):
        return bundled
    return name


def _write_atomic(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path),
                               suffix='.tmp', dir=directory)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class SimulatedCloud:
    """An in-process cloud; every public method is thread-safe.

    :param inventory: a dict, a path to a YAML/JSON inventory, or None for
        the bundled demo inventory.
    :param state_file: when given, load from it if it exists (instead of the
        inventory) and save to it after every change.
    :param time_scale: multiplier on the inventory's durations; 0 makes
        every operation instant. May be changed later through the attribute.
    """

    def __init__(self, inventory=None, state_file=None, time_scale=1.0,
                 max_events=MAX_EVENTS):
        self.time_scale = time_scale
        self._state_file = state_file
        # NOTE(fenix): one lock guards the whole model: every section under
        # it is short (no waiting, no I/O), and one lock cannot deadlock.
        self._lock = threading.RLock()
        # Orders state file writes; taken before the model lock, never
        # under it.
        self._write_lock = threading.Lock()
        # Keeps listeners called in event order; reentrant so that a
        # listener may call the model.
        self._dispatch_lock = threading.RLock()
        self._events = collections.deque(maxlen=max_events)
        self._seq = 0
        self._listeners = []
        self._pending = []
        self._version = 0
        self._saved_version = 0
        self._hosts = {}
        self._projects = {}
        self._groups = {}
        self._instances = {}
        self._by_project = {}
        self._flavors = {}
        self._default_flavor = (None, DEFAULT_FLAVOR['vcpus'],
                                DEFAULT_FLAVOR['memory_mb'])
        self._durations = dict(DEFAULT_DURATIONS)
        # Name references of the inventory being loaded.
        self._project_names = {}
        self._group_names = {}
        self._failures = []
        self._tasks = {}
        # (finish_at, seq, task) of running tasks, earliest first.
        self._due = []
        self._task_seq = 0
        # (-free RAM, host name, stamp) of schedulable hosts: the top entry
        # whose stamp is current is the host the RAM weigher prefers.
        self._heap = []

        if state_file and os.path.exists(state_file):
            self._load(_read_document(state_file), state_file)
            LOG.info('Simulated cloud loaded from state file %s',
                     state_file)
        elif isinstance(inventory, dict):
            self._load(inventory, '<dict>')
        else:
            path = inventory_path(inventory)
            self._load(_read_document(path), path)
        with self._lock:
            # Moves that ended while no process ran have ended.
            self._advance()
            self._touch()
        self._after()

    # -- shared models -----------------------------------------------------

    @classmethod
    def shared(cls, conf):
        """The one model of the process for conf's inventory and state file.

        The engine's driver and the sample app managers' drivers of the demo
        must act on the same cloud. The first caller's time scale holds.
        """
        opts = conf.cloud
        inventory = os.path.realpath(inventory_path(opts.simulated_inventory))
        state_file = opts.simulated_state_file
        if state_file:
            state_file = os.path.realpath(state_file)
        key = (inventory, state_file)
        with _SHARED_LOCK:
            cloud = _SHARED.get(key)
            if cloud is None:
                cloud = cls(inventory, state_file=state_file,
                            time_scale=opts.simulated_time_scale)
                _SHARED[key] = cloud
            return cloud

    @staticmethod
    def reset_shared():
        """Forget the shared models (for tests and embedded restarts)."""
        reset_shared()

    # -- inventory ---------------------------------------------------------

    def list_hosts(self, names=None):
        with self._transaction():
            if not names:
                return [h.view() for h in self._hosts.values()]
            unknown = [n for n in names if n not in self._hosts]
            if unknown:
                raise base.HostNotFound(host=', '.join(unknown))
            return [self._hosts[n].view() for n in names]

    def list_instances(self, hosts=None, project_id=None):
        with self._transaction():
            instances = self._instances
            if hosts:
                # NOTE(fenix): the per-host index keeps this independent of
                # the size of the cloud; an unknown host has no instances,
                # as in Nova's server list.
                found = [instances[i] for name in dict.fromkeys(hosts)
                         if name in self._hosts
                         for i in self._hosts[name].instances]
                if project_id:
                    found = [i for i in found if i.project_id == project_id]
            elif project_id:
                found = [instances[i]
                         for i in self._by_project.get(project_id, ())]
            else:
                found = instances.values()
            return [i.view() for i in found]

    def get_instance(self, instance_id):
        with self._transaction():
            return self._instance(instance_id).view()

    def list_projects(self):
        """The projects as dicts with ``id``, ``name`` and ``subscribed``."""
        with self._lock:
            return [dict(p) for p in self._projects.values()]

    def is_subscribed(self, project_id):
        with self._lock:
            project = self._projects.get(project_id)
            return project is None or project['subscribed']

    # -- scheduling --------------------------------------------------------

    def disable_host(self, host, reason):
        with self._transaction():
            h = self._host(host)
            self._injected('disable_host', hosts=(host,))
            # NOTE(fenix): like the nova driver, keep the reason of a host
            # disabled already: it may be an admin's.
            if h.enabled:
                h.enabled = False
                h.disabled_reason = reason
                self._host_changed(h)
                self._event('host.disabled', host=host, reason=reason)
                LOG.info('Simulated host %s disabled: %s', host, reason)

    def enable_host(self, host):
        with self._transaction():
            h = self._host(host)
            self._injected('enable_host', hosts=(host,))
            if not h.enabled:
                h.enabled = True
                h.disabled_reason = None
                self._host_changed(h)
                self._event('host.enabled', host=host)
                LOG.info('Simulated host %s enabled', host)

    def set_host_up(self, host, up=True):
        """Bring a host's compute service up or down (a test's outage)."""
        with self._transaction():
            h = self._host(host)
            if h.up != up:
                h.up = up
                self._host_changed(h)
                self._event('host.up' if up else 'host.down', host=host)

    # -- moving instances --------------------------------------------------

    def migrate(self, instance_id, source_host, target_host=None,
                timeout=600):
        """Cold migrate off source_host and confirm; return the new host.

        Idempotent as :meth:`fenix.cloud.base.CloudDriver.migrate` says.
        """
        return self._move('migrate', instance_id, source_host, target_host,
                          timeout)

    def live_migrate(self, instance_id, source_host, target_host=None,
                     timeout=600):
        """Live migrate off source_host; return the new host."""
        return self._move('live_migrate', instance_id, source_host,
                          target_host, timeout)

    def _move(self, kind, instance_id, source_host, target_host, timeout):
        deadline = time.monotonic() + timeout
        what = '%s of instance %s off host %s' % (
            MOVE_LABEL[kind], instance_id, source_host)
        while True:
            with self._transaction():
                inst = self._instance(instance_id)
                task = inst.task
                if task is None:
                    if inst.status == 'VERIFY_RESIZE':
                        self._confirm(inst)
                    if inst.status == 'ERROR':
                        raise base.MigrationFailed(
                            instance_id=instance_id,
                            reason='the instance is in ERROR')
                    if inst.host != source_host and inst.host is not None:
                        return inst.host
                    if inst.host is None or inst.status not in MOVABLE[kind]:
                        raise base.MigrationFailed(
                            instance_id=instance_id,
                            reason='cannot %s an instance in status %s on '
                                   'host %s' % (MOVE_VERB[kind], inst.status,
                                                inst.host))
                    task = self._start_move(kind, inst, target_host)
            # Whoever started it, a move in progress is waited for; the next
            # round confirms it and returns the new host.
            self._wait(task, deadline, timeout, what)
            if task.error is not None and task.kind in MOVING_STATUS:
                raise base.MigrationFailed(instance_id=instance_id,
                                           reason=task.error)

    def _start_move(self, kind, inst, target_host):
        source = self._hosts[inst.host]
        if not source.up:
            self._refuse(kind, inst, 'the compute service of source host %s '
                                     'is down' % source.name)
        if target_host is not None:
            dest = self._hosts.get(target_host)
            if dest is None:
                self._refuse(kind, inst, 'Compute host %s could not be '
                                         'found.' % target_host)
            if dest is source:
                self._refuse(kind, inst, 'Unable to migrate instance (%s) to '
                                         'current host (%s).' % (inst.id,
                                                                 source.name))
            refusal = self._refusal(inst, dest)
            if refusal is not None:
                self._refuse(kind, inst, '%s %s' % (NO_VALID_HOST, refusal))
        else:
            dest = self._select_host(inst, exclude=(source.name,))
            if dest is None:
                self._refuse(kind, inst, '%s There are not enough hosts '
                                         'available.' % NO_VALID_HOST)
        fail_reason = self._take_failure(kind, inst, (source.name, dest.name))
        self._claim(inst, dest.name)
        task = self._start_task(kind, inst, source.name, dest.name,
                                fail_reason)
        inst.status = MOVING_STATUS[kind]
        inst.moves.append({'kind': kind, 'source': source.name,
                           'dest': dest.name, 'at': time.time()})
        self._event('instance.migration_started', instance_id=inst.id,
                    instance=inst.name, project_id=inst.project_id,
                    kind=kind, source=source.name, target=dest.name)
        return task

    def _refuse(self, kind, inst, reason):
        self._event('instance.migration_failed', instance_id=inst.id,
                    instance=inst.name, project_id=inst.project_id,
                    kind=kind, source=inst.host, target=None, reason=reason)
        raise base.MigrationFailed(instance_id=inst.id, reason=reason)

    def _confirm(self, inst):
        source, status = inst.resize
        inst.resize = None
        self._release(inst, source)
        inst.status = status
        self._event('instance.resize_confirmed', instance_id=inst.id,
                    instance=inst.name, project_id=inst.project_id,
                    source=source, host=inst.host)
        self._touch()

    # -- used by app managers ----------------------------------------------

    def create_instance(self, project_id, name, like=None, timeout=600,
                        exclude=()):
        """Boot a server through the scheduler; wait until it is ACTIVE.

        :param like: an instance id whose flavor and server group the new
            one takes (a VNFM scaling out passes the group as a hint).
        :param exclude: instance ids that do not count as a live instance
            of that name.
        Like the nova driver, a live instance of that name in the project is
        returned rather than booted twice.
        """
        deadline = time.monotonic() + timeout
        with self._transaction():
            inst = self._find(project_id, name, exclude)
            if inst is None:
                inst = self._boot(project_id, name, like)
            task = inst.task
        if task is not None:
            self._wait(task, deadline, timeout,
                       'instance %s (%s) to become ACTIVE' % (inst.id, name))
            if task.error is not None and task.kind == 'boot':
                raise base.CloudError(
                    reason='booting instance %s in project %s failed: %s' % (
                        name, project_id, task.error))
        return self.get_instance(inst.id)

    def _find(self, project_id, name, exclude=()):
        for instance_id in self._by_project.get(project_id, ()):
            if instance_id in exclude:
                continue
            inst = self._instances[instance_id]
            if inst.name == name and inst.status != 'ERROR':
                return inst
        return None

    def _boot(self, project_id, name, like):
        if like is not None:
            template = self._instance(like)
            flavor, vcpus, memory_mb = (template.flavor, template.vcpus,
                                        template.memory_mb)
            group = template.server_group_id
        else:
            flavor, vcpus, memory_mb = self._default_flavor
            group = None
        if project_id not in self._projects:
            # NOTE(fenix): Nova takes any project id Keystone vouches for.
            self._projects[project_id] = {'id': project_id,
                                          'name': project_id,
                                          'subscribed': True}
        inst = _Instance(str(uuid.uuid4()), name, project_id, None, vcpus,
                         memory_mb, flavor=flavor, status='BUILD',
                         server_group_id=group)
        host = self._select_host(inst, exclude=())
        if host is None:
            self._event('instance.boot_failed', instance=name,
                        project_id=project_id, reason=NO_VALID_HOST)
            raise base.CloudError(
                reason='booting instance %s in project %s: %s There are not '
                       'enough hosts available.' % (name, project_id,
                                                    NO_VALID_HOST))
        fail_reason = self._take_failure('boot', inst, (host.name,))
        self._add_instance(inst, host.name)
        self._start_task('boot', inst, None, host.name, fail_reason)
        self._event('instance.build_started', instance_id=inst.id,
                    instance=name, project_id=project_id, host=host.name)
        return inst

    def delete_instance(self, instance_id, timeout=600):
        """Delete a server and wait until it is gone; idempotent."""
        deadline = time.monotonic() + timeout
        while True:
            with self._transaction():
                inst = self._instances.get(instance_id)
                if inst is None:
                    return
                task = inst.task
                if task is None or task.kind != 'delete':
                    self._injected('delete', inst,
                                   (inst.host,) if inst.host else ())
                    if task is not None:
                        # NOTE(fenix): as in Nova, a delete wins over a move
                        # or boot in progress.
                        self._abort(task, 'instance %s was deleted' %
                                    instance_id)
                    task = self._start_task('delete', inst, inst.host, None,
                                            None)
            self._wait(task, deadline, timeout,
                       'deletion of instance %s' % instance_id)

    # -- failures ----------------------------------------------------------

    def inject_failure(self, operation, target=None, count=1, reason=None):
        """Make the next ``count`` matching operations fail.

        :param operation: one of :data:`OPERATIONS`.
        :param target: a host name (either end of a move, the host of a
            boot), an instance name or id, or None for any.
        :param count: how many times; -1 for every time.
        """
        if operation not in OPERATIONS:
            raise ValueError('unknown operation %r; one of %s' % (
                operation, ', '.join(OPERATIONS)))
        if isinstance(count, bool) or not isinstance(count, int) or (
                count == 0 or count < -1):
            raise ValueError('count must be a positive integer or -1, not '
                             '%r' % (count,))
        with self._transaction():
            is_host = target in self._hosts
            if operation in HOST_OPERATIONS and target is not None and (
                    not is_host):
                raise base.HostNotFound(host=target)
            self._failures.append({
                'operation': operation,
                'host': target if is_host else None,
                'instance': None if is_host else target,
                'count': count, 'reason': reason})
            self._touch()

    # -- observability -----------------------------------------------------

    @property
    def events(self):
        """What happened, oldest first (the last MAX_EVENTS events).

        Each event is a dict with ``seq``, ``time``, ``type`` and the
        details of its type.
        """
        with self._lock:
            return list(self._events)

    def add_listener(self, callback):
        """Call callback(event) for every later event, in order.

        It is called after the model lock is released, by the thread that
        made the change; it may call the model.
        """
        with self._lock:
            self._listeners.append(callback)

    def remove_listener(self, callback):
        with self._lock:
            self._listeners.remove(callback)

    def snapshot(self):
        """The whole model as plain dicts.

        ``hosts`` and ``instances`` carry the fields of
        :class:`fenix.cloud.base.Host` and :class:`~fenix.cloud.base.Instance`
        (plus ``flavor``, ``resize``/``task`` while one moves, and
        ``moves``, the moves started on it);
        ``projects``, ``server_groups``, ``flavors``, ``durations`` and the
        pending ``failures`` complete it. It loads back as an inventory.
        """
        with self._transaction():
            return self._dump()

    def check_consistency(self):
        """Recount the model; return a list of problems (empty when sound).

        For tests and benchmarks: the use of every host, the per-host and
        per-group indexes and the server group policies.
        """
        problems = []
        with self._lock:
            use = {n: [0, 0] for n in self._hosts}
            index = {n: set() for n in self._hosts}
            groups = {g: collections.Counter() for g in self._groups}
            for inst in self._instances.values():
                if inst.host is not None:
                    index[inst.host].add(inst.id)
                for name in self._claimed(inst):
                    use[name][0] += inst.vcpus
                    use[name][1] += inst.memory_mb
                    if inst.server_group_id in groups:
                        groups[inst.server_group_id][name] += 1
            for name, h in self._hosts.items():
                if use[name] != [h.vcpus_used, h.memory_mb_used]:
                    problems.append('host %s counts %s/%s used, instances '
                                    'hold %s/%s' % (name, h.vcpus_used,
                                                    h.memory_mb_used,
                                                    *use[name]))
                if h.vcpus_used > h.vcpus or h.memory_mb_used > h.memory_mb:
                    problems.append('host %s is over-committed' % name)
                if set(h.instances) != index[name]:
                    problems.append('host %s index is wrong' % name)
            for gid, group in self._groups.items():
                if +group.hosts != groups[gid]:
                    problems.append('server group %s counts are wrong' % gid)
                if group.policy == 'anti-affinity' and any(
                        c > group.max_per_host
                        for c in groups[gid].values()):
                    problems.append('anti-affinity of server group %s is '
                                    'broken' % gid)
        return problems

    # -- internals: lookups ------------------------------------------------

    def _host(self, name):
        try:
            return self._hosts[name]
        except KeyError:
            raise base.HostNotFound(host=name)

    def _instance(self, instance_id):
        try:
            return self._instances[instance_id]
        except KeyError:
            raise base.InstanceNotFound(instance_id=instance_id)

    # -- internals: transactions, persistence, events ----------------------

    @contextlib.contextmanager
    def _transaction(self):
        """Hold the model lock; save and tell listeners after it is freed."""
        try:
            with self._lock:
                self._advance()
                yield
        finally:
            self._after()

    def _touch(self):
        self._version += 1

    def _after(self):
        if self._state_file and self._saved_version < self._version:
            self._save()
        if self._pending:
            self._dispatch()

    def _save(self):
        # NOTE(fenix): group commit: whoever writes saves every change made
        # so far, so threads that changed the model meanwhile find their
        # change saved and skip the write.
        with self._write_lock:
            with self._lock:
                version = self._version
                if self._saved_version >= version:
                    return
                doc = self._dump()
            try:
                _write_atomic(self._state_file,
                              json.dumps(doc, separators=(',', ':')))
            except (OSError, TypeError, ValueError) as e:
                raise base.CloudError(
                    reason='cannot save the simulated cloud to %s: %s' % (
                        self._state_file, e))
            self._saved_version = version

    def _dispatch(self):
        with self._dispatch_lock:
            with self._lock:
                pending, self._pending = self._pending, []
                listeners = list(self._listeners)
            for event in pending:
                for callback in listeners:
                    try:
                        callback(event)
                    except Exception:
                        LOG.exception('Listener %r failed on event %s',
                                      callback, event)

    def _event(self, type, **fields):
        self._seq += 1
        event = {'seq': self._seq, 'time': time.time(), 'type': type}
        event.update(fields)
        self._events.append(event)
        if self._listeners:
            self._pending.append(event)
        self._touch()

    def _dump(self):
        return {
            'version': FORMAT_VERSION,
            'saved_at': time.time(),
            'durations': dict(self._durations),
            'flavors': {name: {'vcpus': v, 'memory_mb': m}
                        for name, (v, m) in self._flavors.items()},
            'default_flavor': self._default_flavor[0] or {
                'vcpus': self._default_flavor[1],
                'memory_mb': self._default_flavor[2]},
            'hosts': [h.dump() for h in self._hosts.values()],
            'projects': [dict(p) for p in self._projects.values()],
            'server_groups': [g.dump() for g in self._groups.values()],
            'instances': [i.dump() for i in self._instances.values()],
            'failures': [dict(f) for f in self._failures],
        }

    # -- internals: failures -----------------------------------------------

    def _take_failure(self, operation, inst=None, hosts=()):
        """Use up a matching injected failure; return its reason or None."""
        for failure in self._failures:
            if failure['operation'] != operation:
                continue
            if failure['host'] is not None and failure['host'] not in hosts:
                continue
            if failure['instance'] is not None and (
                    inst is None
                    or failure['instance'] not in (inst.id, inst.name)):
                continue
            if failure['count'] > 0:
                failure['count'] -= 1
                if failure['count'] == 0:
                    self._failures.remove(failure)
            self._touch()
            return failure['reason'] or 'injected failure of %s' % operation
        return None

    def _injected(self, operation, inst=None, hosts=()):
        reason = self._take_failure(operation, inst, hosts)
        if reason is not None:
            self._event('operation.failed', operation=operation,
                        hosts=list(hosts),
                        instance_id=inst.id if inst else None,
                        reason=reason)
            raise base.CloudError(reason='%s failed: %s' % (operation,
                                                            reason))

    # -- internals: scheduler ----------------------------------------------

    def _claimed(self, inst):
        """The hosts on which inst holds resources."""
        hosts = []
        if inst.host is not None:
            hosts.append(inst.host)
        if inst.resize is not None:
            hosts.append(inst.resize[0])
        task = inst.task
        if task is not None and task.kind in MOVING_STATUS:
            hosts.append(task.dest)
        return hosts

    def _group_hosts(self, group, inst):
        """Hosts of the other members of inst's group."""
        own = self._claimed(inst)
        return {name for name, count in group.hosts.items()
                if count - own.count(name) > 0}

    def _refusal(self, inst, host):
        """Why host cannot take inst, or None when it can."""
        if not host.enabled:
            return 'Host %s is disabled (%s).' % (
                host.name, host.disabled_reason or 'no reason given')
        if not host.up:
            return 'The compute service of host %s is down.' % host.name
        if host.free_vcpus < inst.vcpus:
            return 'Host %s has %d free vCPUs, the instance needs %d.' % (
                host.name, host.free_vcpus, inst.vcpus)
        if host.free_memory_mb < inst.memory_mb:
            return 'Host %s has %d MB free RAM, the instance needs %d.' % (
                host.name, host.free_memory_mb, inst.memory_mb)
        group = self._groups.get(inst.server_group_id)
        if group is not None:
            if group.policy == 'anti-affinity':
                members = group.hosts.get(host.name, 0) - self._claimed(
                    inst).count(host.name)
                if members >= group.max_per_host:
                    return ('Host %s has %d member(s) of anti-affinity '
                            'server group %s.' % (host.name, members,
                                                  group.name))
            elif group.policy == 'affinity':
                others = self._group_hosts(group, inst)
                if others and host.name not in others:
                    return ('Host %s is not the host of affinity server '
                            'group %s (%s).' % (host.name, group.name,
                                                ', '.join(sorted(others))))
        return None

    def _select_host(self, inst, exclude):
        """The host the scheduler picks for inst, or None."""
        group = self._groups.get(inst.server_group_id)
        if group is not None and group.policy == 'affinity':
            others = self._group_hosts(group, inst)
            if others:
                fits = [self._hosts[n] for n in sorted(others)
                        if n not in exclude
                        and self._refusal(inst, self._hosts[n]) is None]
                return max(fits, key=lambda h: h.free_memory_mb,
                           default=None)
        # NOTE(fenix): a lazy heap finds the host with the most free RAM in
        # O(log n) rather than a scan of 1,000 hosts per migration. Stale
        # entries (older stamp) are dropped as met; fitting entries that a
        # filter refuses are put back.
        heap = self._heap
        skipped = []
        chosen = None
        try:
            while heap:
                neg_free, name, stamp = heap[0]
                host = self._hosts[name]
                if stamp != host.stamp:
                    heapq.heappop(heap)
                    continue
                if -neg_free < inst.memory_mb:
                    break  # the top has the most free RAM of all
                skipped.append(heapq.heappop(heap))
                if name not in exclude and self._refusal(inst, host) is None:
                    chosen = host
                    break
        finally:
            for item in skipped:
                heapq.heappush(heap, item)
        return chosen

    def _host_changed(self, host):
        host.stamp += 1
        if host.enabled and host.up:
            heapq.heappush(self._heap,
                           (-host.free_memory_mb, host.name, host.stamp))
            if len(self._heap) > 4 * len(self._hosts) + 64:
                self._rebuild_heap()
        self._touch()

    def _rebuild_heap(self):
        self._heap = [(-h.free_memory_mb, h.name, h.stamp)
                      for h in self._hosts.values() if h.enabled and h.up]
        heapq.heapify(self._heap)

    # -- internals: resources and indexes ----------------------------------

    def _claim(self, inst, name):
        host = self._hosts[name]
        host.vcpus_used += inst.vcpus
        host.memory_mb_used += inst.memory_mb
        group = self._groups.get(inst.server_group_id)
        if group is not None:
            group.hosts[name] += 1
        self._host_changed(host)

    def _release(self, inst, name):
        host = self._hosts[name]
        host.vcpus_used -= inst.vcpus
        host.memory_mb_used -= inst.memory_mb
        group = self._groups.get(inst.server_group_id)
        if group is not None:
            group.hosts[name] -= 1
            if group.hosts[name] <= 0:
                del group.hosts[name]
        self._host_changed(host)

    def _set_host(self, inst, name):
        if inst.host is not None:
            del self._hosts[inst.host].instances[inst.id]
        inst.host = name
        if name is not None:
            self._hosts[name].instances[inst.id] = None

    def _add_instance(self, inst, host):
        self._instances[inst.id] = inst
        self._by_project.setdefault(inst.project_id, {})[inst.id] = None
        inst.host = None
        self._set_host(inst, host)
        if host is not None:
            self._claim(inst, host)

    def _remove_instance(self, inst):
        for name in self._claimed(inst):
            self._release(inst, name)
        self._set_host(inst, None)
        del self._instances[inst.id]
        del self._by_project[inst.project_id][inst.id]

    # -- internals: tasks --------------------------------------------------

    def _duration(self, kind):
        return max(0.0, self._durations.get(kind, 0.0) * self.time_scale)

    def _start_task(self, kind, inst, source, dest, fail_reason,
                    finish_at=None):
        if finish_at is None:
            finish_at = time.time() + self._duration(kind)
        task = _Task(kind, inst.id, source, dest, finish_at, fail_reason,
                     inst.status)
        inst.task = task
        self._tasks[inst.id] = task
        self._task_seq += 1
        heapq.heappush(self._due, (finish_at, self._task_seq, task))
        self._touch()
        return task

    def _advance(self):
        """End every task whose time has come."""
        due = self._due
        if not due:
            return
        now = time.time()
        while due and due[0][0] <= now:
            task = heapq.heappop(due)[2]
            if not task.finished:
                self._finish(task)

    def _finish(self, task):
        inst = self._instances[task.instance_id]
        del self._tasks[inst.id]
        inst.task = None
        kind = task.kind
        details = {'instance_id': inst.id, 'instance': inst.name,
                   'project_id': inst.project_id}
        if kind in MOVING_STATUS:
            if task.fail_reason is not None:
                # NOTE(fenix): a failed Nova migration reverts: the instance
                # stays where it was, in the status it had.
                self._release(inst, task.dest)
                inst.status = task.prior_status
                task.error = task.fail_reason
                self._event('instance.migration_failed', kind=kind,
                            source=task.source, target=task.dest,
                            reason=task.fail_reason, **details)
            elif kind == 'migrate':
                self._set_host(inst, task.dest)
                inst.resize = (task.source, task.prior_status)
                inst.status = 'VERIFY_RESIZE'
                self._event('instance.migrated', kind=kind,
                            source=task.source, target=task.dest,
                            status=inst.status, **details)
            else:
                self._release(inst, task.source)
                self._set_host(inst, task.dest)
                inst.status = task.prior_status
                self._event('instance.migrated', kind=kind,
                            source=task.source, target=task.dest,
                            status=inst.status, **details)
        elif kind == 'boot':
            if task.fail_reason is not None:
                task.error = task.fail_reason
                self._remove_instance(inst)
                self._event('instance.boot_failed', host=task.dest,
                            reason=task.fail_reason, **details)
            else:
                inst.status = 'ACTIVE'
                self._event('instance.booted', host=inst.host, **details)
        else:
            self._remove_instance(inst)
            self._event('instance.deleted', host=task.source, **details)
        task.finished = True
        task.done.set()
        self._touch()

    def _abort(self, task, reason):
        inst = self._instances[task.instance_id]
        del self._tasks[inst.id]
        inst.task = None
        if task.kind in MOVING_STATUS:
            self._release(inst, task.dest)
            inst.status = task.prior_status
        task.error = reason
        task.finished = True
        task.done.set()
        self._touch()

    def _wait(self, task, deadline, timeout, what):
        """Wait outside the model lock until task has ended."""
        while True:
            with self._transaction():
                if task.finished:
                    return
                left = task.finish_at - time.time()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise base.CloudTimeout(seconds=timeout, what=what)
            # NOTE(fenix): woken early when another thread ends the task;
            # otherwise the next round of the loop ends it at its time.
            task.done.wait(max(0.0, min(left, remaining)))

    # -- internals: loading ------------------------------------------------

    def _load(self, doc, label):
        r = _Reader(label)
        if not isinstance(doc, dict):
            r.fail('expected a mapping at the top, not %s',
                   type(doc).__name__)
        unknown = set(doc) - _TOP_KEYS
        if unknown:
            r.fail('unknown keys %s', ', '.join(sorted(map(str, unknown))))
        self._load_durations(r, doc.get('durations') or {})
        self._load_flavors(r, doc)
        self._load_hosts(r, doc)
        self._load_projects(r, doc)
        self._load_groups(r, doc)
        self._load_instances(r, doc)
        self._load_failures(r, doc)
        self._check_placement(r)
        self._rebuild_heap()

    def _load_durations(self, r, durations):
        if not isinstance(durations, dict):
            r.fail('durations must be a mapping')
        for kind, seconds in durations.items():
            if kind not in DEFAULT_DURATIONS:
                r.fail('unknown duration %r; known: %s', kind,
                       ', '.join(DEFAULT_DURATIONS))
            self._durations[kind] = r.number(
                seconds, 'duration of %s' % kind, integer=False)

    def _flavor_spec(self, r, spec, what):
        r.entry(spec, what, required=('vcpus', 'memory_mb'))
        return (r.number(spec['vcpus'], what + ' vcpus', minimum=1),
                r.number(spec['memory_mb'], what + ' memory_mb', minimum=1))

    def _load_flavors(self, r, doc):
        flavors = doc.get('flavors') or {}
        if not isinstance(flavors, dict):
            r.fail('flavors must be a mapping of name to flavor')
        for name, spec in flavors.items():
            self._flavors[str(name)] = self._flavor_spec(
                r, spec, 'flavor %s' % name)
        default = doc.get('default_flavor')
        if isinstance(default, str):
            if default not in self._flavors:
                r.fail('default_flavor %s is not a flavor', default)
            self._default_flavor = (default, *self._flavors[default])
        elif default is not None:
            self._default_flavor = (None, *self._flavor_spec(
                r, default, 'default_flavor'))

    def _load_hosts(self, r, doc):
        hosts = r.items(doc, 'hosts')
        if not hosts:
            r.fail('there are no hosts')
        for entry in hosts:
            r.entry(entry, 'host %r' % (entry,),
                    required=('name', 'vcpus', 'memory_mb'),
                    optional=('type', 'enabled', 'up', 'disabled_reason',
                              'vcpus_used', 'memory_mb_used'))
            name = str(entry['name'])
            if name in self._hosts:
                r.fail('host %s is listed twice', name)
            what = 'host %s' % name
            enabled = r.flag(entry.get('enabled', True), what + ' enabled')
            self._hosts[name] = _Host(
                name, str(entry.get('type') or 'compute'),
                r.number(entry['vcpus'], what + ' vcpus'),
                r.number(entry['memory_mb'], what + ' memory_mb'),
                enabled, r.flag(entry.get('up', True), what + ' up'),
                None if enabled else entry.get('disabled_reason'))

    def _load_projects(self, r, doc):
        for entry in r.items(doc, 'projects'):
            r.entry(entry, 'project %r' % (entry,), optional=(
                'id', 'name', 'subscribed'))
            if not entry.get('id') and not entry.get('name'):
                r.fail('project %r has neither id nor name', entry)
            name = str(entry.get('name') or entry['id'])
            project_id = str(entry.get('id') or
                             _derived_id('project', name).hex)
            if project_id in self._projects:
                r.fail('project %s is listed twice', project_id)
            self._projects[project_id] = {
                'id': project_id, 'name': name,
                'subscribed': r.flag(entry.get('subscribed', True),
                                     'project %s subscribed' % name)}
            self._project_names.setdefault(name, project_id)

    def _project_ref(self, r, ref, what):
        ref = str(ref)
        if ref in self._projects:
            return ref
        if ref in self._project_names:
            return self._project_names[ref]
        r.fail('%s names unknown project %s', what, ref)

    def _load_groups(self, r, doc):
        for entry in r.items(doc, 'server_groups'):
            entry = _aliased(entry)
            r.entry(entry, 'server group %r' % (entry,),
                    required=('name', 'project', 'policy'),
                    optional=('id', 'max_server_per_host'))
            name = str(entry['name'])
            what = 'server group %s' % name
            project_id = self._project_ref(r, entry['project'], what)
            if entry['policy'] not in POLICIES:
                r.fail('%s has policy %r, not one of %s', what,
                       entry['policy'], ', '.join(POLICIES))
            group_id = str(entry.get('id') or
                           _derived_id('server_group', project_id, name))
            if group_id in self._groups:
                r.fail('server group %s is listed twice', group_id)
            self._groups[group_id] = _Group(
                group_id, name, project_id, entry['policy'],
                r.number(entry.get('max_server_per_host', 1),
                         what + ' max_server_per_host', minimum=1))
            self._group_names[(project_id, name)] = group_id

    def _group_ref(self, r, ref, project_id, what):
        ref = str(ref)
        if ref in self._groups:
            return ref
        group_id = self._group_names.get((project_id, ref))
        if group_id is None:
            r.fail('%s names unknown server group %s of its project', what,
                   ref)
        return group_id

    def _load_instances(self, r, doc):
        for entry in r.items(doc, 'instances'):
            entry = _aliased(entry)
            r.entry(entry, 'instance %r' % (entry,),
                    required=('name', 'project'),
                    optional=('id', 'host', 'flavor', 'vcpus', 'memory_mb',
                              'status', 'server_group', 'resize', 'task',
                              'moves'))
            name = str(entry['name'])
            what = 'instance %s' % name
            project_id = self._project_ref(r, entry['project'], what)
            instance_id = str(entry.get('id') or
                              _derived_id('instance', project_id, name))
            if instance_id in self._instances:
                r.fail('%s has the id %s of another instance; give ids',
                       what, instance_id)
            flavor = entry.get('flavor')
            if flavor is not None:
                if flavor not in self._flavors:
                    r.fail('%s has unknown flavor %s', what, flavor)
                vcpus, memory_mb = self._flavors[flavor]
            elif 'vcpus' in entry and 'memory_mb' in entry:
                vcpus = memory_mb = None
            else:
                flavor, vcpus, memory_mb = self._default_flavor
            vcpus = r.number(entry.get('vcpus', vcpus), what + ' vcpus')
            memory_mb = r.number(entry.get('memory_mb', memory_mb),
                                 what + ' memory_mb')
            host = entry.get('host')
            if host is not None and host not in self._hosts:
                r.fail('%s is on unknown host %s', what, host)
            group = entry.get('server_group')
            if group is not None:
                group = self._group_ref(r, group, project_id, what)
            status = entry.get('status') or 'ACTIVE'
            inst = _Instance(instance_id, name, project_id, host, vcpus,
                             memory_mb, flavor=flavor, status=status,
                             server_group_id=group)
            self._add_instance(inst, host)
            self._load_progress(r, inst, entry, what)
            for move in r.items(entry, 'moves'):
                r.entry(move, what + ' move', required=('kind', 'source'),
                        optional=('dest', 'at'))
                inst.moves.append(dict(move))

    def _load_progress(self, r, inst, entry, what):
        """A VERIFY_RESIZE or a task in progress, as a state file has them."""
        resize, task = entry.get('resize'), entry.get('task')
        if inst.status == 'VERIFY_RESIZE':
            r.entry(resize, what + ' resize', required=('source',),
                    optional=('prior_status',))
            if resize['source'] not in self._hosts or inst.host is None:
                r.fail('%s has no hosts for its VERIFY_RESIZE', what)
            inst.resize = (resize['source'],
                           resize.get('prior_status') or 'ACTIVE')
            self._claim(inst, resize['source'])
        elif task is not None:
            r.entry(task, what + ' task', required=('kind', 'finish_at'),
                    optional=('source', 'dest', 'fail_reason',
                              'prior_status'))
            kind = task['kind']
            if kind not in ('migrate', 'live_migrate', 'boot', 'delete'):
                r.fail('%s has a task of unknown kind %s', what, kind)
            if kind in MOVING_STATUS:
                if task.get('dest') not in self._hosts:
                    r.fail('%s moves to unknown host %s', what,
                           task.get('dest'))
                self._claim(inst, task['dest'])
            started = self._start_task(
                kind, inst, task.get('source'), task.get('dest'),
                task.get('fail_reason'),
                finish_at=r.number(task['finish_at'], what + ' finish_at',
                                   integer=False))
            started.prior_status = task.get('prior_status') or 'ACTIVE'
        elif inst.status not in RESTING:
            r.fail('%s has status %s; give one of %s', what, inst.status,
                   ', '.join(RESTING))

    def _load_failures(self, r, doc):
        for entry in r.items(doc, 'failures'):
            r.entry(entry, 'failure %r' % (entry,), required=('operation',),
                    optional=('instance', 'host', 'count', 'reason'))
            if entry['operation'] not in OPERATIONS:
                r.fail('failure %r: operation is not one of %s', entry,
                       ', '.join(OPERATIONS))
            if entry.get('host') is not None and (
                    entry['host'] not in self._hosts):
                r.fail('failure %r: unknown host', entry)
            count = entry.get('count', 1)
            if isinstance(count, bool) or not isinstance(count, int) or (
                    count == 0 or count < -1):
                r.fail('failure %r: count must be positive or -1', entry)
            self._failures.append({
                'operation': entry['operation'],
                'host': entry.get('host'),
                'instance': entry.get('instance'),
                'count': count, 'reason': entry.get('reason')})

    def _check_placement(self, r):
        for h in self._hosts.values():
            if h.vcpus_used > h.vcpus or h.memory_mb_used > h.memory_mb:
                r.fail('host %s holds %d vCPUs and %d MB RAM, more than its '
                       '%d and %d (give the capacity with allocation ratios '
                       'applied)', h.name, h.vcpus_used, h.memory_mb_used,
                       h.vcpus, h.memory_mb)
        members = collections.defaultdict(collections.Counter)
        for inst in self._instances.values():
            if inst.server_group_id is not None and inst.host is not None:
                members[inst.server_group_id][inst.host] += 1
        for group_id, hosts in members.items():
            group = self._groups[group_id]
            if group.policy == 'anti-affinity' and (
                    max(hosts.values()) > group.max_per_host):
                r.fail('anti-affinity server group %s has members sharing a '
                       'host', group.name)
            if group.policy == 'affinity' and len(hosts) > 1:
                r.fail('affinity server group %s has members on %s',
                       group.name, ', '.join(sorted(hosts)))


def reset_shared():
    """Forget the shared models (for tests)."""
    with _SHARED_LOCK:
        _SHARED.clear()


def generate_inventory(hosts=10, projects=2, instances_per_project=5,
                       seed=0, fill=0.6, group_size=2, flavors=None,
                       durations=None):
    """A synthetic inventory for big tests and benchmarks.

    Hosts come in two sizes (one and a half times the other) chosen so that
    the instances fill about ``fill`` of the cloud, leaving room to empty
    any host. Placement spreads: each instance goes to the least loaded
    host, so no host is empty when there are at least as many instances as
    hosts. The first ``group_size`` instances of every project form an
    anti-affinity server group (none when 0). Deterministic for a seed.

    :param flavors: ``{name: (vcpus, memory_mb, weight)}``; m1.small,
        m1.medium and m1.large by default.
    """
    if not 0 < fill <= 1:
        raise ValueError('fill must be in (0, 1], not %r' % (fill,))
    rng = random.Random(seed)
    flavors = flavors or {'m1.small': (1, 2048, 5),
                          'm1.medium': (2, 4096, 3),
                          'm1.large': (4, 8192, 2)}
    names = list(flavors)
    weights = [flavors[n][2] for n in names]

    def new_id():
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    width = len(str(max(projects - 1, 0)))
    project_list = [{'id': new_id().hex, 'name': 'project-%0*d' % (width, p)}
                    for p in range(projects)]
    instances, groups = [], []
    ip_width = len(str(max(instances_per_project - 1, 0)))
    for project in project_list:
        group_id = None
        if 2 <= group_size <= min(instances_per_project, hosts):
            group_id = str(new_id())
            groups.append({'id': group_id, 'name': project['name'] + '-ha',
                           'project': project['id'],
                           'policy': 'anti-affinity'})
        for i in range(instances_per_project):
            instances.append({
                'id': str(new_id()),
                'name': '%s-vm-%0*d' % (project['name'], ip_width, i),
                'project': project['id'],
                'flavor': rng.choices(names, weights)[0],
                'server_group': group_id if i < group_size else None})

    # Host sizes: the factors sum to the capacity in units of a small host.
    factors = [rng.choice((1.0, 1.5)) for _ in range(hosts)]
    need_vcpus = sum(flavors[i['flavor']][0] for i in instances)
    need_ram = sum(flavors[i['flavor']][1] for i in instances)
    unit_vcpus = need_vcpus / fill / sum(factors)
    unit_ram = need_ram / fill / sum(factors)
    max_vcpus = max(f[0] for f in flavors.values())
    max_ram = max(f[1] for f in flavors.values())
    h_width = len(str(max(hosts - 1, 0)))
    host_list = []
    for n, factor in enumerate(factors):
        host_list.append({
            'name': 'compute-%0*d' % (h_width, n), 'type': 'compute',
            'vcpus': max(4 * math.ceil(unit_vcpus * factor / 4), max_vcpus),
            'memory_mb': max(1024 * math.ceil(unit_ram * factor / 1024),
                             max_ram)})

    # Worst fit: the least loaded host takes the next instance.
    used = [[0, 0] for _ in host_list]
    group_hosts = collections.defaultdict(set)
    heap = [(0.0, rng.random(), n) for n in range(hosts)]
    heapq.heapify(heap)
    order = list(range(len(instances)))
    rng.shuffle(order)
    # NOTE(fenix): place group members first, while every host is free to
    # take them.
    order.sort(key=lambda k: instances[k]['server_group'] is None)
    for k in order:
        inst = instances[k]
        vcpus, ram = flavors[inst['flavor']][:2]
        group = inst['server_group']
        skipped = []
        while heap:
            entry = heapq.heappop(heap)
            n = entry[2]
            spec = host_list[n]
            if (used[n][0] + vcpus <= spec['vcpus']
                    and used[n][1] + ram <= spec['memory_mb']
                    and (group is None or n not in group_hosts[group])):
                break
            skipped.append(entry)
        else:
            raise ValueError('cannot place %s; lower fill' % inst['name'])
        used[n][0] += vcpus
        used[n][1] += ram
        inst['host'] = spec['name']
        if group is not None:
            group_hosts[group].add(n)
        load = max(used[n][0] / spec['vcpus'], used[n][1] / spec['memory_mb'])
        heapq.heappush(heap, (load, entry[1], n))
        for item in skipped:
            heapq.heappush(heap, item)
    for inst in instances:
        if inst['server_group'] is None:
            del inst['server_group']
    flavor_specs = {n: {'vcpus': f[0], 'memory_mb': f[1]}
                    for n, f in flavors.items()}
    return {
        'description': 'generated: %d hosts, %d projects, %d instances, '
                       'seed %d' % (hosts, projects, len(instances), seed),
        'durations': dict(durations or DEFAULT_DURATIONS),
        'flavors': flavor_specs,
        'default_flavor': names[0],
        'hosts': host_list,
        'projects': project_list,
        'server_groups': groups,
        'instances': instances,
    }


class SimulatedDriver(base.CloudDriver):
    """The cloud driver on the process's shared :class:`SimulatedCloud`."""

    def __init__(self, conf):
        super().__init__(conf)
        self.cloud = SimulatedCloud.shared(conf)

    def list_hosts(self, names=None):
        return self.cloud.list_hosts(names)

    def list_instances(self, hosts=None, project_id=None):
        return self.cloud.list_instances(hosts=hosts, project_id=project_id)

    def get_instance(self, instance_id):
        return self.cloud.get_instance(instance_id)

    def is_subscribed(self, project_id):
        return self.cloud.is_subscribed(project_id)

    def disable_host(self, host, reason):
        self.cloud.disable_host(host, reason)

    def enable_host(self, host):
        self.cloud.enable_host(host)

    def migrate(self, instance_id, source_host, target_host=None,
                timeout=600):
        return self.cloud.migrate(instance_id, source_host, target_host,
                                  timeout)

    def live_migrate(self, instance_id, source_host, target_host=None,
                     timeout=600):
        return self.cloud.live_migrate(instance_id, source_host, target_host,
                                       timeout)

    def create_instance(self, project_id, name, like=None, exclude=()):
        return self.cloud.create_instance(project_id, name, like=like,
                                          exclude=exclude)

    def delete_instance(self, instance_id):
        self.cloud.delete_instance(instance_id)
