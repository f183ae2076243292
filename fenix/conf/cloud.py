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

GROUP = 'cloud'

opts = [
    cfg.StrOpt('driver', default='nova',
               help='Cloud driver, a plug-in of the fenix.cloud namespace: '
                    'nova (the real cloud, through openstacksdk) or '
                    'simulated (an in-process model of a cloud).'),
    cfg.StrOpt('simulated_inventory',
               help='Inventory YAML for the simulated driver; the bundled '
                    'demo inventory when unset.'),
    cfg.StrOpt('simulated_state_file',
               help='When set, the simulated cloud keeps its state in this '
                    'JSON file (loaded at start when present, written after '
                    'every change), so that it outlives a restarted or '
                    'killed engine. In memory only when unset.'),
    cfg.FloatOpt('simulated_time_scale', default=1.0, min=0.0,
                 help='Multiplier on the simulated durations (migrations, '
                      'boots): 0.01 plays them 100 times faster, 0 makes '
                      'them instant.'),
    cfg.StrOpt('compute_microversion', default='2.87',
               help='Compute API microversion the nova driver asks for.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
