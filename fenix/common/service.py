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
"""Process start-up and shut-down shared by every Fenix command."""

import signal
import threading

from oslo_config import cfg
from oslo_db import options as db_options
from oslo_log import log as logging

from fenix.common import rpc
from fenix import conf as fenix_conf

LOG = logging.getLogger(__name__)

DEFAULT_DB_CONNECTION = 'sqlite:////var/lib/fenix/fenix.sqlite'


def register_opts(conf):
    """Register Fenix's and its libraries' options with their defaults."""
    fenix_conf.register_opts(conf)
    db_options.set_defaults(conf, connection=DEFAULT_DB_CONNECTION)
    rpc.set_defaults(conf)
    try:
        logging.register_options(conf)
    except cfg.ArgsAlreadyParsedError:
        pass


def prepare_service(argv=None, conf=None, default_config_files=None):
    """Register options, parse the command line and set up logging."""
    conf = conf or cfg.CONF
    register_opts(conf)
    conf(argv[1:] if argv else [], project='fenix',
         default_config_files=default_config_files)
    logging.setup(conf, 'fenix')
    return conf


def wait_for_signal(signals=(signal.SIGTERM, signal.SIGINT)):
    """Block the main thread until one of ``signals`` arrives; return it."""
    received = []
    stopped = threading.Event()

    def _handler(signum, frame):
        LOG.info('Signal %d: stopping', signum)
        received.append(signum)
        stopped.set()

    for signum in signals:
        signal.signal(signum, _handler)
    # NOTE: a timed wait keeps returning to the interpreter, so the handler
    # runs promptly whatever the platform does with an interrupted lock.
    while not stopped.wait(1.0):
        pass
    return received[0]
