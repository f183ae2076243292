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
"""The alembic migrations build exactly the schema of the models."""

from alembic import autogenerate
from alembic import migration as alembic_migration
import sqlalchemy as sa

from fenix.db import api as db
from fenix.db import migration
from fenix.db.sqlalchemy import models
from tests.functional import conftest


@conftest.all_backends
def test_migrations_match_models(synced_db):
    assert migration.version() is not None
    with db.get_engine().connect() as connection:
        context = alembic_migration.MigrationContext.configure(
            connection, opts={'compare_type': True})
        diff = autogenerate.compare_metadata(context, models.Base.metadata)
    assert diff == []


@conftest.all_backends
def test_sync_is_idempotent(synced_db):
    before = migration.version()
    migration.upgrade()
    assert migration.version() == before
    tables = set(sa.inspect(db.get_engine()).get_table_names())
    assert set(models.Base.metadata.tables) <= tables
