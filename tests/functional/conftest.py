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
"""Fixtures of the functional tier: real databases and a real bus.

MariaDB (root, empty password), PostgreSQL (trust) and RabbitMQ
(guest/guest) run on 127.0.0.1 on the machines this project is built on;
.ci/run starts any that is down. A server that cannot be reached fails the
tests: it never skips them.
"""

import os
import uuid

from oslo_config import cfg
import pytest

from fenix.common import service
from fenix.db import api as db
from fenix.db import migration

MYSQL_ADMIN = os.environ.get('FENIX_TEST_MYSQL',
                             'mysql+pymysql://root@127.0.0.1')
PG_ADMIN = os.environ.get('FENIX_TEST_POSTGRESQL',
                          'postgresql+psycopg2://postgres@127.0.0.1')
RABBIT_URL = os.environ.get('FENIX_TEST_TRANSPORT_URL',
                            'rabbit://guest:guest@127.0.0.1:5672/')

BACKENDS = ('sqlite', 'mysql', 'postgresql')


def _mysql(name, drop=False):
    import pymysql
    conn = pymysql.connect(host='127.0.0.1', user='root', password='',
                           autocommit=True)
    try:
        with conn.cursor() as cur:
            if drop:
                cur.execute('DROP DATABASE IF EXISTS `%s`' % name)
            else:
                cur.execute('CREATE DATABASE `%s` CHARACTER SET utf8mb4'
                            % name)
    finally:
        conn.close()


def _postgresql(name, drop=False):
    import psycopg2
    conn = psycopg2.connect(host='127.0.0.1', user='postgres',
                            dbname='postgres')
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            if drop:
                cur.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)'
                            % name)
            else:
                cur.execute('CREATE DATABASE "%s"' % name)
    finally:
        conn.close()


@pytest.fixture
def database_url(request, tmp_path):
    """A new, empty database on the test's backend, dropped afterwards."""
    backend = getattr(request, 'param', 'sqlite')
    name = 'fenix_ft_%s' % uuid.uuid4().hex[:12]
    if backend == 'sqlite':
        yield 'sqlite:///%s' % (tmp_path / 'fenix.sqlite')
        return
    create = _mysql if backend == 'mysql' else _postgresql
    create(name)
    try:
        if backend == 'mysql':
            yield '%s/%s?charset=utf8mb4' % (MYSQL_ADMIN, name)
        else:
            yield '%s/%s' % (PG_ADMIN, name)
    finally:
        db.dispose()
        create(name, drop=True)


def make_conf(database_url, **groups):
    """A ConfigOpts with every Fenix option and the given overrides."""
    conf = cfg.ConfigOpts()
    service.register_opts(conf)
    conf([], project='fenix', default_config_files=[])
    conf.set_override('connection', database_url, group='database')
    for group, values in groups.items():
        for name, value in values.items():
            conf.set_override(name, value,
                              group=None if group == 'DEFAULT' else group)
    return conf


@pytest.fixture
def synced_db(database_url):
    """The database at the newest schema revision, configured for use."""
    conf = make_conf(database_url)
    db.configure(conf)
    migration.upgrade()
    yield conf
    db.dispose()


def all_backends(test):
    """Run a test that takes ``database_url`` on every backend."""
    return pytest.mark.parametrize('database_url', BACKENDS,
                                   indirect=True)(test)
