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
"""fenix-sample-vnfm: the sample app manager of one project, as a process.

It listens to ``maintenance.scheduled`` on the notification bus
(``[oslo_messaging_notifications] transport_url``, else ``[DEFAULT]
transport_url``), answers on the Fenix project API and acts on the cloud
through the ``[cloud] driver`` (see :mod:`fenix.samples.vnfm`). It runs
until SIGTERM or SIGINT, then stops cleanly and exits 0.

Configuration::

    fenix-sample-vnfm --config-file vnfm.conf --project-id <project>
        [--fenix-endpoint http://fenix:12347] [--record events.jsonl]
        [--min-instances 1] [--action OWN_ACTION]
        [--nack PREPARE_MAINTENANCE,...] [--silent MAINTENANCE,...]

    [vnfm_auth]        # the project user; no auth_type: Fenix in noauth
    auth_type = password
    auth_url = http://keystone:5000/v3
    username = ...
    password = ...
    project_name = ...
    user_domain_name = Default
    project_domain_name = Default

Cloud credentials: when ``[service_credentials]`` sets an ``auth_type``, the
driver makes its own connection from it (set it to the project user). When
it does not and ``[vnfm_auth]`` does, a driver that can act through a given
openstacksdk connection (nova: ``NovaDriver.from_connection``) acts with the
session of ``[vnfm_auth]``, i.e. as the same project user.
"""

import sys

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_log import log as logging
from stevedore import driver as stevedore_driver

from fenix.common import rpc
from fenix.common import service
from fenix.common import states
from fenix.samples import vnfm

LOG = logging.getLogger(__name__)

GROUP = 'vnfm'
AUTH_GROUP = 'vnfm_auth'
CLOUD_NAMESPACE = 'fenix.cloud'


def _short(name):
    """Also accept ``--<name>`` on the command line (not only --vnfm-...)."""
    return [cfg.DeprecatedOpt(name, group='DEFAULT')]


cli_opts = [
    cfg.StrOpt('project-id', required=True,
               deprecated_opts=_short('project-id'),
               help='The project this app manager manages; notifications '
                    'of other projects are ignored.'),
    cfg.StrOpt('fenix-endpoint', deprecated_opts=_short('fenix-endpoint'),
               help='Fenix API endpoint, e.g. http://fenix:12347. Found in '
                    'the Keystone catalog (service type maintenance) with '
                    'the [vnfm_auth] credentials when unset.'),
    cfg.StrOpt('record', deprecated_opts=_short('record'),
               help='File that gets one JSON line per notification '
                    'received and per reply sent.'),
    cfg.IntOpt('min-instances', default=1, min=0,
               deprecated_opts=_short('min-instances'),
               help='Scale-in never leaves the project fewer instances.'),
    cfg.StrOpt('action', choices=list(states.INSTANCE_ACTIONS),
               deprecated_opts=_short('action'),
               help='The instance action replied to PREPARE_MAINTENANCE '
                    'and PLANNED_MAINTENANCE when Fenix allows it; '
                    'OWN_ACTION re-creates each instance under its name '
                    'elsewhere. Unset: MIGRATE, else LIVE_MIGRATE, else '
                    'the first allowed action.'),
    cfg.ListOpt('nack', default=[],
                item_type=cfg.types.String(choices=list(states.REPLY_STATES)),
                deprecated_opts=_short('nack'),
                help='States answered NACK_<STATE> at once, without acting '
                     '(to show a refusing project).'),
    cfg.ListOpt('silent', default=[],
                item_type=cfg.types.String(choices=list(states.REPLY_STATES)),
                deprecated_opts=_short('silent'),
                help='States never answered (to show a reply timeout).'),
]

opts = [
    cfg.IntOpt('workers', default=4, min=1,
               help='Threads handling notifications.'),
]

auth_opts = [
    cfg.StrOpt('region_name',
               help='Region of the Fenix endpoint (and of the cloud when '
                    'the driver acts with these credentials).'),
    cfg.StrOpt('interface', default='public',
               choices=['public', 'internal', 'admin'],
               help='Endpoint interface to use from the catalog.'),
]


