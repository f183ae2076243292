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
"""The nova driver's decisions, against a mocked openstacksdk connection."""

import threading
import types
from unittest import mock

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc
from oslo_config import cfg
import pytest

from fenix.cloud import base
from fenix.cloud import nova
from fenix import conf as fenix_conf


def server(status='ACTIVE', host='host1', task_state=None, fault=None,
           sid='s1'):
    return types.SimpleNamespace(
        id=sid, name='vm-' + sid, project_id='p1', status=status,
        task_state=task_state, compute_host=host, fault=fault,
        flavor=types.SimpleNamespace(vcpus=2, ram=1024, original_name='m1'),
        image=types.SimpleNamespace(id='img'), server_groups=None)


def migration(mid, status, created='2024-01-01T00:00:00', dest='host2'):
    return types.SimpleNamespace(id=mid, status=status, created_at=created,
                                 dest_compute=dest)


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def conf():
    c = cfg.ConfigOpts()
    fenix_conf.register_opts(c)
    c(args=[])
    return c


@pytest.fixture
def compute():
    return mock.Mock(name='compute')


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def placement():
    """Placement answering 404 (absent) unless a test says otherwise."""
    placement = mock.Mock(name='placement')
    placement.get.return_value = mock.Mock(
        status_code=404, headers={}, text='not found',
        json=mock.Mock(return_value={}))
    return placement


@pytest.fixture
def driver(conf, compute, clock, placement):
    conn = mock.Mock(name='connection', compute=compute,
                     placement=placement, current_project_id='p1')
    d = nova.NovaDriver.from_connection(conf, conn)
    d._clock = clock
    d._sleep = clock.sleep
    return d


def servers(compute, *states):
    """get_server answers these states, then the last one forever."""
    states = list(states)

    def get_server(instance_id):
        return states.pop(0) if len(states) > 1 else states[0]
    compute.get_server.side_effect = get_server


# -- migrate: idempotency ----------------------------------------------------

def test_migrate_already_off_source_is_a_noop(driver, compute):
    servers(compute, server(host='host2'))
    assert driver.migrate('s1', 'host1') == 'host2'
    compute.migrate_server.assert_not_called()
    compute.confirm_server_resize.assert_not_called()


def test_migrate_requests_waits_and_confirms(driver, compute, clock):
    servers(compute, server(), server('RESIZE', task_state='resize_prep'),
            server('RESIZE', 'host2', 'resize_finish'),
            server('VERIFY_RESIZE', 'host2'),
            server('VERIFY_RESIZE', 'host2'),
            server('ACTIVE', 'host2'))
    compute.migrations.side_effect = [
        [],                                  # known before the request
        [migration('m1', 'finished')],       # first VERIFY_RESIZE: confirm
        [migration('m1', 'confirming')],     # second: wait
    ]
    assert driver.migrate('s1', 'host1') == 'host2'
    compute.migrate_server.assert_called_once_with(mock.ANY, host=None)
    compute.confirm_server_resize.assert_called_once()
    assert clock.sleeps[0] == driver.poll_interval
    assert max(clock.sleeps) <= driver.max_poll_interval


def test_migrate_to_explicit_host(driver, compute):
    servers(compute, server(), server('RESIZE', task_state='resize_prep'),
            server('ACTIVE', 'host3'))
    compute.migrations.return_value = []
    assert driver.migrate('s1', 'host1', target_host='host3') == 'host3'
    compute.migrate_server.assert_called_once_with(mock.ANY, host='host3')


def test_verify_resize_left_by_a_crash_is_confirmed(driver, compute):
    servers(compute, server('VERIFY_RESIZE', 'host2'), server('ACTIVE',
                                                              'host2'))
    compute.migrations.return_value = [
        migration('old', 'confirmed', '2023-01-01T00:00:00'),
        migration('m1', 'finished')]
    assert driver.migrate('s1', 'host1') == 'host2'
    compute.confirm_server_resize.assert_called_once()
    compute.migrate_server.assert_not_called()


