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
"""The simulated cloud: Nova's semantics, failures, persistence, scale."""

import dataclasses
import json
import os
import re
import sys
import threading
import time

from oslo_config import cfg
import pytest
from stevedore import driver as sd_driver

from fenix.cloud import base
from fenix.cloud import simulated
from fenix import conf as fenix_conf

PROJECT = '0123456789abcdef0123456789abcdef'


@pytest.fixture(autouse=True)
def fresh_registry():
    simulated.reset_shared()
    yield
    simulated.reset_shared()


@pytest.fixture
def conf():
    c = cfg.ConfigOpts()
    fenix_conf.register_opts(c)
    c([], project='fenix', default_config_files=[])
    c.set_override('driver', 'simulated', group='cloud')
    c.set_override('simulated_time_scale', 0, group='cloud')
    return c


@pytest.fixture
def demo():
    return simulated.SimulatedCloud(time_scale=0)


def make_inventory(hosts, instances=(), groups=(), **extra):
    """hosts: (name, vcpus, memory_mb); instances: dicts (name, host, ...)."""
    inv = {
        'hosts': [{'name': n, 'vcpus': v, 'memory_mb': m}
                  for n, v, m in hosts],
        'projects': [{'id': PROJECT, 'name': 'p'}],
        'server_groups': [dict(g, project='p') for g in groups],
        'instances': [dict({'project': 'p', 'vcpus': 1, 'memory_mb': 1024},
                           **i) for i in instances],
    }
    inv.update(extra)
    return inv


def by_name(cloud, name):
    return next(i for i in cloud.list_instances() if i.name == name)


def host(cloud, name):
    return cloud.list_hosts([name])[0]


def types_of(cloud):
    return [e['type'] for e in cloud.events]


# -- the demo inventory -------------------------------------------------------


def test_demo_inventory_shape(demo):
    hosts = demo.list_hosts()
    assert [h.name for h in hosts] == ['compute-%d' % n for n in range(4)]
    assert len({(h.vcpus, h.memory_mb) for h in hosts}) > 1
    for h in hosts:
        assert demo.list_instances(hosts=[h.name]), '%s is empty' % h.name
    projects = demo.list_projects()
    assert sorted(p['name'] for p in projects) == ['demo-a', 'demo-b']
    for p in projects:
        assert re.fullmatch('[0-9a-f]{32}', p['id'])
        assert len(demo.list_instances(project_id=p['id'])) >= 3
    assert demo.check_consistency() == []


@pytest.mark.parametrize('victim', ['compute-%d' % n for n in range(4)])
def test_demo_has_room_to_empty_any_host(victim):
    cloud = simulated.SimulatedCloud(time_scale=0)
    cloud.disable_host(victim, 'maintenance')
    for inst in cloud.list_instances(hosts=[victim]):
        assert cloud.migrate(inst.id, victim) != victim
    assert cloud.list_instances(hosts=[victim]) == []
    assert host(cloud, victim).vcpus_used == 0
    assert cloud.check_consistency() == []


def test_demo_durations_suit_a_demo(demo):
    durations = demo.snapshot()['durations']
    assert 0.5 <= durations['migrate'] <= 2
    assert durations['live_migrate'] < durations['migrate']


def test_bundled_inventory_by_name():
    assert simulated.inventory_path(None) == simulated.DEMO_INVENTORY
    assert simulated.inventory_path('demo') == simulated.DEMO_INVENTORY
    assert simulated.inventory_path('/x/demo.yaml') == '/x/demo.yaml'


# -- listing ------------------------------------------------------------------


def test_list_hosts_by_name(demo):
    assert [h.name for h in demo.list_hosts(['compute-2', 'compute-0'])] == [
        'compute-2', 'compute-0']
    with pytest.raises(base.HostNotFound, match='compute-9'):
        demo.list_hosts(['compute-0', 'compute-9'])


def test_list_instances_filters(demo):
    everything = demo.list_instances()
    assert len(everything) == 8
    a = demo.list_projects()[0]['id']
    on_0 = demo.list_instances(hosts=['compute-0'])
    assert {i.host for i in on_0} == {'compute-0'}
    assert {i.id for i in on_0} == {i.id for i in everything
                                    if i.host == 'compute-0'}
    mine = demo.list_instances(hosts=['compute-0', 'compute-1'],
                               project_id=a)
    assert mine and all(i.project_id == a for i in mine)
    assert {i.host for i in mine} <= {'compute-0', 'compute-1'}
    assert demo.list_instances(hosts=['nowhere']) == []
    assert demo.get_instance(on_0[0].id) == on_0[0]
    with pytest.raises(base.InstanceNotFound):
        demo.get_instance('nope')


# -- scheduling ---------------------------------------------------------------


