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
"""``openstack maintenance project ...``: a project's side of a session."""

from osc_lib.cli import format_columns
from osc_lib.cli import parseractions
from osc_lib.command import command


def _client(cmd):
    return cmd.app.client_manager.maintenance


class ShowProject(command.ShowOne):
    """Show the instances of a project that the session's state concerns."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('session', metavar='<session>',
                            help='Session ID')
        parser.add_argument('project', metavar='<project>',
                            help='Project ID')
        return parser

    def take_action(self, parsed_args):
        result = _client(self).projects.get(parsed_args.session,
                                            parsed_args.project)
        return (('session_id', 'project_id', 'instance_ids'),
                (parsed_args.session, parsed_args.project,
                 format_columns.ListColumn(result.get('instance_ids', []))))


class ReplyProject(command.ShowOne):
    """Reply to a maintenance notification for a project."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('session', metavar='<session>',
                            help='Session ID')
        parser.add_argument('project', metavar='<project>',
                            help='Project ID')
        parser.add_argument(
            '--state', metavar='<ACK_STATE|NACK_STATE>', required=True,
            help='The reply, e.g. ACK_PLANNED_MAINTENANCE or '
                 'NACK_MAINTENANCE')
        parser.add_argument(
            '--instance-action', metavar='<instance-id=action>',
            dest='instance_actions', action=parseractions.KeyValueAction,
            help='What to do with an instance (repeat for more): MIGRATE, '
                 'LIVE_MIGRATE, OWN_ACTION or EVICTION')
        return parser

    def take_action(self, parsed_args):
        result = _client(self).projects.reply(
            parsed_args.session, parsed_args.project, parsed_args.state,
            instance_actions=parsed_args.instance_actions)
        return (('session_id', 'project_id', 'state', 'instance_actions'),
                (result['session_id'], result['project_id'],
                 result['state'], format_columns.DictColumn(
                     result.get('instance_actions') or {})))