def register_opts(conf):
    """Fenix's options plus those of the sample app manager."""
    service.register_opts(conf)
    conf.register_cli_opts(cli_opts, group=GROUP)
    conf.register_opts(opts, group=GROUP)
    conf.register_opts(auth_opts, group=AUTH_GROUP)
    ks_loading.register_session_conf_options(conf, AUTH_GROUP)
    ks_loading.register_auth_conf_options(conf, AUTH_GROUP)


def list_opts():
    return [
        (GROUP, cli_opts + opts),
        (AUTH_GROUP, (auth_opts
                      + ks_loading.get_session_conf_options()
                      + ks_loading.get_auth_common_conf_options()
                      + ks_loading.get_auth_plugin_conf_options(
                          'password'))),
    ]


def make_session(conf):
    """The keystoneauth session of ``[vnfm_auth]``.

    Without auth when no auth_type is set (Fenix in noauth).
    """
    auth = ks_loading.load_auth_from_conf_options(conf, AUTH_GROUP)
    return ks_loading.load_session_from_conf_options(conf, AUTH_GROUP,
                                                     auth=auth)


def load_driver(conf, session):
    """The ``[cloud] driver``, acting for the project user."""
    name = conf.cloud.driver
    driver_class = stevedore_driver.DriverManager(
        CLOUD_NAMESPACE, name, invoke_on_load=False).driver
    if conf.service_credentials.auth_type:
        LOG.info('Cloud driver %s uses the credentials of '
                 '[service_credentials]', name)
        return driver_class(conf)
    if session.auth is not None and hasattr(driver_class,
                                            'from_connection'):
        # NOTE: imported here: openstacksdk is slow to import and only
        # needed for a real cloud.
        from openstack import connection as os_connection
        LOG.info('Cloud driver %s uses the credentials of [%s]', name,
                 AUTH_GROUP)
        connection = os_connection.Connection(
            session=session,
            region_name=conf[AUTH_GROUP].region_name,
            interface=conf[AUTH_GROUP].interface,
            compute_api_version=conf.cloud.compute_microversion,
            app_name='fenix-sample-vnfm')
        return driver_class.from_connection(conf, connection)
    if name != 'simulated':
        LOG.warning('Neither [service_credentials] nor [%s] sets an '
                    'auth_type: cloud driver %s may not reach the cloud',
                    AUTH_GROUP, name)
    return driver_class(conf)


def main(argv=None):
    argv = sys.argv if argv is None else argv
    conf = cfg.CONF
    register_opts(conf)
    try:
        service.prepare_service(argv, conf=conf)
    except cfg.Error as exc:
        sys.stderr.write('fenix-sample-vnfm: %s\n' % exc)
        return 2
    options = conf[GROUP]
    try:
        session = make_session(conf)
        api = vnfm.FenixProjectAPI(
            options.fenix_endpoint, session, project_id=options.project_id,
            region_name=conf[AUTH_GROUP].region_name,
            interface=conf[AUTH_GROUP].interface)
        if api.authenticated or options.fenix_endpoint:
            # NOTE: with credentials this also proves they work.
            LOG.info('Project %s: Fenix at %s (%s)', options.project_id,
                     api.endpoint,
                     'keystone' if api.authenticated else 'noauth')
        else:
            LOG.warning('Project %s: no --fenix-endpoint and no [%s] '
                        'credentials (noauth): only the absolute URLs of '
                        'the notifications are used', options.project_id,
                        AUTH_GROUP)
        driver = load_driver(conf, session)
    except (vnfm.FenixAPIError, ks_exc.ClientException, cfg.Error,
            RuntimeError) as exc:
        LOG.error('fenix-sample-vnfm cannot start: %s', exc)
        sys.stderr.write('fenix-sample-vnfm: %s\n' % exc)
        return 1

    rpc.init(conf)
    app = vnfm.SampleVNFM(options.project_id, api, driver,
                          record=options.record,
                          min_instances=options.min_instances,
                          workers=options.workers, action=options.action,
                          nack=options.nack, silent=options.silent)
    try:
        app.start(rpc.get_notification_transport(),
                  topics=conf.oslo_messaging_notifications.topics)
        service.wait_for_signal()
    finally:
        app.stop()
        rpc.cleanup()
    return 0


if __name__ == '__main__':
    sys.exit(main())
