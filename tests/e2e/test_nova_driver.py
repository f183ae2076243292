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
"""The nova driver against the real mini OpenStack of tools/mini-openstack.

The tests share one cloud and one workload (3 servers in projA, 3 in projB,
every compute host used). They re-enable every host they disable and leave
no compute host empty.
"""

import contextlib
import time

from keystoneauth1 import loading as ks_loading
import openstack
from oslo_config import cfg
import pytest

from fenix.cloud import base
from fenix.cloud import nova
from fenix import conf as fenix_conf
from tests.e2e import openstack as e2e_openstack

GROUP = 'service_credentials'
TIMEOUT = 180
NO_SUCH_ID = '00000000-0000-4000-8000-000000000000'

# Seconds per driver operation, printed at the end (pytest -s).
TIMINGS = {}


@contextlib.contextmanager
def timed(name):
    start = time.monotonic()
    yield
    TIMINGS.setdefault(name, []).append(time.monotonic() - start)


@pytest.fixture(scope='module')
def stack():
    return e2e_openstack.ensure_openstack()


@pytest.fixture(scope='module')
def hosts(stack):
    return sorted(stack['compute_hosts'])


def connect(stack, user):
    """An openstacksdk Connection as one of the stack's users."""
    creds = stack['admin'] if user == 'admin' else stack['users'][user]
    return openstack.connect(
        auth_url=stack['auth_url'], region_name=stack['region_name'],
        username=user, password=creds['password'],
        project_name=creds['project_name'],
        user_domain_name=creds['user_domain_name'],
        project_domain_name=creds['project_domain_name'],
        compute_api_version='2.87', load_yaml_config=False,
        load_envvars=False)


@pytest.fixture(scope='module')
def conf(stack):
    c = cfg.ConfigOpts()
    fenix_conf.register_opts(c)
    c([], project='fenix')
    # NOTE: the password plug-in's options exist only once it is loaded;
    # register them so that they can be set here.
    c.register_opts(ks_loading.get_auth_plugin_conf_options('password'),
                    group=GROUP)
    for name, value in (('auth_type', 'password'),
                        ('auth_url', stack['auth_url']),
                        ('username', 'admin'),
                        ('password', 'admin'),
                        ('project_name', 'admin'),
                        ('user_domain_name', 'Default'),
                        ('project_domain_name', 'Default'),
                        ('region_name', stack['region_name'])):
        c.set_override(name, value, group=GROUP)
    yield c
    c.reset()


@pytest.fixture(scope='module')
def workload(stack):
    return e2e_openstack.boot_workload()


@pytest.fixture(scope='module')
def driver(conf, workload):
    return nova.NovaDriver(conf)


@pytest.fixture(scope='module')
def admin_conn(stack):
    return connect(stack, 'admin')


@pytest.fixture(scope='module', autouse=True)
def leave_the_cloud_usable(stack, hosts, conf):
    yield
    # Every host enabled again and none of them empty.
    d = nova.NovaDriver(conf)
    for host in d.list_hosts():
        if not host.enabled:
            d.enable_host(host.name)
    used = {i.host for i in d.list_instances()}
    if not set(hosts) <= used:
        e2e_openstack.boot_workload()
    print('\nnova driver timings against the real Nova (seconds):')
    for name, values in TIMINGS.items():
        print('  %-28s n=%d min=%.2f max=%.2f' % (
            name, len(values), min(values), max(values)))


def instances_by_host(driver):
    found = {}
    for inst in driver.list_instances():
        found.setdefault(inst.host, []).append(inst)
    return found


def an_instance(driver, project_id=None):
    """An instance on the host that has most of them."""
    by_host = instances_by_host(driver)
    candidates = [i for i in max(by_host.values(), key=len)
                  if project_id in (None, i.project_id)]
    if not candidates:
        candidates = [i for i in driver.list_instances(project_id=project_id)]
    return candidates[0]


def migrations_of(admin_conn, instance_id):
    return list(admin_conn.compute.migrations(server_id=instance_id))


