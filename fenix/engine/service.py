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
"""The fenix-engine service: RPC server, session runner and sweep."""

import threading

from oslo_log import log as logging
import oslo_messaging as messaging
from stevedore import driver as stevedore_driver

from fenix.common import rpc
from fenix.engine import manager
from fenix.engine import runner as runner_mod
from fenix.notify import notifier as notifier_mod

LOG = logging.getLogger(__name__)

CLOUD_NAMESPACE = 'fenix.cloud'


def load_cloud(conf):
    """The configured cloud driver (stevedore namespace fenix.cloud)."""
    return stevedore_driver.DriverManager(
        CLOUD_NAMESPACE, conf.cloud.driver, invoke_on_load=True,
        invoke_args=(conf,)).driver


class EngineService:
    """Starts and stops the parts of one engine.

    :param cloud: a cloud driver; the configured one when None.
    :param notifier: a :class:`fenix.notify.notifier.Notifier`.
    """

    def __init__(self, conf, cloud=None, notifier=None, clock=None):
        self.conf = conf
        self.cloud = cloud or load_cloud(conf)
        self.notifier = notifier or notifier_mod.Notifier()
        self.runner = runner_mod.SessionRunner(conf, self.cloud,
                                               self.notifier, clock=clock)
        self._rpcserver = None
        self._stop = threading.Event()
        self._sweeper = None

    def start(self):
        target = messaging.Target(topic=self.conf.engine.topic,
                                  server=self.runner.engine_id)
        self._rpcserver = rpc.get_server(
            target, [manager.EngineManager(self.runner)])
        self._rpcserver.start()
        self._sweeper = threading.Thread(target=self._sweep_loop,
                                         name='fenix-sweep', daemon=True)
        self._sweeper.start()
        LOG.info('Engine %s started (topic %s)', self.runner.engine_id,
                 self.conf.engine.topic)

    def _sweep_loop(self):
        # NOTE: the first sweep runs at once: it resumes every session a
        # previous run of this engine (or a dead one) left unfinished.
        while not self._stop.is_set():
            try:
                self.runner.sweep()
            except Exception:
                LOG.exception('Engine sweep failed; retrying')
            self._stop.wait(self.conf.engine.sweep_interval)

    def stop(self):
        """Stop taking work and leave every session resumable."""
        self._stop.set()
        if self._rpcserver is not None:
            self._rpcserver.stop()
            self._rpcserver.wait()
        if self._sweeper is not None:
            self._sweeper.join()
        self.runner.shutdown()
        LOG.info('Engine %s stopped', self.runner.engine_id)
