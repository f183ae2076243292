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
from oslo_config import cfg

GROUP = 'actions'

opts = [
    cfg.StrOpt('download_dir', default='/var/lib/fenix/downloads',
               help='Directory under which the files a session lists in '
                    '"download" are fetched, one sub-directory per '
                    'session. The engine must be able to write it; the '
                    'session directory is removed with the session.'),
    cfg.FloatOpt('download_timeout', default=60.0, min=0.1,
                 help='Seconds a download may wait for the server to '
                      'accept the connection, and then for each next '
                      'piece of data, before it fails.'),
    cfg.StrOpt('script_command', default='',
               help='Command the "script" action runs when the action\'s '
                    'metadata has no "command"; split like a shell would '
                    'split it, but run without a shell. Each argument may '
                    'name {host}, {session_id}, {download_dir} and any '
                    'metadata key in braces. Empty: the metadata must name '
                    'the command.'),
    cfg.BoolOpt('script_allow_metadata_command', default=True,
                help='Whether the "command" metadata of a "script" action '
                     'is honoured. It lets an admin of the maintenance API '
                     'run any command as the engine\'s user on the engine '
                     'host; set to false to run only script_command.'),
    cfg.FloatOpt('script_timeout', default=600.0, min=0.1,
                 help='Seconds a "script" action command may run before '
                      'its process group is killed and the action fails. '
                      'The action\'s "timeout" metadata overrides it.'),
    cfg.IntOpt('script_output_limit', default=32, min=1, max=60,
               help='KiB of a "script" action\'s output (stdout and stderr '
                    'together) kept and stored with the run; the start of '
                    'longer output is dropped. At most 60 so that it fits '
                    'a MySQL TEXT column.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
