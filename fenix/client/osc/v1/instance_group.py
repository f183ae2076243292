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
"""``openstack maintenance instance group ...``: constraints of an
instance group (ETSI NFV FEAT03)."""

from osc_lib.command import command

from fenix.client.osc.v1 import instance_constraint

FIELDS = ('group_id', 'project_id', 'group_name', 'anti_affinity_group',
          'max_instances_per_host', 'max_impacted_members', 'recovery_time',
          'resource_mitigation')


def _client(cmd):
    return cmd.app.client_manager.maintenance


def _columns(group):
    return FIELDS, tuple(group.get(name) for name in FIELDS)


class SetInstanceGroup(command.ShowOne):
    """Set (create or replace) the constraints of an instance group.

    A field not given is unset.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('group', metavar='<group>',
                            help='Instance group ID')
        parser.add_argument('--project-id', metavar='<project>',
                            required=True,
                            help='Project that owns the group')
        parser.add_argument('--group-name', metavar='<name>',
                            required=True, help='Group name')
        affinity = parser.add_mutually_exclusive_group()
        affinity.add_argument(
            '--anti-affinity-group', dest='anti_affinity_group',
            action='store_true', default=None,
            help='The members run on different hosts')
        affinity.add_argument(
            '--no-anti-affinity-group', dest='anti_affinity_group',
            action='store_false', default=None,
            help='The members may share a host')
        parser.add_argument(
            '--max-instances-per-host', metavar='<count>', type=int,
            help='Most members on one host (0: no limit)')
        parser.add_argument(
            '--max-impacted-members', metavar='<count>', type=int,
            help='Most members the maintenance may affect at a time')
        parser.add_argument(
            '--recovery-time', metavar='<seconds>', type=int,
            help='Time a member needs to recover after a move')
        instance_constraint.add_resource_mitigation(parser)
        return parser

    def take_action(self, parsed_args):
        return _columns(_client(self).instance_groups.set(
            parsed_args.group, parsed_args.project_id,
            group_name=parsed_args.group_name,
            anti_affinity_group=parsed_args.anti_affinity_group,
            max_instances_per_host=parsed_args.max_instances_per_host,
            max_impacted_members=parsed_args.max_impacted_members,
            recovery_time=parsed_args.recovery_time,
            resource_mitigation=parsed_args.resource_mitigation))


class ShowInstanceGroup(command.ShowOne):
    """Show the constraints of an instance group."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('group', metavar='<group>',
                            help='Instance group ID')
        return parser

    def take_action(self, parsed_args):
        return _columns(_client(self).instance_groups.get(parsed_args.group))


class DeleteInstanceGroup(command.Command):
    """Delete the constraints of an instance group."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('group', metavar='<group>',
                            help='Instance group ID')
        return parser

    def take_action(self, parsed_args):
        _client(self).instance_groups.delete(parsed_args.group)
