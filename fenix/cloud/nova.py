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
"""The real cloud: Nova (and Glance for images) through openstacksdk.

The connection is made lazily, once, from the keystoneauth options of
``[service_credentials]`` and asks for the compute microversion of
``[cloud] compute_microversion``. An app manager that acts as a project user
hands its own :class:`openstack.connection.Connection` to
:meth:`NovaDriver.from_connection`.

Nova tells that a migration has ended only through the server's status, so
the moving methods poll it, with a backoff from :attr:`poll_interval` to
:attr:`max_poll_interval` seconds and within the caller's timeout. This is
the only place of the driver that sleeps.
"""

import functools
import re
import threading
import time

from keystoneauth1 import discover
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from openstack import connection as os_connection
from openstack import exceptions as sdk_exc
from oslo_log import log as logging

from fenix.cloud import base

LOG = logging.getLogger(__name__)

GROUP = 'service_credentials'

# NOTE(fenix): os-hypervisors reports vcpus, memory_mb and their use only up
# to microversion 2.87; later ones point to Placement instead.
HYPERVISOR_MICROVERSION = '2.87'

# Statuses in which a server rests (with no task_state) and may be moved.
SETTLED = ('ACTIVE', 'SHUTOFF', 'PAUSED')
# Statuses of a migration record that will not move the server any more.
MIGRATION_FAILED = ('error', 'failed', 'cancelled', 'reverted')
# The instance actions that move a server.
MOVE_ACTIONS = ('migrate', 'live-migration', 'resize')


def _describe(exc):
    """A one-line account of a client library exception."""
    if isinstance(exc, sdk_exc.HttpException) and exc.status_code:
        detail = str(exc.details or '').strip() or exc.message
        where = ' (%s %s)' % (exc.method, exc.url) if exc.url else ''
        return 'HTTP %s%s: %s' % (exc.status_code, where, detail)
    return str(exc).strip() or exc.__class__.__name__


def _translated(fn):
    """Turn any openstacksdk or keystoneauth exception into CloudError."""
    @functools.wraps(fn)
    def wrapper(self, *args, **kwargs):
        try:
            return fn(self, *args, **kwargs)
        except base.CloudError:
            raise
        except (sdk_exc.SDKException, ks_exc.ClientException) as exc:
            raise base.CloudError(
                reason='%s: %s' % (fn.__name__, _describe(exc))) from exc
        except ValueError as exc:
            # NOTE(fenix): openstacksdk raises ValueError when a parameter
            # needs a newer microversion than the one configured.
            raise base.CloudError(
                reason='%s: %s (compute microversion %s)' % (
                    fn.__name__, exc, self._microversion)) from exc
    return wrapper