def test_confirm_already_on_its_way_is_not_repeated(driver, compute):
    servers(compute, server('VERIFY_RESIZE', 'host2'), server('ACTIVE',
                                                              'host2'))
    compute.migrations.return_value = [migration('m1', 'confirming')]
    assert driver.migrate('s1', 'host1') == 'host2'
    compute.confirm_server_resize.assert_not_called()


def test_confirm_race_is_tolerated(driver, compute):
    servers(compute, server('VERIFY_RESIZE', 'host2'), server('ACTIVE',
                                                              'host2'))
    compute.migrations.return_value = []
    compute.confirm_server_resize.side_effect = sdk_exc.BadRequestException(
        'Instance has not been resized')
    assert driver.migrate('s1', 'host1') == 'host2'


def test_migration_in_progress_is_waited_for(driver, compute):
    servers(compute, server('MIGRATING', task_state='migrating'),
            server('MIGRATING', task_state='migrating'),
            server('ACTIVE', 'host4'))
    assert driver.live_migrate('s1', 'host1') == 'host4'
    compute.live_migrate_server.assert_not_called()
    compute.migrate_server.assert_not_called()


def test_busy_server_on_source_is_moved_once_it_rests(driver, compute):
    servers(compute, server('ACTIVE', task_state='powering-on'),
            server(), server('MIGRATING', task_state='migrating'),
            server('ACTIVE', 'host2'))
    compute.migrations.return_value = []
    assert driver.live_migrate('s1', 'host1') == 'host2'
    compute.live_migrate_server.assert_called_once_with(
        mock.ANY, host=None, block_migration='auto')


# -- migrate: failures ----------------------------------------------------

def test_error_status_is_migration_failed_with_fault(driver, compute):
    servers(compute, server(), server('ERROR', fault={
        'code': 500, 'message': 'Disk of doom'}))
    compute.migrations.return_value = []
    with pytest.raises(base.MigrationFailed) as err:
        driver.migrate('s1', 'host1')
    assert 'Disk of doom' in str(err.value)
    assert 's1' in str(err.value)


def test_failed_migration_record_is_migration_failed(driver, compute):
    servers(compute, server(), server('ACTIVE', task_state='migrating'),
            server())
    compute.migrations.side_effect = [
        [migration('old', 'confirmed', '2023-01-01T00:00:00')],
        [migration('old', 'confirmed', '2023-01-01T00:00:00'),
         migration('m2', 'error')]]
    compute.server_actions.return_value = [types.SimpleNamespace(
        action='live-migration', start_time='2024', request_id='req-1')]
    compute.get_server_action.return_value = types.SimpleNamespace(
        message='Error', events=[types.SimpleNamespace(
            result='Error', traceback=None,
            details='No valid host was found.')])
    with pytest.raises(base.MigrationFailed) as err:
        driver.live_migrate('s1', 'host1')
    msg = str(err.value)
    assert 'No valid host was found.' in msg
    assert 'migration error' in msg
    compute.live_migrate_server.assert_called_once()


def test_failed_confirmation_is_migration_failed(driver, compute):
    servers(compute, server('VERIFY_RESIZE', 'host2'))
    compute.migrations.return_value = [migration('m1', 'error')]
    compute.server_actions.return_value = []
    with pytest.raises(base.MigrationFailed):
        driver.migrate('s1', 'host1')


def test_timeout_is_cloud_timeout(driver, compute, clock):
    servers(compute, server('RESIZE', task_state='resize_prep'))
    with pytest.raises(base.CloudTimeout) as err:
        driver.migrate('s1', 'host1', timeout=30)
    assert clock.now == pytest.approx(30)
    assert '30' in str(err.value) and 'resize_prep' in str(err.value)


def test_refused_request_is_migration_failed(driver, compute):
    servers(compute, server())
    compute.migrations.return_value = []
    compute.live_migrate_server.side_effect = sdk_exc.BadRequestException(
        details='No valid host was found.')
    with pytest.raises(base.MigrationFailed) as err:
        driver.live_migrate('s1', 'host1', target_host='host2')
    assert 'No valid host was found.' in str(err.value)
    assert 'host2' in str(err.value)


