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
"""Schema migrations with alembic (fenix-manage db sync / version)."""

import os

from alembic import command as alembic_command
from alembic import config as alembic_config
from alembic import migration as alembic_migration

from fenix.db import api as db_api


def _config(connection=None):
    path = os.path.join(os.path.dirname(__file__), 'alembic.ini')
    config = alembic_config.Config(path)
    config.set_main_option('script_location',
                           os.path.join(os.path.dirname(__file__),
                                        'alembic'))
    if connection is not None:
        config.attributes['connection'] = connection
    return config


def upgrade(revision='head'):
    """Bring the configured database to revision."""
    with db_api.get_engine().begin() as connection:
        alembic_command.upgrade(_config(connection), revision)


def version():
    """The database's current revision, or None when it has none."""
    with db_api.get_engine().connect() as connection:
        context = alembic_migration.MigrationContext.configure(connection)
        return context.get_current_revision()


def revision(message, autogenerate=True):
    """Write a new migration script (developers' tool)."""
    with db_api.get_engine().begin() as connection:
        alembic_command.revision(_config(connection), message=message,
                                 autogenerate=autogenerate)
