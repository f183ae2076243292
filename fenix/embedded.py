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
"""Fenix in one process: engine, API, cloud and sample app managers.

The embedded default of DESIGN §9 (the demo) and the shape the functional
tests run on real RabbitMQ and databases: every part is the real one, only
placed in one process.
"""

import os
import tempfile
import threading

from keystoneauth1 import session as ks_session
from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from fenix.api import app as api_app
from fenix.api import server as api_server
from fenix.cloud import simulated
from fenix.common import rpc
from fenix.common import service
from fenix.db import api as db
from fenix.db import migration
from fenix.engine import service as engine_service
from fenix.samples import vnfm as sample_vnfm

LOG = logging.getLogger(__name__)


def demo_conf(workdir=None, host='127.0.0.1', port=12347, inventory=None,
              time_scale=1.0, reply_timeout=60, conf=None, **groups):
    """Configuration of the embedded default; ``groups`` override it.

    :param groups: dict per option group (``DEFAULT`` for the default
        group) of option values to override.
    """
    workdir = workdir or tempfile.mkdtemp(prefix='fenix-')
    conf = conf if conf is not None else cfg.ConfigOpts()
    service.register_opts(conf)
    conf([], project='fenix', default_config_files=[])
    overrides = {
        'DEFAULT': {'auth_strategy': 'noauth', 'transport_url': 'fake:/',
                    'host': 'fenix-embedded',
                    'log_file': os.path.join(workdir, 'fenix.log')},
        'database': {'connection': 'sqlite:///%s' % os.path.join(
            workdir, 'fenix.sqlite')},
        'api': {'host': host, 'port': port,
                'public_endpoint': 'http://%s:%d' % (host, port)},
        'cloud': {'driver': 'simulated', 'simulated_inventory': inventory,
                  'simulated_time_scale': time_scale},
        'engine': {'sweep_interval': 1.0, 'lease_duration': 10.0},
        'workflow': {'reply_timeout': reply_timeout,
                     'complete_reply_timeout': reply_timeout},
    }
    for group, values in groups.items():
        overrides.setdefault(group, {}).update(values)
    for group, values in overrides.items():
        for name, value in values.items():
            conf.set_override(name, value,
                              group=None if group == 'DEFAULT' else group)
    return conf


class Embedded:
    """Starts and stops the parts; ``conf`` as made by :func:`demo_conf`.

    :param vnfm_projects: projects that get a sample app manager; every
        project of the simulated cloud when None.
    """

    def __init__(self, conf, vnfm_projects=None):
        self.conf = conf
        self.vnfm_projects = vnfm_projects
        self.vnfms = []
        self._listeners = []
        self.engine = None
        self.server = None

    @property
    def endpoint(self):
        return 'http://%s:%d' % (self.conf.api.host, self.server.port)

    def start(self, observers=()):
        """Start everything; ``observers`` are notification endpoints."""
        db.configure(self.conf)
        migration.upgrade()
        rpc.init(self.conf)
        transport = rpc.get_notification_transport()
        # NOTE: observers listen before anything can be notified.
        for index, observer in enumerate(observers):
            listener = messaging.get_notification_listener(
                transport, [messaging.Target(topic='notifications')],
                [observer], executor='threading',
                # NOTE: a pool's queue is named without the exchange:
                # two embedded instances on one broker must not share it.
                pool='fenix-observer-%s-%d' % (self.conf.control_exchange,
                                               index))
            listener.start()
            self._listeners.append(listener)
        self.server = api_server.serve(api_app.setup_app(self.conf),
                                       self.conf.api.host,
                                       self.conf.api.port)
        if self.server.port != self.conf.api.port:
            self.conf.set_override('port', self.server.port, group='api')
            self.conf.set_override('public_endpoint', self.endpoint,
                                   group='api')
        threading.Thread(target=self.server.serve_forever, name='fenix-api',
                         daemon=True).start()
        self.cloud = simulated.SimulatedCloud.shared(self.conf)
        projects = self.vnfm_projects
        if projects is None:
            projects = sorted({i['project_id'] for i in
                               self.cloud.snapshot()['instances']})
        for project_id in projects:
            api = sample_vnfm.FenixProjectAPI(self.endpoint,
                                              ks_session.Session())
            vnfm = sample_vnfm.SampleVNFM(
                project_id, api, simulated.SimulatedDriver(self.conf))
            vnfm.start(transport)
            self.vnfms.append(vnfm)
        self.engine = engine_service.EngineService(self.conf)
        self.engine.start()

    def stop(self):
        for vnfm in self.vnfms:
            vnfm.stop()
        for listener in self._listeners:
            listener.stop()
            listener.wait()
        if self.server is not None:
            self.server.shutdown()
        if self.engine is not None:
            self.engine.stop()
        rpc.cleanup()
        db.dispose()
        simulated.SimulatedCloud.reset_shared()

    def request(self, method, path, body=None, headers=None):
        """An HTTP request to the API; returns (status, JSON body)."""
        resp = ks_session.Session().request(
            self.endpoint + path, method, json=body, headers=headers,
            raise_exc=False)
        return resp.status_code, (resp.json() if resp.content else None)