# -- inventory ----------------------------------------------------------------

def test_list_hosts(driver, workload, hosts):
    with timed('list_hosts'):
        found = driver.list_hosts()
    assert sorted(h.name for h in found) == hosts
    for host in found:
        assert host.vcpus > 0 and host.memory_mb > 0, host
        assert host.up, host
        assert host.type == 'compute'
    assert sum(h.vcpus_used for h in found) >= len(workload)
    assert [h.name for h in driver.list_hosts(hosts[1:2])] == hosts[1:2]


def test_list_instances(driver, workload, hosts):
    with timed('list_instances'):
        instances = driver.list_instances()
    ids = {i.id for i in instances}
    assert set(workload) <= ids
    for inst in instances:
        if inst.id in workload:
            assert inst.host in hosts
            assert inst.project_id == workload[inst.id]['project_id']
            assert inst.status == 'ACTIVE'
            assert (inst.vcpus, inst.memory_mb) == (1, 512)
    assert {i.host for i in instances} == set(hosts)

    host = instances[0].host
    on_host = driver.list_instances(hosts=[host])
    assert on_host and all(i.host == host for i in on_host)
    project = instances[0].project_id
    of_project = driver.list_instances(project_id=project)
    assert of_project and all(i.project_id == project for i in of_project)
    assert driver.get_instance(instances[0].id) == instances[0]


# -- scheduling ---------------------------------------------------------------

def test_disable_and_enable_host(driver, admin_conn, hosts):
    reason = 'fenix e2e maintenance'
    name = hosts[-1]
    try:
        with timed('disable_host'):
            driver.disable_host(name, reason)
        driver.disable_host(name, reason)      # idempotent
        (host,) = driver.list_hosts([name])
        assert not host.enabled and host.disabled_reason == reason
        (svc,) = admin_conn.compute.services(binary='nova-compute',
                                             host=name)
        assert (svc.status, svc.disabled_reason) == ('disabled', reason)
    finally:
        with timed('enable_host'):
            driver.enable_host(name)
    driver.enable_host(name)                   # idempotent
    (host,) = driver.list_hosts([name])
    assert host.enabled and host.disabled_reason is None


# -- moving instances ---------------------------------------------------------

def test_migrate_scheduler_choice(driver, hosts):
    inst = an_instance(driver)
    with timed('migrate (scheduler)'):
        target = driver.migrate(inst.id, inst.host, timeout=TIMEOUT)
    assert target in hosts and target != inst.host
    moved = driver.get_instance(inst.id)
    assert (moved.host, moved.status) == (target, 'ACTIVE')


def test_migrate_explicit_host_and_resume(driver, admin_conn, hosts):
    inst = an_instance(driver)
    target = next(h for h in hosts if h != inst.host)
    with timed('migrate (explicit host)'):
        assert driver.migrate(inst.id, inst.host, target_host=target,
                              timeout=TIMEOUT) == target
    assert driver.get_instance(inst.id).host == target
    # A resumed step: the instance is away from the source already.
    before = len(migrations_of(admin_conn, inst.id))
    with timed('migrate (resumed no-op)'):
        assert driver.migrate(inst.id, inst.host, target_host=target) == (
            target)
    assert len(migrations_of(admin_conn, inst.id)) == before


def test_migrate_to_disabled_host_fails(driver, hosts):
    inst = an_instance(driver)
    target = next(h for h in hosts if h != inst.host)
    try:
        driver.disable_host(target, 'fenix e2e: no room here')
        with timed('migrate (failing)'):
            with pytest.raises(base.MigrationFailed) as err:
                driver.migrate(inst.id, inst.host, target_host=target,
                               timeout=TIMEOUT)
        assert inst.id in str(err.value)
        assert 'No valid host' in str(err.value)
        with timed('live_migrate (failing)'):
            with pytest.raises(base.MigrationFailed) as err:
                driver.live_migrate(inst.id, inst.host, target_host=target,
                                    timeout=TIMEOUT)
        assert 'No valid host' in str(err.value)
    finally:
        driver.enable_host(target)
    after = driver.get_instance(inst.id)
    assert (after.host, after.status) == (inst.host, 'ACTIVE')


