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

GROUP = 'api'

opts = [
    cfg.HostAddressOpt('host', default='0.0.0.0',
                       help='Address the development API server '
                            '(fenix-api) listens on.'),
    cfg.PortOpt('port', default=12347,
                help='Port the API listens on.'),
    cfg.URIOpt('public_endpoint',
               help='Base URL that clients reach the API at, used in the '
                    'reply_url and instance_ids URLs of notifications. '
                    'Defaults to http://<host>:<port>.'),
    cfg.IntOpt('max_list_length', default=1000, min=1,
               help='Most items in one list field of a request body.'),
    cfg.FloatOpt('stop_wait', default=30.0, min=0.0,
                 help='Seconds DELETE of a running session waits for the '
                      'engine to stop it at a safe point before it '
                      'answers; the answer says what was left either way.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
