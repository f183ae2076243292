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
import socket

from oslo_config import cfg

GROUP = 'DEFAULT'

opts = [
    cfg.StrOpt('auth_strategy', default='keystone',
               choices=[('keystone', 'keystonemiddleware auth_token '
                         'validates every request'),
                        ('noauth', 'no authentication; identity comes from '
                         'X-Project-Id / X-Roles headers, admin without '
                         'them (development and demo only)')],
               help='How API requests are authenticated.'),
    cfg.StrOpt('host', default=socket.gethostname(),
               sample_default='<hostname>',
               help='Name of this engine, recorded as the owner of the '
                    'sessions it runs. Must be unique per engine process.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {GROUP: opts}