class NovaDriver(base.CloudDriver):
    """Cloud driver over Nova's API through openstacksdk."""

    #: First and longest pause in seconds between two polls of a server.
    poll_interval = 1.0
    max_poll_interval = 5.0
    #: Bounds in seconds of create_instance and delete_instance.
    boot_timeout = 300
    delete_timeout = 300
    #: Seconds Placement's inventories (reserved, allocation ratios) are
    #: kept before they are read again.
    inventory_ttl = 300.0

    def __init__(self, conf, connection=None):
        super().__init__(conf)
        self._conn = connection
        self._lock = threading.Lock()
        # Whether this user may list servers of every project; learnt on
        # the first listing.
        self._all_projects = True
        # node name -> (read at, {resource class: inventory}) from
        # Placement; None when Placement cannot be read.
        self._inventories = {}
        self._inventories_at = None
        # Hooks for the unit tests.
        self._sleep = time.sleep
        self._clock = time.monotonic

    @classmethod
    def from_connection(cls, conf, connection):
        """A driver acting through an existing openstacksdk Connection.

        Make the connection with ``compute_api_version`` (2.56 or later) so
        that the driver sees the same API as with its own connection.
        """
        return cls(conf, connection=connection)

    @property
    def _microversion(self):
        return self.conf.cloud.compute_microversion

    # -- connection --------------------------------------------------------

    def _connection(self):
        if self._conn is None:
            with self._lock:
                if self._conn is None:
                    self._conn = self._connect()
        return self._conn

    def _connect(self):
        auth = ks_loading.load_auth_from_conf_options(self.conf, GROUP)
        if auth is None:
            raise base.CloudError(
                reason='no auth_type is set in [%s]' % GROUP)
        session = ks_loading.load_session_from_conf_options(
            self.conf, GROUP, auth=auth)
        creds = self.conf[GROUP]
        conn = os_connection.Connection(
            session=session,
            region_name=creds.region_name,
            interface=creds.interface,
            compute_api_version=self._microversion,
            app_name='fenix')
        # NOTE(fenix): the compute proxy discovers the endpoint and checks
        # the microversion; do it now so that a failure is not cached.
        compute = conn.compute
        LOG.debug('Connected to Nova at %s (microversion %s)',
                  compute.get_endpoint(), self._microversion)
        return conn

    @property
    def _compute(self):
        return self._connection().compute

    # -- inventory ---------------------------------------------------------

    @_translated
    def list_hosts(self, names=None):
        services = {s.host: s for s in
                    self._compute.services(binary='nova-compute')}
        if names:
            unknown = [n for n in names if n not in services]
            if unknown:
                raise base.HostNotFound(host=', '.join(unknown))
            wanted = list(dict.fromkeys(names))
        else:
            wanted = sorted(services)
        capacity = self._schedulable(self._hypervisor_capacity())
        hosts = []
        for name in wanted:
            svc = services[name]
            cap = capacity.get(name, {})
            hosts.append(base.Host(
                name=name,
                vcpus=cap.get('vcpus', 0),
                memory_mb=cap.get('memory_mb', 0),
                vcpus_used=cap.get('vcpus_used', 0),
                memory_mb_used=cap.get('memory_mb_used', 0),
                enabled=svc.status == 'enabled',
                up=svc.state == 'up' and not svc.is_forced_down,
                disabled_reason=svc.disabled_reason or None))
        return hosts

    def _schedulable(self, capacity):
        """What the scheduler may place per host, after Placement.

        Nova schedules on Placement's inventories: (total - reserved) x
        allocation_ratio of VCPU and MEMORY_MB per node, not the raw
        hypervisor figures. Those replace the hypervisor's total (and the
        reserved part leaves the used one) when Placement can be read;
        else the hypervisor figures stand.
        """
        inventories = self._placement_inventories()
        if not inventories:
            return capacity
        result = {}
        for host, cap in capacity.items():
            cap = dict(cap)
            nodes = [inventories.get(n) for n in cap.pop('nodes', ())]
            if nodes and all(nodes):
                for key, rc in (('vcpus', 'VCPU'),
                                ('memory_mb', 'MEMORY_MB')):
                    total = reserved = 0
                    for inventory in nodes:
                        inv = inventory.get(rc) or {}
                        reserved += inv.get('reserved', 0)
                        total += int((inv.get('total', 0)
                                      - inv.get('reserved', 0))
                                     * inv.get('allocation_ratio', 1.0))
                    cap[key] = total
                    cap[key + '_used'] = max(0, cap[key + '_used']
                                             - reserved)
            result[host] = cap
        return result

    def _placement_inventories(self):
        """node name -> {resource class: inventory}; {} when unreadable."""
        now = self._clock()
        if (self._inventories_at is not None
                and now - self._inventories_at < self.inventory_ttl):
            return self._inventories
        inventories = {}
        try:
            placement = self._connection().placement
            resp = placement.get('/resource_providers')
            sdk_exc.raise_from_response(resp)
            for provider in resp.json().get('resource_providers', []):
                resp = placement.get('/resource_providers/%s/inventories'
                                     % provider['uuid'])
                sdk_exc.raise_from_response(resp)
                inventories[provider['name']] = resp.json().get(
                    'inventories', {})
        except (sdk_exc.SDKException, ks_exc.ClientException) as e:
            LOG.warning('Cannot read Placement inventories (%s); capacity '
                        'comes from the hypervisors, without allocation '
                        'ratios or reserved resources', e)
            inventories = {}
        self._inventories = inventories
        self._inventories_at = now
        return inventories

    def _hypervisor_capacity(self):
        """vCPUs and RAM per service host, summed over its nodes."""
        # NOTE(fenix): read os-hypervisors directly: openstacksdk marks these
        # fields deprecated and warns on every access.
        version = self._microversion
        if (discover.normalize_version_number(version) >
                discover.normalize_version_number(HYPERVISOR_MICROVERSION)):
            version = HYPERVISOR_MICROVERSION
        compute = self._compute
        keys = ('vcpus', 'vcpus_used', 'memory_mb', 'memory_mb_used')
        capacity = {}
        url = '/os-hypervisors/detail'
        while url:
            resp = compute.get(url, microversion=version)
            sdk_exc.raise_from_response(resp)
            body = resp.json()
            for hyp in body.get('hypervisors', []):
                host = ((hyp.get('service') or {}).get('host')
                        or hyp.get('hypervisor_hostname'))
                cap = capacity.setdefault(host, dict.fromkeys(keys, 0))
                for key in keys:
                    cap[key] += hyp.get(key) or 0
                cap.setdefault('nodes', []).append(
                    hyp.get('hypervisor_hostname') or host)
            url = next((link['href'] for link in
                        body.get('hypervisors_links', [])
                        if link.get('rel') == 'next'), None)
        return capacity

    @_translated
    def list_instances(self, hosts=None, project_id=None):
        query = {}
        if project_id:
            query['project_id'] = project_id
        if hosts and len(hosts) <= 10:
            servers = []
            for host in dict.fromkeys(hosts):
                servers.extend(self._servers(compute_host=host, **query))
        else:
            servers = self._servers(**query)
            if hosts:
                servers = [s for s in servers if s.compute_host in hosts]
        groups = self._server_groups()
        return [self._instance(s, groups.get(s.id)) for s in servers]

    def _servers(self, **query):
        compute = self._compute
        if self._all_projects:
            try:
                return list(compute.servers(all_projects=True, **query))
            except sdk_exc.ForbiddenException:
                LOG.info('Not allowed to list the servers of all projects; '
                         'listing those of the own project only')
                self._all_projects = False
        return list(compute.servers(**query))

    def _server_groups(self):
        """Server group id of every grouped server, by server id."""
        groups = {}
        for group in self._compute.server_groups(all_projects=True):
            for member in group.member_ids or ():
                groups[member] = group.id
        return groups

    @staticmethod
    def _instance(server, group_id=None):
        if group_id is None and server.server_groups:
            group_id = server.server_groups[0]
        # NOTE(fenix): the server embeds its flavor since microversion 2.47.
        flavor = server.flavor
        return base.Instance(
            id=server.id,
            name=server.name,
            project_id=server.project_id,
            host=server.compute_host,
            vcpus=flavor.vcpus if flavor else 0,
            memory_mb=flavor.ram if flavor else 0,
            status=server.status,
            server_group_id=group_id)

    @_translated
    def get_instance(self, instance_id):
        return self._instance(self._get_server(instance_id))

    def _get_server(self, instance_id):
        try:
            return self._compute.get_server(instance_id)
        except sdk_exc.NotFoundException:
            raise base.InstanceNotFound(instance_id=instance_id)

    # -- scheduling --------------------------------------------------------

    def _service(self, host):
        for svc in self._compute.services(binary='nova-compute', host=host):
            if svc.host == host:
                return svc
        raise base.HostNotFound(host=host)

    @_translated
    def disable_host(self, host, reason):
        svc = self._service(host)
        if svc.status == 'disabled':
            LOG.debug('Host %s is already disabled (%s)', host,
                      svc.disabled_reason)
            return
        self._compute.disable_service(svc, disabled_reason=reason)
        LOG.info('Disabled nova-compute on %s: %s', host, reason)

    @_translated
    def enable_host(self, host):
        svc = self._service(host)
        if svc.status == 'enabled':
            LOG.debug('Host %s is already enabled', host)
            return
        self._compute.enable_service(svc)
        LOG.info('Enabled nova-compute on %s', host)

    # -- moving instances --------------------------------------------------

    @_translated
    def migrate(self, instance_id, source_host, target_host=None,
                timeout=600):
        return self._move(instance_id, source_host, target_host, timeout,
                          live=False)

    @_translated
    def live_migrate(self, instance_id, source_host, target_host=None,
                     timeout=600):
        return self._move(instance_id, source_host, target_host, timeout,
                          live=True)

    def _move(self, instance_id, source_host, target_host, timeout, live):
        """Move the server off source_host unless it is off already.

        A move in progress (whoever started it) is waited for; a
        VERIFY_RESIZE is confirmed; only a server resting on source_host
        gets a new migration request, and at most one.
        """
        kind = 'live migration' if live else 'cold migration'
        state = {'requested': False, 'known': set(), 'server': None}

        def step():
            server = self._get_server(instance_id)
            state['server'] = server
            if server.status == 'ERROR':
                raise base.MigrationFailed(
                    instance_id=instance_id,
                    reason=self._fault(server) or 'the server is in ERROR')
            if server.status == 'VERIFY_RESIZE':
                self._confirm(server)
                return False, None
            if server.status not in SETTLED or server.task_state:
                return False, None
            if server.compute_host != source_host:
                if state['requested']:
                    LOG.info('Instance %s is on %s after %s from %s',
                             instance_id, server.compute_host, kind,
                             source_host)
                return True, server.compute_host
            if state['requested']:
                raise base.MigrationFailed(
                    instance_id=instance_id,
                    reason=self._why_not_moved(server, state['known'], kind))
            state['known'] = self._migration_ids(instance_id)
            self._request_move(server, source_host, target_host, live)
            state['requested'] = True
            return False, None

        def what():
            server = state['server']
            if server is None:
                return '%s of instance %s' % (kind, instance_id)
            return ('%s of instance %s off %s (now %s on %s, task %s)' % (
                kind, instance_id, source_host, server.status,
                server.compute_host, server.task_state))

        return self._poll(step, timeout, what)

    def _request_move(self, server, source_host, target_host, live):
        compute = self._compute
        kind = 'live migration' if live else 'cold migration'
        try:
            if live:
                compute.live_migrate_server(server, host=target_host,
                                            block_migration='auto')
            else:
                compute.migrate_server(server, host=target_host)
        except (sdk_exc.BadRequestException, sdk_exc.ConflictException) as e:
            # NOTE(fenix): Nova refuses some moves at once (no valid host
            # for a live migration, unknown or same target host, a task in
            # progress): that is a failed migration, not a broken cloud.
            raise base.MigrationFailed(
                instance_id=server.id,
                reason='Nova refused the %s from %s to %s: %s' % (
                    kind, source_host, target_host or 'any host',
                    str(e.details or '').strip() or e.message)) from e
        LOG.info('Requested %s of instance %s from %s to %s', kind,
                 server.id, source_host,
                 target_host or 'a host the scheduler picks')

    def _confirm(self, server):
        """Confirm a finished cold migration (or resize) once."""
        latest = self._latest_migration(server.id)
        if latest is not None:
            if latest.status in MIGRATION_FAILED:
                raise base.MigrationFailed(
                    instance_id=server.id,
                    reason='confirming the migration to %s: %s' % (
                        latest.dest_compute,
                        self._action_error(server) or latest.status))
            if latest.status != 'finished':
                # 'confirming': a confirmation is on its way already.
                return
        try:
            self._compute.confirm_server_resize(server)
        except (sdk_exc.BadRequestException, sdk_exc.ConflictException) as e:
            # NOTE(fenix): a confirmation raced with ours; poll on.
            LOG.debug('Confirming migration of %s: %s', server.id, e)
            return
        LOG.info('Confirmed migration of instance %s to %s', server.id,
                 server.compute_host)

    def _migrations(self, instance_id):
        return list(self._compute.migrations(server_id=instance_id))

    def _migration_ids(self, instance_id):
        return {m.id for m in self._migrations(instance_id)}

    def _latest_migration(self, instance_id, exclude=()):
        migrations = [m for m in self._migrations(instance_id)
                      if m.id not in exclude]
        if not migrations:
            return None
        return max(migrations, key=lambda m: m.created_at or '')

    def _why_not_moved(self, server, known, kind):
        reason = 'it is still on %s after the %s ended' % (
            server.compute_host, kind)
        migration = self._latest_migration(server.id, exclude=known)
        if migration is not None:
            reason = '%s (migration %s)' % (reason, migration.status)
        detail = self._action_error(server)
        if detail:
            reason = '%s: %s' % (reason, detail)
        return reason

    def _action_error(self, server):
        """Nova's error message of the latest move action, if any."""
        try:
            actions = [a for a in self._compute.server_actions(server)
                       if a.action in MOVE_ACTIONS]
            if not actions:
                return None
            latest = max(actions, key=lambda a: a.start_time or '')
            action = self._compute.get_server_action(
                latest.request_id, server)
        except sdk_exc.SDKException as exc:
            LOG.debug('No instance actions of %s: %s', server.id, exc)
            return None
        for event in action.events or ():
            if event.result == 'Error':
                # NOTE(fenix): details (microversion 2.84) holds the fault
                # message; traceback is only the last resort.
                if event.details:
                    return event.details
                if event.traceback:
                    return event.traceback.strip().splitlines()[-1]
        return action.message

    @staticmethod
    def _fault(server):
        fault = server.fault or {}
        return fault.get('message')

    # -- used by app managers ----------------------------------------------

    @_translated
    def create_instance(self, project_id, name, like=None, exclude=()):
        conn = self._connection()
        own = conn.current_project_id
        if project_id and own and project_id != own:
            raise base.CloudError(
                reason='cannot boot %s in project %s with credentials of '
                       'project %s' % (name, project_id, own))
        compute = self._compute
        server = self._existing(name, exclude)
        if server is None:
            flavor_id, image_id = self._flavor_and_image(like)
            server = compute.create_server(
                name=name, flavor_id=flavor_id, image_id=image_id,
                networks='none')
            LOG.info('Booting instance %s (%s) in project %s', server.id,
                     name, own)
        else:
            LOG.info('Instance %s (%s) exists already', server.id, name)
        server = self._wait_active(server.id)
        return self._instance(server)

    def _existing(self, name, exclude=()):
        """The server of the own project with that name, if one lives.

        Servers whose ids are in ``exclude`` do not count.
        """
        pattern = '^%s$' % re.escape(name)
        for server in self._compute.servers(name=pattern):
            if server.id in exclude:
                continue
            if server.name == name and server.status not in ('ERROR',
                                                             'DELETED'):
                return server
        return None

    def _flavor_and_image(self, like):
        compute = self._compute
        flavor_id = image_id = None
        if like:
            model = self._get_server(like)
            if model.flavor and model.flavor.original_name:
                flavor = compute.find_flavor(model.flavor.original_name)
                flavor_id = flavor.id if flavor else None
            if model.image and model.image.id:
                image_id = model.image.id
        if flavor_id is None:
            flavors = sorted(compute.flavors(),
                             key=lambda f: (f.vcpus, f.ram, f.disk, f.name))
            if not flavors:
                raise base.CloudError(reason='there is no flavor to boot')
            flavor_id = flavors[0].id
        if image_id is None:
            image = next(iter(self._connection().image.images(
                status='active')), None)
            if image is None:
                raise base.CloudError(reason='there is no image to boot')
            image_id = image.id
        return flavor_id, image_id

    def _wait_active(self, instance_id):
        def step():
            server = self._get_server(instance_id)
            if server.status == 'ERROR':
                raise base.CloudError(
                    reason='instance %s (%s) failed to boot: %s' % (
                        instance_id, server.name,
                        self._fault(server) or 'ERROR'))
            if server.status == 'ACTIVE' and not server.task_state:
                return True, server
            return False, None

        return self._poll(step, self.boot_timeout,
                          lambda: 'instance %s to boot' % instance_id)

    @_translated
    def delete_instance(self, instance_id):
        compute = self._compute
        try:
            server = compute.get_server(instance_id)
        except sdk_exc.NotFoundException:
            LOG.debug('Instance %s is gone already', instance_id)
            return
        compute.delete_server(server, ignore_missing=True)
        LOG.info('Deleting instance %s (%s)', instance_id, server.name)

        def step():
            try:
                server = compute.get_server(instance_id)
            except sdk_exc.NotFoundException:
                return True, None
            if server.status == 'DELETED':
                return True, None
            return False, None

        self._poll(step, self.delete_timeout,
                   lambda: 'instance %s to be deleted' % instance_id)

    # -- waiting -----------------------------------------------------------

    def _poll(self, step, timeout, what):
        """Call step() until it returns (True, value); return value.

        :param what: a callable describing the wait for CloudTimeout.
        """
        deadline = self._clock() + timeout
        interval = self.poll_interval
        while True:
            done, value = step()
            if done:
                return value
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise base.CloudTimeout(seconds=timeout, what=what())
            self._sleep(min(interval, remaining))
            interval = min(interval * 1.5, self.max_poll_interval)