def test_other_http_errors_are_cloud_errors(driver, compute):
    servers(compute, server())
    compute.migrations.return_value = []
    compute.migrate_server.side_effect = sdk_exc.HttpException(
        details='Unexpected API Error.')
    with pytest.raises(base.CloudError) as err:
        driver.migrate('s1', 'host1')
    assert not isinstance(err.value, base.MigrationFailed)


def test_unknown_instance_is_instance_not_found(driver, compute):
    compute.get_server.side_effect = sdk_exc.NotFoundException('gone')
    with pytest.raises(base.InstanceNotFound):
        driver.migrate('nope', 'host1')
    with pytest.raises(base.InstanceNotFound):
        driver.get_instance('nope')


@pytest.mark.parametrize('exc', [
    sdk_exc.HttpException('boom'),
    sdk_exc.SDKException('boom'),
    ks_exc.ConnectFailure('boom'),
    ks_exc.Unauthorized('boom'),
])
def test_client_exceptions_become_cloud_error(driver, compute, exc):
    compute.get_server.side_effect = exc
    compute.services.side_effect = exc
    with pytest.raises(base.CloudError):
        driver.live_migrate('s1', 'host1')
    with pytest.raises(base.CloudError):
        driver.list_hosts()
    with pytest.raises(base.CloudError):
        driver.disable_host('host1', 'maintenance')


# -- hosts ---------------------------------------------------------------

def service(host, status='enabled', state='up', reason=None):
    return types.SimpleNamespace(host=host, status=status, state=state,
                                 disabled_reason=reason, is_forced_down=False)


def test_disable_and_enable_are_idempotent(driver, compute):
    compute.services.return_value = [service('host1')]
    driver.disable_host('host1', 'maintenance')
    compute.disable_service.assert_called_once_with(
        mock.ANY, disabled_reason='maintenance')
    driver.enable_host('host1')
    compute.enable_service.assert_not_called()

    compute.services.return_value = [service('host1', 'disabled',
                                             reason='maintenance')]
    driver.disable_host('host1', 'maintenance')
    assert compute.disable_service.call_count == 1
    driver.enable_host('host1')
    compute.enable_service.assert_called_once()


def test_unknown_host_is_host_not_found(driver, compute):
    compute.services.return_value = []
    with pytest.raises(base.HostNotFound):
        driver.disable_host('nohost', 'x')
    compute.services.return_value = [service('host1')]
    with pytest.raises(base.HostNotFound):
        driver.list_hosts(['host1', 'nohost'])


def test_list_hosts_joins_services_and_hypervisors(driver, compute):
    compute.services.return_value = [
        service('host1'), service('host2', 'disabled', 'down', 'maint')]
    resp = mock.Mock(status_code=200)
    resp.json.return_value = {'hypervisors': [
        {'service': {'host': 'host1'}, 'vcpus': 8, 'vcpus_used': 2,
         'memory_mb': 8192, 'memory_mb_used': 1024},
        {'service': {'host': 'host2'}, 'vcpus': 4, 'vcpus_used': 0,
         'memory_mb': 4096, 'memory_mb_used': 512}]}
    compute.get.return_value = resp
    h1, h2 = driver.list_hosts()
    assert (h1.name, h1.vcpus, h1.free_vcpus, h1.free_memory_mb) == (
        'host1', 8, 6, 7168)
    assert h1.enabled and h1.up and h1.disabled_reason is None
    assert (h2.enabled, h2.up, h2.disabled_reason) == (False, False, 'maint')
    compute.get.assert_called_once_with('/os-hypervisors/detail',
                                        microversion='2.87')


