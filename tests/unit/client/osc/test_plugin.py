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
"""The OpenStackClient plug-in module: options and make_client."""

import argparse
import types

from keystoneauth1 import session as ks_session
from openstackclient.common import clientmanager
from osc_lib import exceptions as osc_exceptions
import pytest

from fenix.client.osc import plugin
from fenix.client.v1 import client as fenix_client


def _parse(argv):
    return plugin.build_option_parser(argparse.ArgumentParser()).parse_args(
        argv)


def test_options(monkeypatch):
    monkeypatch.delenv('OS_MAINTENANCE_ENDPOINT', raising=False)
    monkeypatch.delenv('OS_MAINTENANCE_API_VERSION', raising=False)
    args = _parse(['--os-maintenance-endpoint', 'http://127.0.0.1:12347',
                   '--os-maintenance-api-version', '1'])
    assert args.os_maintenance_endpoint_override == 'http://127.0.0.1:12347'
    assert args.os_maintenance_api_version == '1'
    args = _parse([])
    assert args.os_maintenance_endpoint_override is None
    assert args.os_maintenance_api_version is None


def test_options_from_environment(monkeypatch):
    monkeypatch.setenv('OS_MAINTENANCE_ENDPOINT', 'http://fenix:12347')
    monkeypatch.setenv('OS_MAINTENANCE_API_VERSION', '1')
    args = _parse([])
    assert args.os_maintenance_endpoint_override == 'http://fenix:12347'
    assert args.os_maintenance_api_version == '1'


def _instance(config, version='1'):
    session = ks_session.Session()
    return types.SimpleNamespace(
        _api_version={'maintenance': version}, session=session,
        interface='internal', region_name='RegionTwo',
        get_configuration=lambda: dict(config)), session


def test_make_client_with_endpoint():
    instance, session = _instance(
        {'maintenance_endpoint_override': 'http://fenix:12347'})
    client = plugin.make_client(instance)
    assert isinstance(client, fenix_client.Client)
    adapter = client.http.adapter
    assert adapter.session is session
    assert adapter.service_type == 'maintenance'
    assert adapter.endpoint_override == 'http://fenix:12347'
    assert adapter.interface == 'internal'
    assert adapter.region_name == 'RegionTwo'


def test_make_client_from_catalog():
    instance, _ = _instance({})
    client = plugin.make_client(instance)
    assert client.http.adapter.endpoint_override is None


def test_make_client_unknown_version():
    instance, _ = _instance({}, version='2')
    with pytest.raises(osc_exceptions.UnsupportedVersion) as e:
        plugin.make_client(instance)
    assert str(e.value) == ('Maintenance API version 2 is not supported; '
                            'use one of: 1')


def test_registered_with_the_openstackclient():
    modules = {m.API_NAME: m for m in clientmanager.PLUGIN_MODULES}
    assert modules['maintenance'] is plugin
    assert plugin.API_VERSION_OPTION == 'os_maintenance_api_version'
    assert set(plugin.API_VERSIONS) == {'1'}
