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
"""fenix-status: checks an operator runs before and after an upgrade.

``fenix-status upgrade check [--json]`` prints one row per check and exits
with the worst result: 0 success, 1 warning, 2 failure (255 when a check
itself crashed). The checks read the configuration and the database the
way the services will, without starting them.
"""

import importlib.metadata
import os
import sys

from alembic import script as alembic_script
from oslo_config import cfg
from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck

from fenix.common import service
from fenix.db import api as db
from fenix.db import migration
from fenix.subscription import base as subscription_base

CLOUD_NAMESPACE = 'fenix.cloud'


def _head_revisions():
    # NOTE: read from the migration scripts shipped with this code, not from
    # the database, so that a database synced by older code shows as behind.
    location = os.path.join(os.path.dirname(migration.__file__), 'alembic')
    return set(alembic_script.ScriptDirectory(location).get_heads())


def _cloud_driver_names():
    # NOTE: entry point names only, like subscription_base.names(): a driver
    # whose library is missing is still named here; loading it is the
    # engine's business.
    return sorted({ep.name for ep in
                   importlib.metadata.entry_points(group=CLOUD_NAMESPACE)})


class Checks(upgradecheck.UpgradeCommands):
    """The upgrade checks of Fenix.

    :param conf: a parsed oslo.config ConfigOpts with Fenix's options.
    """

    def __init__(self, conf):
        self.conf = conf

    def _check_database_schema(self):
        heads = _head_revisions()
        try:
            db.configure(self.conf)
            current = migration.version()
        except Exception as exc:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                'Cannot read the schema revision of [database] connection: '
                '%s. Check the connection, then run "fenix-manage db '
                'sync".' % exc)
        finally:
            db.dispose()
        if current is None:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                'The database schema was never created. Run "fenix-manage '
                'db sync".')
        if current not in heads:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                'The database schema is at revision %s, this code needs %s. '
                'Run "fenix-manage db sync".' % (
                    current, ', '.join(sorted(heads))))
        return upgradecheck.Result(upgradecheck.Code.SUCCESS)

    def _check_cloud_driver(self):
        name = self.conf.cloud.driver
        available = _cloud_driver_names()
        if name not in available:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                'Unknown cloud driver %r in [cloud] driver; available: '
                '%s.' % (name, ', '.join(available) or 'none'))
        return upgradecheck.Result(upgradecheck.Code.SUCCESS)

    def _check_subscription_plugin(self):
        name = self.conf.workflow.subscription
        available = subscription_base.names()
        if name not in available:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                'Unknown subscription plug-in %r in [workflow] '
                'subscription; available: %s.' % (
                    name, ', '.join(available) or 'none'))
        return upgradecheck.Result(upgradecheck.Code.SUCCESS)

    def _check_policy_file(self):
        # NOTE: the library's check, as other services list it, but bound to
        # the ConfigOpts being checked rather than to the global cfg.CONF.
        return common_checks.check_policy_json(self, self.conf)

    # NOTE: the check names are what the operator reads in the table.
    _upgrade_checks = (
        ('Database schema', _check_database_schema),
        ('Cloud driver', _check_cloud_driver),
        ('Subscription plug-in', _check_subscription_plugin),
        ('Policy File JSON to YAML Migration', _check_policy_file),
    )


def main(argv=None, conf=None):
    argv = sys.argv[1:] if argv is None else argv
    conf = cfg.CONF if conf is None else conf
    service.register_opts(conf)
    return upgradecheck.main(conf, project='fenix',
                             upgrade_command=Checks(conf), argv=argv)