def test_list_hosts_counts_what_placement_lets_nova_schedule(
        driver, compute, placement):
    compute.services.return_value = [service('host1')]
    hypervisors = mock.Mock(status_code=200)
    hypervisors.json.return_value = {'hypervisors': [
        {'service': {'host': 'host1'}, 'hypervisor_hostname': 'node1',
         'vcpus': 10, 'vcpus_used': 2, 'memory_mb': 8192,
         'memory_mb_used': 2560}]}
    compute.get.return_value = hypervisors
    answers = {
        '/resource_providers': {'resource_providers': [
            {'uuid': 'rp1', 'name': 'node1'}]},
        '/resource_providers/rp1/inventories': {'inventories': {
            'VCPU': {'total': 10, 'reserved': 0, 'allocation_ratio': 4.0},
            'MEMORY_MB': {'total': 8192, 'reserved': 512,
                          'allocation_ratio': 1.0}}},
    }

    def get(url, **kwargs):
        resp = mock.Mock(status_code=200)
        resp.json.return_value = answers[url]
        return resp

    placement.get.side_effect = get
    host, = driver.list_hosts()
    # 4 x 10 vCPUs; 8192 - 512 MB, the reserved 512 no longer "used".
    assert (host.vcpus, host.memory_mb) == (40, 7680)
    assert (host.free_vcpus, host.free_memory_mb) == (38, 5632)
    # The inventories are read once per inventory_ttl.
    driver.list_hosts()
    assert placement.get.call_count == 2


# -- app manager helpers -----------------------------------------------------

def test_delete_of_a_missing_instance_is_a_noop(driver, compute):
    compute.get_server.side_effect = sdk_exc.NotFoundException('gone')
    driver.delete_instance('s1')
    compute.delete_server.assert_not_called()


def test_delete_waits_until_gone(driver, compute):
    compute.get_server.side_effect = [server(), server(task_state='deleting'),
                                      sdk_exc.NotFoundException('gone')]
    driver.delete_instance('s1')
    compute.delete_server.assert_called_once()


def test_create_boots_like_another_and_waits_active(driver, compute):
    compute.servers.return_value = []
    compute.find_flavor.return_value = types.SimpleNamespace(id='f1')
    compute.create_server.return_value = server('BUILD', None, sid='new')
    servers(compute, server(sid='like'), server('BUILD', None, sid='new'),
            server('ACTIVE', 'host3', sid='new'))
    inst = driver.create_instance('p1', 'vm-new', like='like')
    assert (inst.id, inst.host, inst.vcpus, inst.memory_mb) == (
        'new', 'host3', 2, 1024)
    compute.create_server.assert_called_once_with(
        name='vm-new', flavor_id='f1', image_id='img', networks='none')


def test_create_in_another_project_is_refused(driver, compute):
    with pytest.raises(base.CloudError):
        driver.create_instance('p2', 'vm-new')
    compute.create_server.assert_not_called()


# -- connection ---------------------------------------------------------------

def test_connection_is_made_once_from_service_credentials(conf):
    conf.set_override('auth_type', 'password', group='service_credentials')
    conf.set_override('region_name', 'RegionTwo', group='service_credentials')
    d = nova.NovaDriver(conf)
    with mock.patch.object(nova.ks_loading, 'load_auth_from_conf_options'), \
            mock.patch.object(nova.ks_loading,
                              'load_session_from_conf_options') as sess, \
            mock.patch.object(nova.os_connection, 'Connection') as conn:
        threads = [threading.Thread(target=d._connection) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    conn.assert_called_once_with(
        session=sess.return_value, region_name='RegionTwo',
        interface='public', compute_api_version='2.87', app_name='fenix')


def test_failed_connection_is_not_kept(conf):
    conf.set_override('auth_type', 'password', group='service_credentials')
    d = nova.NovaDriver(conf)
    with mock.patch.object(nova.ks_loading, 'load_auth_from_conf_options'), \
            mock.patch.object(nova.ks_loading,
                              'load_session_from_conf_options'), \
            mock.patch.object(nova.os_connection, 'Connection') as conn:
        type(conn.return_value).compute = mock.PropertyMock(side_effect=[
            ks_exc.ConnectFailure('keystone is down'), mock.DEFAULT,
            mock.DEFAULT])
        with pytest.raises(base.CloudError) as err:
            d.list_hosts()
        assert 'keystone is down' in str(err.value)
        d._connection()
    assert conn.call_count == 2


def test_missing_auth_type_is_cloud_error(conf):
    with pytest.raises(base.CloudError) as err:
        nova.NovaDriver(conf).list_hosts()
    assert 'auth_type' in str(err.value)
