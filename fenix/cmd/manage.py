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
"""fenix-manage: database schema management.

Commands: ``db sync`` (upgrade the schema to the newest revision) and
``db version`` (print the current revision).
"""

import sys

from oslo_config import cfg

from fenix.common import service
from fenix.db import api as db
from fenix.db import migration


def _sync(conf):
    migration.upgrade(conf.command.revision)
    print('Database is at revision %s' % migration.version())


def _version(conf):
    print(migration.version() or 'None (the schema was never synced)')


def _add_commands(subparsers):
    # NOTE: the top-level --help shows only this help line, so it names the
    # sub-commands; "fenix-manage db --help" describes them.
    parser = subparsers.add_parser(
        'db', help='database schema commands: "db sync [REVISION]" '
                   '(upgrade the schema, to head by default), "db version" '
                   '(print the schema revision)')
    db_parsers = parser.add_subparsers(dest='db_command', title='Commands')
    sync = db_parsers.add_parser('sync', help='upgrade the schema')
    sync.add_argument('revision', nargs='?', default='head',
                      help='target revision (default: head)')
    sync.set_defaults(func=_sync)
    version = db_parsers.add_parser('version',
                                    help='print the schema revision')
    version.set_defaults(func=_version)


command_opt = cfg.SubCommandOpt('command', title='Commands',
                                help='Available commands',
                                handler=_add_commands)


def main(argv=None):
    argv = sys.argv if argv is None else argv
    conf = cfg.CONF
    conf.register_cli_opt(command_opt)
    service.prepare_service(argv, conf=conf)
    func = getattr(conf.command, 'func', None)
    if func is None:
        conf.print_help()
        return 2
    db.configure(conf)
    func(conf)
    return 0