def test_disable_enable_idempotent_with_reason(demo):
    demo.disable_host('compute-1', 'maintenance session 1')
    demo.disable_host('compute-1', 'another reason')
    h = host(demo, 'compute-1')
    assert not h.enabled
    assert h.disabled_reason == 'maintenance session 1'
    assert types_of(demo) == ['host.disabled']
    assert demo.events[0]['reason'] == 'maintenance session 1'
    demo.enable_host('compute-1')
    demo.enable_host('compute-1')
    h = host(demo, 'compute-1')
    assert h.enabled and h.disabled_reason is None
    assert types_of(demo) == ['host.disabled', 'host.enabled']
    with pytest.raises(base.HostNotFound):
        demo.disable_host('compute-9', 'x')


def test_scheduler_picks_most_free_ram_never_source():
    cloud = simulated.SimulatedCloud(make_inventory(
        [('a', 8, 8192), ('b', 8, 4096), ('c', 8, 6144), ('d', 8, 2048)],
        [{'name': 'vm', 'host': 'a'}]), time_scale=0)
    vm = by_name(cloud, 'vm')
    assert cloud.migrate(vm.id, 'a') == 'c'
    assert cloud.migrate(vm.id, 'c') == 'a'
    cloud.disable_host('a', 'maintenance')
    assert cloud.migrate(vm.id, 'a') == 'c'
    assert cloud.migrate(vm.id, 'a') == 'c'  # off 'a' already: no-op
    # 'a' has the most free RAM but is disabled.
    assert cloud.migrate(vm.id, 'c') == 'b'


def test_disabled_or_down_host_gets_nothing(demo):
    # compute-2 and compute-3 have the most free RAM.
    demo.disable_host('compute-2', 'maintenance')
    demo.set_host_up('compute-3', False)
    inst = demo.list_instances(hosts=['compute-1'])[1]
    assert demo.migrate(inst.id, 'compute-1') == 'compute-0'
    new = demo.create_instance(inst.project_id, 'new')
    assert new.host in ('compute-0', 'compute-1')


def test_migrate_to_an_explicit_host(demo):
    inst = by_name(demo, 'demo-b-web-0')
    assert demo.migrate(inst.id, 'compute-1', 'compute-0') == 'compute-0'
    assert demo.get_instance(inst.id).status == 'ACTIVE'
    assert host(demo, 'compute-1').vcpus_used == 2


@pytest.mark.parametrize('target,reason', [
    ('compute-1', r'current host'),
    ('compute-9', r'compute-9 could not be found'),
    ('compute-3', r'No valid host was found\. Host compute-3 is disabled'),
    ('compute-0', r'No valid host was found\. Host compute-0 has 2 free '
                  r'vCPUs'),
])
def test_explicit_target_refused(demo, target, reason):
    demo.disable_host('compute-3', 'maintenance')
    inst = by_name(demo, 'demo-a-worker-1')  # m1.large on compute-3
    demo.migrate(inst.id, 'compute-3', 'compute-1')
    before = demo.snapshot()['hosts']
    with pytest.raises(base.MigrationFailed, match=reason):
        demo.migrate(inst.id, 'compute-1', target)
    assert demo.get_instance(inst.id).host == 'compute-1'
    assert demo.get_instance(inst.id).status == 'ACTIVE'
    assert demo.snapshot()['hosts'] == before


def test_no_room_anywhere():
    cloud = simulated.SimulatedCloud(make_inventory(
        [('a', 4, 8192), ('b', 4, 8192), ('c', 1, 8192)],
        [{'name': 'big', 'host': 'a', 'vcpus': 2, 'memory_mb': 2048},
         {'name': 'fill', 'host': 'b', 'vcpus': 3, 'memory_mb': 1024}]),
        time_scale=0)
    big = by_name(cloud, 'big')
    with pytest.raises(base.MigrationFailed,
                       match='No valid host was found. There are not enough '
                             'hosts'):
        cloud.migrate(big.id, 'a')
    assert cloud.get_instance(big.id).host == 'a'
    assert [h.vcpus_used for h in cloud.list_hosts()] == [2, 3, 0]
    # RAM counts as much as vCPUs.
    cloud = simulated.SimulatedCloud(make_inventory(
        [('a', 8, 4096), ('b', 8, 1024)],
        [{'name': 'vm', 'host': 'a', 'memory_mb': 2048}]), time_scale=0)
    with pytest.raises(base.MigrationFailed, match='No valid host'):
        cloud.migrate(by_name(cloud, 'vm').id, 'a')


def test_anti_affinity_honoured():
    inv = make_inventory(
        [('a', 8, 8192), ('b', 8, 16384), ('c', 8, 8192)],
        [{'name': 'm0', 'host': 'a', 'server_group': 'g'},
         {'name': 'm1', 'host': 'b', 'server_group': 'g'}],
        groups=[{'name': 'g', 'policy': 'anti-affinity'}])
    cloud = simulated.SimulatedCloud(inv, time_scale=0)
    m0 = by_name(cloud, 'm0')
    # b has the most free RAM but holds m1.
    with pytest.raises(base.MigrationFailed, match='anti-affinity'):
        cloud.migrate(m0.id, 'a', 'b')
    assert cloud.migrate(m0.id, 'a') == 'c'
    cloud.disable_host('a', 'maintenance')
    with pytest.raises(base.MigrationFailed, match='No valid host'):
        cloud.migrate(m0.id, 'c')
    # A new member (like=) joins the group and obeys it too.
    with pytest.raises(base.CloudError, match='No valid host'):
        cloud.create_instance(PROJECT, 'm2', like=m0.id)
    cloud.enable_host('a')
    m2 = cloud.create_instance(PROJECT, 'm2', like=m0.id)
    assert m2.host == 'a' and m2.server_group_id == m0.server_group_id
    assert cloud.check_consistency() == []


