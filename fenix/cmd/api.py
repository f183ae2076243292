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
"""fenix-api: the API on the development server.

For production, run fenix.api.wsgi under uwsgi or mod_wsgi instead.
"""

import signal
import sys
import threading

from oslo_config import cfg
from oslo_log import log as logging

from fenix.api import app as api_app
from fenix.api import server
from fenix.common import rpc
from fenix.common import service
from fenix.db import api as db

LOG = logging.getLogger(__name__)


def main():
    conf = service.prepare_service(sys.argv, conf=cfg.CONF)
    db.configure(conf)
    rpc.init(conf)
    httpd = server.serve(api_app.setup_app(conf), conf.api.host,
                         conf.api.port)

    def _stop(signum, frame):
        LOG.info('Signal %d: stopping', signum)
        # NOTE: shutdown() waits for serve_forever() to return, which runs
        # in this (the main) thread: ask from another one.
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    httpd.serve_forever()
    rpc.cleanup()
    return 0


if __name__ == '__main__':
    sys.exit(main())
