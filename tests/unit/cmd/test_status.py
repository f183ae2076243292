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
"""fenix-status upgrade check, against a real SQLite database."""

import json

from oslo_config import cfg
from oslo_policy import opts as policy_opts
from oslo_upgradecheck import upgradecheck
import pytest
import sqlalchemy as sa

from fenix.cmd import status
from fenix.common import service
from fenix.db import api as db
from fenix.db import migration

SUCCESS = upgradecheck.Code.SUCCESS
FAILURE = upgradecheck.Code.FAILURE


@pytest.fixture
def conf(tmp_path):
    conf = cfg.ConfigOpts()
    service.register_opts(conf)
    conf([], project='fenix', default_config_files=[])
    conf.set_override('connection', 'sqlite:///%s' % (tmp_path / 'f.db'),
                      group='database')
    yield conf
    db.dispose()


def _sync(conf):
    db.configure(conf)
    migration.upgrade()


def test_schema_at_head_passes(conf):
    _sync(conf)
    result = status.Checks(conf)._check_database_schema()
    assert result.code == SUCCESS, result.details


def test_schema_never_synced_fails(conf):
    result = status.Checks(conf)._check_database_schema()
    assert result.code == FAILURE
    assert 'fenix-manage db sync' in result.details


def test_schema_behind_head_fails(conf):
    _sync(conf)
    with db.get_engine().begin() as connection:
        connection.execute(
            sa.text("UPDATE alembic_version SET version_num = 'older'"))
    result = status.Checks(conf)._check_database_schema()
    assert result.code == FAILURE
    assert 'at revision older' in result.details
    assert 'fenix-manage db sync' in result.details


def test_database_unreachable_fails(conf, tmp_path):
    conf.set_override('connection',
                      'sqlite:///%s' % (tmp_path / 'missing' / 'f.db'),
                      group='database')
    result = status.Checks(conf)._check_database_schema()
    assert result.code == FAILURE
    assert 'fenix-manage db sync' in result.details


@pytest.mark.parametrize('driver', ['nova', 'simulated'])
def test_shipped_cloud_drivers_pass(conf, driver):
    conf.set_override('driver', driver, group='cloud')
    assert status.Checks(conf)._check_cloud_driver().code == SUCCESS


def test_unknown_cloud_driver_fails_naming_the_valid_ones(conf):
    conf.set_override('driver', 'bogus', group='cloud')
    result = status.Checks(conf)._check_cloud_driver()
    assert result.code == FAILURE
    assert "'bogus'" in result.details
    assert 'nova, simulated' in result.details


def test_default_subscription_passes(conf):
    assert status.Checks(conf)._check_subscription_plugin().code == SUCCESS


def test_unknown_subscription_fails_naming_the_valid_ones(conf):
    conf.set_override('subscription', 'bogus', group='workflow')
    result = status.Checks(conf)._check_subscription_plugin()
    assert result.code == FAILURE
    assert "'bogus'" in result.details
    assert 'aodh' in result.details and 'listed' in result.details


def test_json_policy_file_fails(conf, tmp_path):
    policy = tmp_path / 'policy.json'
    policy.write_text('{"admin_api": "role:admin"}')
    policy_opts.set_defaults(conf, policy_file=str(policy))
    result = status.Checks(conf)._check_policy_file()
    assert result.code == FAILURE
    assert 'YAML' in result.details


def test_yaml_policy_file_passes(conf, tmp_path):
    policy = tmp_path / 'policy.yaml'
    policy.write_text('"admin_api": "role:admin"\n')
    policy_opts.set_defaults(conf, policy_file=str(policy))
    assert status.Checks(conf)._check_policy_file().code == SUCCESS


def _write_conf(tmp_path, driver='simulated'):
    path = tmp_path / 'fenix.conf'
    path.write_text('[database]\nconnection = sqlite:///%s\n'
                    '[cloud]\ndriver = %s\n' % (tmp_path / 'f.db', driver))
    return str(path)


def _main(tmp_path, *args, driver='simulated'):
    return status.main(['--config-file', _write_conf(tmp_path, driver),
                        'upgrade', 'check'] + list(args),
                       conf=cfg.ConfigOpts())


def test_main_exits_0_when_synced(conf, tmp_path, capsys):
    _sync(conf)
    assert _main(tmp_path) == SUCCESS
    out = capsys.readouterr().out
    assert 'Check: Database schema' in out
    assert 'Failure' not in out


def test_main_exits_2_when_not_synced(tmp_path, capsys):
    assert _main(tmp_path) == FAILURE
    out = capsys.readouterr().out
    # NOTE: the table wraps the details; the message is checked above.
    assert 'Result: Failure' in out and '"fenix-manage' in out


def test_main_json_names_the_unknown_driver(conf, tmp_path, capsys):
    _sync(conf)
    assert _main(tmp_path, '--json', driver='bogus') == FAILURE
    output = json.loads(capsys.readouterr().out)
    results = {c['check']: c for c in output['checks']}
    assert results['Database schema']['result'] == SUCCESS
    assert results['Cloud driver']['result'] == FAILURE
    assert 'simulated' in results['Cloud driver']['details']