def test_anti_affinity_inventory_violation_refused():
    inv = make_inventory(
        [('a', 8, 8192), ('b', 8, 8192)],
        [{'name': 'm0', 'host': 'a', 'server_group': 'g'},
         {'name': 'm1', 'host': 'a', 'server_group': 'g'}],
        groups=[{'name': 'g', 'policy': 'anti-affinity'}])
    with pytest.raises(simulated.InventoryError, match='sharing a host'):
        simulated.SimulatedCloud(inv)
    inv['server_groups'][0]['policy'] = 'soft-anti-affinity'
    simulated.SimulatedCloud(inv)


def test_affinity_like_nova():
    inv = make_inventory(
        [('a', 8, 8192), ('b', 8, 8192), ('c', 8, 16384)],
        [{'name': 'm0', 'host': 'a', 'server_group': 'g'},
         {'name': 'm1', 'host': 'a', 'server_group': 'g'}],
        groups=[{'name': 'g', 'policy': 'affinity'}])
    cloud = simulated.SimulatedCloud(inv, time_scale=0)
    m0, m1 = by_name(cloud, 'm0'), by_name(cloud, 'm1')
    # Its partner stays on the source: Nova finds no valid host.
    with pytest.raises(base.MigrationFailed, match='No valid host'):
        cloud.migrate(m0.id, 'a')
    with pytest.raises(base.MigrationFailed, match='affinity'):
        cloud.migrate(m0.id, 'a', 'c')
    # A lone member may go; its partner must follow it, not the weigher.
    cloud.delete_instance(m1.id)
    assert cloud.migrate(m0.id, 'a', 'b') == 'b'
    m2 = cloud.create_instance(PROJECT, 'm2', like=m0.id)
    assert m2.host == 'b'


# -- moves --------------------------------------------------------------------


def test_cold_migration_statuses_and_double_claim():
    inv = make_inventory([('a', 4, 4096), ('b', 4, 4096)],
                         [{'name': 'vm', 'host': 'a', 'vcpus': 2}],
                         durations={'migrate': 0.5})
    cloud = simulated.SimulatedCloud(inv, time_scale=1)
    vm = by_name(cloud, 'vm')
    result = {}
    t = threading.Thread(target=lambda: result.update(
        host=cloud.migrate(vm.id, 'a')))
    start = time.monotonic()
    t.start()
    deadline = time.monotonic() + 5
    while cloud.get_instance(vm.id).status != 'RESIZE':
        assert time.monotonic() < deadline
        time.sleep(0.005)
    # In RESIZE on the source and counted on both hosts.
    assert cloud.get_instance(vm.id).host == 'a'
    assert [h.vcpus_used for h in cloud.list_hosts()] == [2, 2]
    t.join(10)
    assert result['host'] == 'b'
    assert time.monotonic() - start >= 0.45
    assert cloud.get_instance(vm.id).status == 'ACTIVE'
    assert [h.vcpus_used for h in cloud.list_hosts()] == [0, 2]
    moves = [e for e in cloud.events if e['type'].startswith('instance.')]
    assert [e['type'] for e in moves] == [
        'instance.migration_started', 'instance.migrated',
        'instance.resize_confirmed']
    assert moves[1]['status'] == 'VERIFY_RESIZE'
    assert (moves[0]['source'], moves[0]['target']) == ('a', 'b')


def test_time_scale_zero_is_instant_with_the_same_statuses():
    inv = make_inventory([('a', 4, 4096), ('b', 4, 4096)],
                         [{'name': 'vm', 'host': 'a'}],
                         durations={'migrate': 1000, 'live_migrate': 1000})
    cloud = simulated.SimulatedCloud(inv, time_scale=0)
    vm = by_name(cloud, 'vm')
    start = time.monotonic()
    assert cloud.migrate(vm.id, 'a') == 'b'
    assert cloud.live_migrate(vm.id, 'b') == 'a'
    assert time.monotonic() - start < 5
    assert [e['type'] for e in cloud.events] == [
        'instance.migration_started', 'instance.migrated',
        'instance.resize_confirmed', 'instance.migration_started',
        'instance.migrated']


