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

GROUP = 'engine'

opts = [
    cfg.StrOpt('topic', default='fenix-engine',
               help='RPC topic the engines listen on.'),
    cfg.IntOpt('max_sessions', default=10, min=1,
               help='Most maintenance sessions active at once; creating '
                    'one more answers 509.'),
    cfg.IntOpt('workers', default=10, min=1, max=1000,
               help='Threads that run sessions in one engine; a session '
                    'holds one while it runs.'),
    cfg.FloatOpt('sweep_interval', default=5.0, min=0.05,
                 help='Seconds between sweeps in which the engine renews '
                      'its leases, claims sessions that have no live '
                      'owner and re-checks waits whose wake-up was lost.'),
    cfg.FloatOpt('lease_duration', default=30.0, min=0.5,
                 help='Seconds an engine owns a session after its last '
                      'lease renewal; after that another engine takes it '
                      'over. Keep it several sweep intervals long.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
