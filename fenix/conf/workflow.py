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

GROUP = 'workflow'

opts = [
    cfg.IntOpt('reply_timeout', default=600, min=1,
               help='Seconds a project has to answer a maintenance '
                    'notification (reply_at = notification time + this).'),
    cfg.IntOpt('complete_reply_timeout', default=300, min=1,
               help='Seconds projects have to acknowledge '
                    'MAINTENANCE_COMPLETE before the session ends anyway.'),
    cfg.IntOpt('migration_timeout', default=600, min=1,
               help='Seconds one cold or live migration may take before it '
                    'counts as failed.'),
    cfg.StrOpt('default_instance_action', default='MIGRATE',
               choices=['MIGRATE', 'LIVE_MIGRATE', 'FAIL'],
               help='What happens to the instances of a project that does '
                    'not take part in the interaction (or replied no '
                    'action for an instance): migrate them, live migrate '
                    'them, or fail the session.'),
    cfg.StrOpt('subscription', default='all',
               help='Which projects take part in the maintenance '
                    'interaction: the name of a subscription plug-in '
                    '(stevedore namespace fenix.subscription). Shipped: '
                    '"all" (every project), "none" (no project), "listed" '
                    '(the projects of subscribed_projects), "driver" (ask '
                    'the cloud driver: the simulated cloud answers from '
                    'its inventory), "aodh" (projects with an enabled AODH '
                    'event alarm on maintenance.scheduled, read with '
                    '[service_credentials]). The others get '
                    'default_instance_action.'),
    cfg.ListOpt('subscribed_projects', default=[],
                help='Ids of the projects that take part when '
                     'subscription is "listed".'),
    cfg.IntOpt('scale_in_reply_timeout', default=300, min=1,
               help='Seconds projects have to answer SCALE_IN.'),
    cfg.IntOpt('max_scale_in_rounds', default=3, min=0,
               help='SCALE_IN rounds asked before the session fails for '
                    'want of capacity (0: never ask, fail at once).'),
    cfg.IntOpt('own_action_timeout', default=600, min=1,
               help='Seconds a project has, after its OWN_ACTION reply, '
                    'to move or re-create its instances off the host being '
                    'emptied.'),
    cfg.IntOpt('max_parallel_hosts', default=1, min=1,
               help='Empty hosts that run their host actions at the same '
                    'time. The default workflow keeps one host emptying '
                    'at a time; several empty hosts are maintained '
                    'together up to this number.'),
    cfg.StrOpt('host_disable_reason', default='maintenance by fenix',
               help='Reason recorded on a host Fenix disables.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
