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
"""fenix-engine: runs maintenance sessions."""

import sys

from oslo_config import cfg
from oslo_log import log as logging

from fenix.common import rpc
from fenix.common import service
from fenix.db import api as db
from fenix.engine import service as engine_service

LOG = logging.getLogger(__name__)


def main():
    conf = service.prepare_service(sys.argv, conf=cfg.CONF)
    db.configure(conf)
    rpc.init(conf)
    engine = engine_service.EngineService(conf)
    engine.start()
    service.wait_for_signal()
    engine.stop()
    rpc.cleanup()
    return 0