def test_live_migrate():
    inv = make_inventory([('a', 4, 4096), ('b', 4, 4096)],
                         [{'name': 'vm', 'host': 'a'},
                          {'name': 'off', 'host': 'a', 'status': 'SHUTOFF'}],
                         durations={'live_migrate': 0.2})
    cloud = simulated.SimulatedCloud(inv, time_scale=1)
    vm = by_name(cloud, 'vm')
    seen = []
    cloud.add_listener(
        lambda e: seen.append(cloud.get_instance(vm.id).status)
        if e['type'] == 'instance.migration_started' else None)
    assert cloud.live_migrate(vm.id, 'a') == 'b'
    assert seen == ['MIGRATING']
    assert cloud.get_instance(vm.id).status == 'ACTIVE'
    assert 'instance.resize_confirmed' not in types_of(cloud)
    with pytest.raises(base.MigrationFailed, match='SHUTOFF'):
        cloud.live_migrate(by_name(cloud, 'off').id, 'a')
    # A stopped server cold migrates and stays stopped.
    off = by_name(cloud, 'off')
    cloud.time_scale = 0
    assert cloud.migrate(off.id, 'a') == 'b'
    assert cloud.get_instance(off.id).status == 'SHUTOFF'


def test_parallel_migrations_overlap():
    hosts = [('h%d' % n, 4, 4096) for n in range(16)]
    vms = [{'name': 'vm%d' % n, 'host': 'h%d' % n} for n in range(8)]
    cloud = simulated.SimulatedCloud(
        make_inventory(hosts, vms, durations={'migrate': 0.4}),
        time_scale=1)
    threads = [threading.Thread(target=cloud.migrate,
                                args=(by_name(cloud, v['name']).id,
                                      v['host']))
               for v in vms]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    elapsed = time.monotonic() - start
    # One after the other they would take 3.2 s.
    assert 0.35 <= elapsed < 1.6
    assert all(i.host not in ('h%d' % n for n in range(8))
               for i in cloud.list_instances())


def test_timeout_leaves_the_move_running():
    inv = make_inventory([('a', 4, 4096), ('b', 4, 4096)],
                         [{'name': 'vm', 'host': 'a'}],
                         durations={'migrate': 0.3})
    cloud = simulated.SimulatedCloud(inv, time_scale=1)
    vm = by_name(cloud, 'vm')
    with pytest.raises(base.CloudTimeout):
        cloud.migrate(vm.id, 'a', timeout=0.01)
    assert cloud.get_instance(vm.id).status == 'RESIZE'
    # A resumed caller waits for the same move; it does not start another.
    assert cloud.migrate(vm.id, 'a') == 'b'
    assert types_of(cloud).count('instance.migration_started') == 1


# -- idempotence --------------------------------------------------------------


def test_migrate_of_a_moved_instance_does_nothing(demo):
    inst = by_name(demo, 'demo-a-worker-0')
    target = demo.migrate(inst.id, 'compute-2')
    events = len(demo.events)
    assert demo.migrate(inst.id, 'compute-2') == target
    assert demo.live_migrate(inst.id, 'compute-2') == target
    assert len(demo.events) == events


def test_verify_resize_left_behind_is_confirmed():
    inv = make_inventory(
        [('a', 4, 4096), ('b', 4, 4096)],
        [{'name': 'vm', 'host': 'b', 'vcpus': 2, 'status': 'VERIFY_RESIZE',
          'resize': {'source': 'a'}}])
    cloud = simulated.SimulatedCloud(inv, time_scale=0)
    vm = by_name(cloud, 'vm')
    assert [h.vcpus_used for h in cloud.list_hosts()] == [2, 2]
    assert cloud.migrate(vm.id, 'a') == 'b'
    assert cloud.get_instance(vm.id).status == 'ACTIVE'
    assert [h.vcpus_used for h in cloud.list_hosts()] == [0, 2]
    assert types_of(cloud) == ['instance.resize_confirmed']


def test_error_instance_is_not_moved():
    inv = make_inventory([('a', 4, 4096), ('b', 4, 4096)],
                         [{'name': 'vm', 'host': 'a', 'status': 'ERROR'}])
    cloud = simulated.SimulatedCloud(inv, time_scale=0)
    with pytest.raises(base.MigrationFailed, match='ERROR'):
        cloud.migrate(by_name(cloud, 'vm').id, 'a')


# -- failure injection ------------------------------------------------------


def test_injected_migration_failure_from_inventory():
    inv = make_inventory(
        [('a', 4, 4096), ('b', 4, 4096)],
        [{'name': 'vm', 'host': 'a'}],
        failures=[{'operation': 'migrate', 'instance': 'vm',
                   'reason': 'disk full'}])
    cloud = simulated.SimulatedCloud(inv, time_scale=0)
    vm = by_name(cloud, 'vm')
    with pytest.raises(base.MigrationFailed, match='disk full'):
        cloud.migrate(vm.id, 'a')
    assert cloud.get_instance(vm.id).host == 'a'
    assert cloud.get_instance(vm.id).status == 'ACTIVE'
    assert [h.vcpus_used for h in cloud.list_hosts()] == [1, 0]
    assert 'instance.migration_failed' in types_of(cloud)
    assert cloud.migrate(vm.id, 'a') == 'b'


