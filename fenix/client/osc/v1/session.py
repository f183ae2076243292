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
"""``openstack maintenance session ...``: maintenance sessions (admin)."""

from osc_lib.cli import format_columns
from osc_lib.cli import parseractions as osc_parseractions
from osc_lib.command import command

from fenix.client import exceptions
from fenix.client.osc import formatters
from fenix.client.osc import parseractions
from fenix.client.osc import watch

# A session as GET /v1/maintenance/{id} gives it, in the order shown.
SESSION_FIELDS = ('session_id', 'state', 'percent_done', 'workflow',
                  'maintenance_at', 'waiting_for', 'wait_until', 'reason',
                  'metadata', 'stop_requested', 'created_at', 'updated_at')

# The parts /detail adds, and how each reads in a table.
DETAIL_FIELDS = (
    ('hosts', formatters.HostsColumn),
    ('projects', formatters.ProjectsColumn),
    ('instances', formatters.InstancesColumn),
    ('actions', formatters.ActionsColumn),
    ('action_plugin_instances', formatters.ActionRunsColumn),
    ('history', formatters.HistoryColumn),
)

LIST_COLUMNS = (('ID', 'session_id'), ('State', 'state'),
                ('Percent done', 'percent_done'),
                ('Maintenance at', 'maintenance_at'),
                ('Workflow', 'workflow'))
LONG_COLUMNS = (('Waiting for', 'waiting_for'), ('Reason', 'reason'),
                ('Updated at', 'updated_at'))


def _client(cmd):
    return cmd.app.client_manager.maintenance


def session_columns(session, detail=False):
    """(columns, data) of a session for a ShowOne."""
    names, data = [], []
    for name in SESSION_FIELDS:
        if name in session:
            value = session[name]
            if name == 'metadata':
                value = format_columns.DictColumn(value or {})
            names.append(name)
            data.append(value)
    if detail:
        for name, column in DETAIL_FIELDS:
            if name in session:
                names.append(name)
                data.append(column(session[name]))
    return tuple(names), tuple(data)


class CreateSession(command.ShowOne):
    """Start a maintenance session."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--host', metavar='<host>', dest='hosts', action='append',
            default=[],
            help='Host to maintain (repeat for more); none: every compute '
                 'host')
        parser.add_argument(
            '--workflow', metavar='<workflow>',
            help="Workflow plug-in (the service's default: 'default')")
        parser.add_argument(
            '--maintenance-at', metavar='<time>',
            help='When to start, UTC "YYYY-MM-DD HH:MM:SS" or ISO 8601 '
                 '(default: now)')
        parser.add_argument(
            '--metadata', metavar='<key=value>',
            action=osc_parseractions.KeyValueAction,
            help='Session metadata (repeat for more); a value that is '
                 'JSON is taken as JSON (3, true, ["a"]), else as a string')
        parser.add_argument(
            '--action', metavar='plugin=<P>,type=<T>[,order=<N>]'
                                '[,metadata=<JSON>]',
            dest='actions', action=parseractions.KeyValueSpecAction,
            keys=('plugin', 'type', 'order', 'metadata'),
            required_keys=('plugin', 'type'), free_keys=('metadata',),
            converters={'order': parseractions.non_negative_int,
                        'metadata': parseractions.json_object},
            help='Action plug-in to run (repeat for more): type pre, '
                 'host, post, compute or controller; metadata a JSON '
                 'object')
        parser.add_argument(
            '--download', metavar='url=<URL>[,size=<bytes>]',
            action=parseractions.KeyValueSpecAction,
            keys=('url', 'size'), required_keys=('url',), free_keys=('url',),
            converters={'size': parseractions.non_negative_int},
            help='File to download before the maintenance (repeat for '
                 'more)')
        return parser

    def take_action(self, parsed_args):
        client = _client(self)
        metadata = {key: parseractions.json_or_string(value)
                    for key, value in (parsed_args.metadata or {}).items()}
        created = client.sessions.create(
            hosts=parsed_args.hosts,
            maintenance_at=parsed_args.maintenance_at,
            workflow=parsed_args.workflow,
            metadata=metadata or None,
            actions=parsed_args.actions,
            download=parsed_args.download)
        return session_columns(client.sessions.get(created['session_id']))


class ListSession(command.Lister):
    """List maintenance sessions."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--long', action='store_true', default=False,
            help='List more fields in output')
        return parser

    def take_action(self, parsed_args):
        client = _client(self)
        columns = LIST_COLUMNS + (LONG_COLUMNS if parsed_args.long else ())
        rows = []
        # NOTE: the list gives only ids; each session is one more request.
        for session_id in client.sessions.list():
            try:
                session = client.sessions.get(session_id)
            except exceptions.NotFound:
                continue  # deleted in the meantime
            rows.append(tuple(session.get(key) for _, key in columns))
        return tuple(heading for heading, _ in columns), rows


class ShowSession(command.ShowOne):
    """Show a maintenance session, or watch it until it ends."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('session', metavar='<session>',
                            help='Session ID')
        parser.add_argument(
            '--detail', action='store_true', default=False,
            help='Show hosts, projects, instances, actions and history '
                 'too')
        parser.add_argument(
            '--watch', action='store_true', default=False,
            help='Show the progress live until the session ends; exit 0 '
                 'at MAINTENANCE_DONE, 1 at MAINTENANCE_FAILED')
        parser.add_argument(
            '--interval', metavar='<seconds>',
            type=parseractions.positive_float, default=2.0,
            help='Seconds between two updates of --watch (default: 2)')
        return parser

    def run(self, parsed_args):
        if not parsed_args.watch:
            return super().run(parsed_args)
        client = _client(self)
        out = self.app.stdout
        tty = getattr(out, 'isatty', lambda: False)()
        return watch.Watch(
            lambda: client.sessions.get_detail(parsed_args.session),
            out, tty, interval=parsed_args.interval).run()

    def take_action(self, parsed_args):
        sessions = _client(self).sessions
        if parsed_args.detail:
            session = sessions.get_detail(parsed_args.session)
        else:
            session = sessions.get(parsed_args.session)
        return session_columns(session, detail=parsed_args.detail)


class UpdateSession(command.ShowOne):
    """Continue a failed (or stopped) session from a workflow state."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('session', metavar='<session>',
                            help='Session ID')
        parser.add_argument(
            '--state', metavar='<state>', required=True,
            help='State to continue from (default workflow: MAINTENANCE, '
                 'SCALE_IN, PREPARE_MAINTENANCE, START_MAINTENANCE, '
                 'PLANNED_MAINTENANCE, MAINTENANCE_COMPLETE)')
        return parser

    def take_action(self, parsed_args):
        return session_columns(_client(self).sessions.update(
            parsed_args.session, parsed_args.state))


class DeleteSession(command.ShowOne):
    """Delete a finished session, or stop a running one.

    A running session is stopped at a safe point and stays,
    MAINTENANCE_FAILED, so that it can be continued or deleted for good
    (delete it again).
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('session', metavar='<session>',
                            help='Session ID')
        return parser

    def take_action(self, parsed_args):
        result = _client(self).sessions.delete(parsed_args.session)
        names = ('session_id', 'deleted', 'stopped', 'stop_requested',
                 'state', 'reason', 'left')
        names = tuple(n for n in names if n in result)
        return names, tuple(
            formatters.SummaryColumn(result[n]) if n == 'left'
            else result[n] for n in names)
