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
"""Loading subscription plug-ins, and the plug-ins that need no service."""

from oslo_config import cfg
import pytest

from fenix.cloud import base as cloud_base
from fenix.cloud import simulated
from fenix import conf as fenix_conf
from fenix.subscription import aodh
from fenix.subscription import base
from fenix.subscription import simple

SHIPPED = {'all': simple.AllProjects,
           'none': simple.NoProject,
           'listed': simple.ListedProjects,
           'driver': simple.CloudDriverSubscription,
           'aodh': aodh.AodhSubscription}


@pytest.fixture
def conf():
    c = cfg.ConfigOpts()
    fenix_conf.register_opts(c)
    c([], project='fenix', default_config_files=[])
    return c


def test_default_is_all(conf):
    assert conf.workflow.subscription == 'all'
    assert conf.workflow.subscribed_projects == []
    assert isinstance(base.load(conf, None), simple.AllProjects)


def test_every_shipped_plugin_is_installed():
    assert set(SHIPPED) <= set(base.names())


@pytest.mark.parametrize('name', sorted(SHIPPED))
def test_load_by_name(conf, name):
    cloud = object()
    conf.set_override('subscription', name, group='workflow')
    plugin = base.load(conf, cloud)
    assert type(plugin) is SHIPPED[name]
    assert plugin.conf is conf and plugin.cloud is cloud


def test_unknown_name_names_the_valid_ones(conf):
    conf.set_override('subscription', 'alarms', group='workflow')
    with pytest.raises(base.UnknownSubscriptionPlugin) as e:
        base.load(conf, None)
    assert isinstance(e.value, cloud_base.CloudError)
    assert "'alarms'" in e.value.message
    assert '[workflow] subscription' in e.value.message
    for name in SHIPPED:
        assert name in e.value.message


def test_a_plugin_that_cannot_be_imported_is_a_clear_error():
    class EntryPoint:
        name = 'broken'
        value = 'fenix.subscription.broken:Broken'

    with pytest.raises(base.SubscriptionError) as e:
        base._load_failed(None, EntryPoint(), ImportError('no aodhclient'))
    assert "'broken'" in e.value.message
    assert 'no aodhclient' in e.value.message


def test_all(conf):
    plugin = simple.AllProjects(conf, None)
    assert plugin.subscribed(['a', 'b']) == {'a', 'b'}
    assert plugin.subscribed(iter(['a'])) == {'a'}
    assert plugin.subscribed([]) == set()


def test_none(conf):
    assert simple.NoProject(conf, None).subscribed(['a', 'b']) == set()


def test_listed(conf):
    plugin = simple.ListedProjects(conf, None)
    assert plugin.subscribed(['a', 'b']) == set()
    conf.set_override('subscribed_projects', ['b', 'c'], group='workflow')
    assert plugin.subscribed(['a', 'b']) == {'b'}
    assert plugin.subscribed([]) == set()


def test_listed_reads_the_option_at_each_call(conf):
    plugin = simple.ListedProjects(conf, None)
    conf.set_override('subscribed_projects', ['a'], group='workflow')
    assert plugin.subscribed(['a']) == {'a'}
    conf.set_override('subscribed_projects', [], group='workflow')
    assert plugin.subscribed(['a']) == set()


def test_listed_from_a_config_file(tmp_path):
    path = tmp_path / 'fenix.conf'
    path.write_text('[workflow]\nsubscription = listed\n'
                    'subscribed_projects = p1, p2\n')
    c = cfg.ConfigOpts()
    fenix_conf.register_opts(c)
    c(['--config-file', str(path)], project='fenix',
      default_config_files=[])
    assert base.load(c, None).subscribed(['p1', 'p3']) == {'p1'}


def test_driver_asks_the_cloud_per_project(conf):
    cloud = simulated.SimulatedCloud(inventory={
        'hosts': [{'name': 'compute-0', 'vcpus': 4, 'memory_mb': 4096}],
        'projects': [{'id': 'in', 'name': 'in', 'subscribed': True},
                     {'id': 'out', 'name': 'out', 'subscribed': False}],
    }, time_scale=0)
    plugin = simple.CloudDriverSubscription(conf, cloud)
    # A project the inventory does not know counts as subscribed.
    assert plugin.subscribed(['in', 'out', 'unknown']) == {'in', 'unknown'}
    assert plugin.subscribed([]) == set()


def test_driver_errors_pass_through(conf):
    class Cloud:
        def is_subscribed(self, project_id):
            raise cloud_base.CloudError(reason='AODH is down')

    with pytest.raises(cloud_base.CloudError, match='AODH is down'):
        simple.CloudDriverSubscription(conf, Cloud()).subscribed(['a'])