def test_injected_failures_by_method(demo):
    demo.inject_failure('disable_host', 'compute-0', count=-1,
                        reason='service unreachable')
    for _ in range(3):
        with pytest.raises(base.CloudError, match='service unreachable'):
            demo.disable_host('compute-0', 'maintenance')
    assert host(demo, 'compute-0').enabled
    # By host: any migration touching compute-1 fails, twice.
    demo.inject_failure('live_migrate', 'compute-1', count=2)
    inst = by_name(demo, 'demo-b-web-0')
    for _ in range(2):
        with pytest.raises(base.MigrationFailed, match='injected'):
            demo.live_migrate(inst.id, 'compute-1')
    assert demo.live_migrate(inst.id, 'compute-1') != 'compute-1'
    # A failed boot leaves nothing behind.
    before = demo.snapshot()['hosts']
    demo.inject_failure('boot', 'vm-x', reason='no image')
    with pytest.raises(base.CloudError, match='no image'):
        demo.create_instance(inst.project_id, 'vm-x')
    assert 'vm-x' not in [i.name for i in demo.list_instances()]
    assert demo.snapshot()['hosts'] == before
    assert demo.create_instance(inst.project_id, 'vm-x').status == 'ACTIVE'


def test_inject_failure_checks_its_arguments(demo):
    with pytest.raises(ValueError):
        demo.inject_failure('reboot', 'compute-0')
    with pytest.raises(ValueError):
        demo.inject_failure('migrate', 'compute-0', count=0)
    with pytest.raises(base.HostNotFound):
        demo.inject_failure('disable_host', 'compute-9')


# -- app manager operations ---------------------------------------------------


def test_create_and_delete_instance(demo):
    like = by_name(demo, 'demo-b-db-0')
    new = demo.create_instance(like.project_id, 'demo-b-db-2', like=like.id)
    assert (new.vcpus, new.memory_mb) == (like.vcpus, like.memory_mb)
    assert new.server_group_id == like.server_group_id
    assert new.host not in ('compute-0', 'compute-2')  # anti-affinity
    assert new.status == 'ACTIVE'
    # Idempotent by name, like the nova driver.
    assert demo.create_instance(like.project_id, 'demo-b-db-2').id == new.id
    plain = demo.create_instance(like.project_id, 'plain')
    assert (plain.vcpus, plain.memory_mb) == (1, 2048)  # default flavor
    used = host(demo, new.host).vcpus_used
    demo.delete_instance(new.id)
    demo.delete_instance(new.id)
    assert host(demo, new.host).vcpus_used == used - like.vcpus
    with pytest.raises(base.InstanceNotFound):
        demo.get_instance(new.id)
    assert types_of(demo).count('instance.deleted') == 1
    assert demo.check_consistency() == []


def test_delete_during_a_move_releases_both_hosts():
    inv = make_inventory([('a', 4, 4096), ('b', 4, 4096)],
                         [{'name': 'vm', 'host': 'a'}],
                         durations={'migrate': 30, 'delete': 0})
    cloud = simulated.SimulatedCloud(inv, time_scale=1)
    vm = by_name(cloud, 'vm')
    errors = []

    def move():
        try:
            cloud.migrate(vm.id, 'a')
        except base.CloudError as e:
            errors.append(e)

    t = threading.Thread(target=move)
    t.start()
    deadline = time.monotonic() + 5
    while cloud.get_instance(vm.id).status != 'RESIZE':
        assert time.monotonic() < deadline
        time.sleep(0.005)
    cloud.delete_instance(vm.id)
    t.join(5)
    assert not t.is_alive()
    assert len(errors) == 1 and 'deleted' in str(errors[0])
    assert [h.vcpus_used for h in cloud.list_hosts()] == [0, 0]


# -- persistence --------------------------------------------------------------


def test_state_file_round_trip(tmp_path):
    state = str(tmp_path / 'cloud.json')
    first = simulated.SimulatedCloud(state_file=state, time_scale=0)
    assert os.path.exists(state)
    inst = by_name(first, 'demo-a-worker-1')
    target = first.migrate(inst.id, 'compute-3')
    first.disable_host('compute-3', 'maintenance')
    first.inject_failure('migrate', 'demo-b-web-1', reason='later')
    with open(state) as f:
        json.load(f)
    assert os.listdir(str(tmp_path)) == ['cloud.json']
    # A restarted process: the inventory is not read again.
    second = simulated.SimulatedCloud('/nonexistent.yaml', state_file=state,
                                      time_scale=0)
    assert second.get_instance(inst.id).host == target
    assert second.list_hosts(['compute-3'])[0].disabled_reason == (
        'maintenance')
    assert second.snapshot()['hosts'] == first.snapshot()['hosts']
    with pytest.raises(base.MigrationFailed, match='later'):
        second.migrate(by_name(second, 'demo-b-web-1').id, 'compute-3')
    assert second.check_consistency() == []


