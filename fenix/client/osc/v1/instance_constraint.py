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
"""``openstack maintenance instance constraint ...``: constraints of an
instance (ETSI NFV FEAT03)."""

from osc_lib.command import command

FIELDS = ('instance_id', 'project_id', 'group_id', 'instance_name',
          'migration_type', 'max_interruption_time', 'resource_mitigation',
          'lead_time')


def _client(cmd):
    return cmd.app.client_manager.maintenance


def _columns(constraint):
    return FIELDS, tuple(constraint.get(name) for name in FIELDS)


def add_resource_mitigation(parser):
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        '--resource-mitigation', dest='resource_mitigation',
        action='store_true', default=None,
        help='Resources may be reduced while the maintenance goes on')
    group.add_argument(
        '--no-resource-mitigation', dest='resource_mitigation',
        action='store_false', default=None,
        help='Resources may not be reduced')


class SetInstanceConstraint(command.ShowOne):
    """Set (create or replace) the constraints of an instance.

    A field not given is unset.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('instance', metavar='<instance>',
                            help='Instance ID')
        parser.add_argument('--project-id', metavar='<project>',
                            required=True,
                            help='Project that owns the instance')
        parser.add_argument('--group-id', metavar='<group>',
                            help='Instance group ID')
        parser.add_argument('--instance-name', metavar='<name>',
                            help='Instance name')
        parser.add_argument(
            '--migration-type', metavar='<type>',
            help='MIGRATE, LIVE_MIGRATE, OWN_ACTION or EVICTION')
        parser.add_argument(
            '--max-interruption-time', metavar='<seconds>', type=int,
            help='Longest interruption the instance may have')
        add_resource_mitigation(parser)
        parser.add_argument(
            '--lead-time', metavar='<seconds>', type=int,
            help='Time the project needs before the instance is moved')
        return parser

    def take_action(self, parsed_args):
        return _columns(_client(self).instance_constraints.set(
            parsed_args.instance, parsed_args.project_id,
            group_id=parsed_args.group_id,
            instance_name=parsed_args.instance_name,
            migration_type=parsed_args.migration_type,
            max_interruption_time=parsed_args.max_interruption_time,
            resource_mitigation=parsed_args.resource_mitigation,
            lead_time=parsed_args.lead_time))


class ShowInstanceConstraint(command.ShowOne):
    """Show the constraints of an instance."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('instance', metavar='<instance>',
                            help='Instance ID')
        return parser

    def take_action(self, parsed_args):
        return _columns(_client(self).instance_constraints.get(
            parsed_args.instance))


class DeleteInstanceConstraint(command.Command):
    """Delete the constraints of an instance."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('instance', metavar='<instance>',
                            help='Instance ID')
        return parser

    def take_action(self, parsed_args):
        _client(self).instance_constraints.delete(parsed_args.instance)