def test_live_migrate(driver, admin_conn, hosts):
    inst = an_instance(driver)
    with timed('live_migrate (scheduler)'):
        target = driver.live_migrate(inst.id, inst.host, timeout=TIMEOUT)
    assert target in hosts and target != inst.host
    assert driver.get_instance(inst.id).status == 'ACTIVE'

    back = inst.host
    with timed('live_migrate (explicit host)'):
        assert driver.live_migrate(inst.id, target, target_host=back,
                                   timeout=TIMEOUT) == back
    before = len(migrations_of(admin_conn, inst.id))
    assert driver.live_migrate(inst.id, target) == back
    assert len(migrations_of(admin_conn, inst.id)) == before
    types = {m.migration_type for m in migrations_of(admin_conn, inst.id)}
    assert 'live-migration' in types


# -- app manager helpers ------------------------------------------------------

def test_create_and_delete_as_project_user(stack, conf, driver, hosts):
    conn = connect(stack, 'alice')
    project_id = stack['projects']['projA']
    assert conn.current_project_id == project_id
    user_driver = nova.NovaDriver.from_connection(conf, conn)
    like = an_instance(driver, project_id=project_id)
    created = None
    try:
        with timed('create_instance'):
            created = user_driver.create_instance(
                project_id, 'fenix-e2e-scaled', like=like.id)
        assert created.status == 'ACTIVE'
        assert created.project_id == project_id
        assert (created.vcpus, created.memory_mb) == (like.vcpus,
                                                      like.memory_mb)
        seen = driver.get_instance(created.id)
        assert seen.host in hosts
        # The same name again is the same server (a resumed step).
        again = user_driver.create_instance(project_id, 'fenix-e2e-scaled')
        assert again.id == created.id
        # A project user cannot list every project: its own are listed.
        mine = user_driver.list_instances()
        assert created.id in {i.id for i in mine}
        assert {i.project_id for i in mine} == {project_id}
    finally:
        if created is not None:
            with timed('delete_instance'):
                user_driver.delete_instance(created.id)
    user_driver.delete_instance(created.id)          # idempotent
    with pytest.raises(base.InstanceNotFound):
        driver.get_instance(created.id)

    other = {p for p in (i.project_id for i in driver.list_instances())
             if p != project_id}
    with pytest.raises(base.CloudError):
        user_driver.create_instance(other.pop(), 'fenix-e2e-elsewhere')


# -- errors -------------------------------------------------------------------

def test_errors_are_cloud_errors(conf, driver):
    with pytest.raises(base.HostNotFound):
        driver.list_hosts(['no-such-host'])
    with pytest.raises(base.HostNotFound):
        driver.disable_host('no-such-host', 'x')
    with pytest.raises(base.HostNotFound):
        driver.enable_host('no-such-host')
    with pytest.raises(base.InstanceNotFound):
        driver.get_instance(NO_SUCH_ID)
    with pytest.raises(base.InstanceNotFound):
        driver.migrate(NO_SUCH_ID, 'compute1')
    with pytest.raises(base.InstanceNotFound):
        driver.live_migrate(NO_SUCH_ID, 'compute1')
    driver.delete_instance(NO_SUCH_ID)

    inst = an_instance(driver)
    with pytest.raises(base.CloudError) as err:
        driver.migrate(inst.id, inst.host, target_host='no-such-host')
    assert 'no-such-host' in str(err.value)
    assert driver.get_instance(inst.id).host == inst.host

    conf.set_override('password', 'wrong', group=GROUP)
    try:
        with pytest.raises(base.CloudError):
            nova.NovaDriver(conf).list_hosts()
    finally:
        conf.set_override('password', 'admin', group=GROUP)