def test_move_interrupted_by_a_kill_is_found_done(tmp_path):
    state = str(tmp_path / 'cloud.json')
    inv = make_inventory([('a', 4, 4096), ('b', 4, 4096)],
                         [{'name': 'vm', 'host': 'a', 'vcpus': 2}],
                         durations={'migrate': 0.2})
    killed = simulated.SimulatedCloud(inv, state_file=state, time_scale=1)
    vm = by_name(killed, 'vm')
    with pytest.raises(base.CloudTimeout):
        killed.migrate(vm.id, 'a', timeout=0.01)
    # The engine dies; the migration goes on in the cloud.
    time.sleep(0.25)
    restarted = simulated.SimulatedCloud(inv, state_file=state, time_scale=1)
    got = restarted.get_instance(vm.id)
    assert (got.status, got.host) == ('VERIFY_RESIZE', 'b')
    assert [h.vcpus_used for h in restarted.list_hosts()] == [2, 2]
    assert restarted.migrate(vm.id, 'a') == 'b'
    assert restarted.get_instance(vm.id).status == 'ACTIVE'
    assert [h.vcpus_used for h in restarted.list_hosts()] == [0, 2]
    third = simulated.SimulatedCloud(inv, state_file=state)
    assert third.get_instance(vm.id).status == 'ACTIVE'


def test_move_still_running_after_a_restart_is_waited_for(tmp_path):
    state = str(tmp_path / 'cloud.json')
    inv = make_inventory([('a', 4, 4096), ('b', 4, 4096)],
                         [{'name': 'vm', 'host': 'a'}],
                         durations={'migrate': 1.0})
    killed = simulated.SimulatedCloud(inv, state_file=state, time_scale=1)
    vm = by_name(killed, 'vm')
    with pytest.raises(base.CloudTimeout):
        killed.migrate(vm.id, 'a', timeout=0.01)
    restarted = simulated.SimulatedCloud(inv, state_file=state, time_scale=1)
    assert restarted.get_instance(vm.id).status == 'RESIZE'
    assert restarted.migrate(vm.id, 'a') == 'b'
    assert 'instance.migration_started' not in types_of(restarted)


def _moves(cloud, name, raw=False):
    doc = next(i for i in cloud.snapshot()['instances'] if i['name'] == name)
    moves = doc.get('moves', [])
    if raw:
        return moves
    return [(m['kind'], m['source'], m['dest']) for m in moves]


def test_moves_started_are_kept_and_saved(tmp_path):
    state = str(tmp_path / 'cloud.json')
    inv = make_inventory([('a', 4, 4096), ('b', 4, 4096), ('c', 4, 4096)],
                         [{'name': 'vm', 'host': 'a'},
                          {'name': 'still', 'host': 'c'}],
                         durations={'migrate': 1.0})
    killed = simulated.SimulatedCloud(inv, state_file=state, time_scale=1)
    vm = by_name(killed, 'vm')
    assert _moves(killed, 'vm') == [] and _moves(killed, 'still') == []
    with pytest.raises(base.CloudTimeout):
        killed.migrate(vm.id, 'a', 'b', timeout=0.01)
    # The engine dies mid-move; its successor asks again: the move in
    # progress is waited for, not issued twice.
    restarted = simulated.SimulatedCloud(inv, state_file=state, time_scale=1)
    assert _moves(restarted, 'vm') == [('migrate', 'a', 'b')]
    assert restarted.migrate(vm.id, 'a') == 'b'
    assert restarted.migrate(vm.id, 'a') == 'b'
    restarted.time_scale = 0
    assert restarted.live_migrate(vm.id, 'b', 'c') == 'c'
    assert _moves(restarted, 'vm') == [('migrate', 'a', 'b'),
                                       ('live_migrate', 'b', 'c')]
    assert all(m['at'] <= time.time()
               for m in _moves(restarted, 'vm', raw=True))
    third = simulated.SimulatedCloud(inv, state_file=state)
    assert _moves(third, 'vm') == _moves(restarted, 'vm')
    assert _moves(third, 'still') == []


def test_refused_move_is_not_counted_failed_one_is():
    inv = make_inventory([('a', 4, 4096), ('b', 4, 4096)],
                         [{'name': 'vm', 'host': 'a'}])
    cloud = simulated.SimulatedCloud(inv, time_scale=0)
    vm = by_name(cloud, 'vm')
    cloud.disable_host('b', 'test')
    with pytest.raises(base.MigrationFailed):
        cloud.migrate(vm.id, 'a')
    assert _moves(cloud, 'vm') == []
    cloud.enable_host('b')
    cloud.inject_failure('migrate', 'vm', reason='disk full')
    with pytest.raises(base.MigrationFailed, match='disk full'):
        cloud.migrate(vm.id, 'a')
    assert _moves(cloud, 'vm') == [('migrate', 'a', 'b')]


def test_moves_in_an_inventory_are_checked():
    inv = make_inventory([('a', 4, 4096)],
                         [{'name': 'vm', 'host': 'a',
                           'moves': [{'kind': 'migrate'}]}])
    with pytest.raises(simulated.InventoryError, match='vm move lacks'):
        simulated.SimulatedCloud(inv, time_scale=0)


