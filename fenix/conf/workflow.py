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
               choices=[('all', 'every project takes part'),
                        ('none', 'no project takes part'),
                        ('driver', 'ask the cloud driver (AODH alarms for '
                         'the nova driver)')],
               help='Which projects take part in the maintenance '
                    'interaction.'),
    cfg.StrOpt('host_disable_reason', default='maintenance by fenix',
               help='Reason recorded on a host Fenix disables.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