def test_corrupt_state_file_is_an_error(tmp_path):
    state = tmp_path / 'cloud.json'
    state.write_text('{"hosts": [')
    with pytest.raises(simulated.InventoryError, match='cloud.json'):
        simulated.SimulatedCloud(state_file=str(state))


def test_snapshot_has_the_fields_of_the_dataclasses(demo):
    snapshot = demo.snapshot()
    host_fields = {f.name for f in dataclasses.fields(base.Host)}
    instance_fields = {f.name for f in dataclasses.fields(base.Instance)}
    assert host_fields <= set(snapshot['hosts'][0])
    assert instance_fields <= set(snapshot['instances'][0])
    inst = demo.list_instances()[0]
    assert {k: snapshot['instances'][0][k] for k in instance_fields} == (
        dataclasses.asdict(inst))


def test_snapshot_loads_back(demo):
    demo.migrate(by_name(demo, 'demo-a-ha-0').id, 'compute-0')
    copy = simulated.SimulatedCloud(demo.snapshot(), time_scale=0)
    assert copy.snapshot()['instances'] == demo.snapshot()['instances']
    assert copy.list_hosts() == demo.list_hosts()


@pytest.mark.parametrize('change,message', [
    (lambda inv: inv['instances'].append(
        {'name': 'x', 'project': 'p', 'host': 'a', 'vcpus': 8,
         'memory_mb': 1}), 'more than its'),
    (lambda inv: inv['instances'][0].update(host='zz'), 'unknown host zz'),
    (lambda inv: inv['instances'][0].update(project='q'), 'unknown project'),
    (lambda inv: inv['hosts'][0].update(memory=1), 'unknown keys memory'),
    (lambda inv: inv['instances'][0].update(status='RESIZE'), 'status'),
    (lambda inv: inv.update(durations={'reboot': 1}), 'unknown duration'),
    (lambda inv: inv.update(hosts=[]), 'no hosts'),
])
def test_bad_inventory(change, message):
    inv = make_inventory([('a', 4, 4096)], [{'name': 'vm', 'host': 'a'}])
    change(inv)
    with pytest.raises(simulated.InventoryError, match=message):
        simulated.SimulatedCloud(inv)


# -- concurrency --------------------------------------------------------------


def test_concurrent_migrations_never_overcommit():
    # 10 hosts of 4 vCPUs, 30 of them used by 15 instances of 2 vCPUs: 50
    # moves by 10 threads fight for the little room there is.
    hosts = [('h%d' % n, 4, 8192) for n in range(10)]
    vms = [{'name': 'vm%d-%d' % (n, k), 'host': 'h%d' % n, 'vcpus': 2,
            'memory_mb': 2048}
           for n in range(10) for k in range(2 if n < 5 else 1)]
    cloud = simulated.SimulatedCloud(
        make_inventory(hosts, vms, durations={'migrate': 0.02,
                                              'live_migrate': 0.01}),
        time_scale=1)
    ids = [i.id for i in cloud.list_instances()]
    work = [ids[n % len(ids)] for n in range(50)]
    lock = threading.Lock()
    outcomes = []
    problems = []
    stop = threading.Event()

    def monitor():
        while not stop.is_set():
            for h in cloud.snapshot()['hosts']:
                if (h['vcpus_used'] > h['vcpus']
                        or h['memory_mb_used'] > h['memory_mb']):
                    problems.append(h)

    def worker(n):
        while True:
            with lock:
                if not work:
                    return
                instance_id = work.pop()
            source = cloud.get_instance(instance_id).host
            try:
                if n % 2:
                    cloud.live_migrate(instance_id, source)
                else:
                    cloud.migrate(instance_id, source)
                outcomes.append('ok')
            except base.MigrationFailed:
                outcomes.append('no room')

    # NOTE(fenix): switching threads often makes an unguarded update race.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        watcher = threading.Thread(target=monitor)
        watcher.start()
        threads = [threading.Thread(target=worker, args=(n,))
                   for n in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        stop.set()
        watcher.join(10)
    finally:
        sys.setswitchinterval(interval)
    assert len(outcomes) == 50
    assert outcomes.count('ok') >= 10
    assert problems == []
    assert cloud.check_consistency() == []
    assert sum(h.vcpus_used for h in cloud.list_hosts()) == 30
    assert all(i.status == 'ACTIVE' for i in cloud.list_instances())


def test_check_consistency_sees_a_broken_count(demo):
    demo._hosts['compute-0'].vcpus_used += 1
    assert demo.check_consistency()


# -- scale --------------------------------------------------------------------


def test_generated_inventory_at_scale():
    start = time.monotonic()
    inv = simulated.generate_inventory(hosts=1000, projects=200,
                                       instances_per_project=100)
    cloud = simulated.SimulatedCloud(inv, time_scale=0)
    assert time.monotonic() - start < 20
    hosts = cloud.list_hosts()
    assert len(hosts) == 1000
    assert len(inv['instances']) == 20000
    assert len({(h.vcpus, h.memory_mb) for h in hosts}) > 1
    assert all(cloud.list_instances(hosts=[h.name]) for h in hosts)
    assert cloud.check_consistency() == []
    # Room to empty a host, through the scheduler.
    fullest = max(hosts, key=lambda h: h.memory_mb_used)
    cloud.disable_host(fullest.name, 'maintenance')
    for inst in cloud.list_instances(hosts=[fullest.name]):
        cloud.migrate(inst.id, fullest.name)
    assert cloud.list_instances(hosts=[fullest.name]) == []


def test_generate_inventory_is_deterministic():
    a = simulated.generate_inventory(hosts=20, projects=4,
                                     instances_per_project=10, seed=7)
    b = simulated.generate_inventory(hosts=20, projects=4,
                                     instances_per_project=10, seed=7)
    c = simulated.generate_inventory(hosts=20, projects=4,
                                     instances_per_project=10, seed=8)
    assert a == b
    assert a != c
    cloud = simulated.SimulatedCloud(a, time_scale=0)
    assert all(cloud.list_instances(hosts=[h.name])
               for h in cloud.list_hosts())


class NoScan(dict):
    def _refuse(self, *args):
        raise AssertionError('scanned every instance')

    __iter__ = values = items = keys = _refuse


def test_list_instances_of_a_host_is_indexed():
    inv = simulated.generate_inventory(hosts=100, projects=10,
                                       instances_per_project=50)
    cloud = simulated.SimulatedCloud(inv, time_scale=0)
    expected = [i for i in cloud.list_instances() if i.host == 'compute-42']
    cloud._instances = NoScan(cloud._instances)
    assert cloud.list_instances(hosts=['compute-42']) == expected
    with pytest.raises(AssertionError):
        cloud.list_instances()


# -- the driver ---------------------------------------------------------------


def test_driver_shares_one_cloud(conf):
    manager = sd_driver.DriverManager('fenix.cloud', 'simulated',
                                      invoke_on_load=True,
                                      invoke_args=(conf,))
    engine = manager.driver
    vnfm = simulated.SimulatedDriver(conf)
    assert isinstance(engine, base.CloudDriver)
    assert engine.cloud is vnfm.cloud
    inst = engine.list_instances(hosts=['compute-0'])[0]
    target = engine.migrate(inst.id, 'compute-0')
    assert vnfm.get_instance(inst.id).host == target
    simulated.reset_shared()
    other = simulated.SimulatedDriver(conf).cloud
    assert other is not engine.cloud
    simulated.SimulatedCloud.reset_shared()
    assert simulated.SimulatedDriver(conf).cloud is not other


def test_driver_contract(conf, tmp_path):
    conf.set_override('simulated_state_file', str(tmp_path / 's.json'),
                      group='cloud')
    d = simulated.SimulatedDriver(conf)
    assert len(d.list_hosts()) == 4
    with pytest.raises(base.HostNotFound):
        d.list_hosts(['compute-7'])
    d.disable_host('compute-0', 'maintenance')
    d.disable_host('compute-0', 'maintenance')
    for inst in d.list_instances(hosts=['compute-0']):
        assert d.live_migrate(inst.id, 'compute-0') != 'compute-0'
        assert d.migrate(inst.id, 'compute-0') != 'compute-0'
    d.enable_host('compute-0')
    assert d.list_hosts(['compute-0'])[0].enabled
    project = d.list_instances()[0].project_id
    assert d.is_subscribed(project)
    new = d.create_instance(project, 'scaled-out')
    d.delete_instance(new.id)
    d.delete_instance(new.id)
    with pytest.raises(base.InstanceNotFound):
        d.get_instance(new.id)
    # A second process on the same state file sees it all.
    simulated.reset_shared()
    again = simulated.SimulatedDriver(conf)
    assert again.list_instances(hosts=['compute-0']) == []


def test_instant_moves_from_many_threads_keep_counts_exact():
    hosts = [('h%d' % n, 4, 8192) for n in range(6)]
    vms = [{'name': 'vm%d-%d' % (n, k), 'host': 'h%d' % n, 'vcpus': 2,
            'memory_mb': 2048}
           for n in range(6) for k in range(2 if n < 4 else 1)]
    cloud = simulated.SimulatedCloud(make_inventory(hosts, vms),
                                     time_scale=0)
    ids = [i.id for i in cloud.list_instances()]

    def worker(n):
        for k in range(150):
            instance_id = ids[(n + k) % len(ids)]
            try:
                cloud.migrate(instance_id,
                              cloud.get_instance(instance_id).host)
            except base.MigrationFailed:
                pass

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=worker, args=(n,))
                   for n in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        sys.setswitchinterval(interval)
    assert cloud.check_consistency() == []
    assert sum(h.vcpus_used for h in cloud.list_hosts()) == 20
    moved = types_of(cloud).count('instance.resize_confirmed')
    assert moved > 100
