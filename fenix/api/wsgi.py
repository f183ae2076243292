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
"""WSGI entry point for uwsgi and mod_wsgi: ``fenix.api.wsgi:application``.

The application is built on the first request, not at import: a WSGI
server imports this module in its master process before it forks workers,
and each worker needs its own database pool and message bus connection.
Configuration comes from the standard oslo.config places
(/etc/fenix/fenix.conf, ~/.fenix/fenix.conf, ...).
"""

import threading

from oslo_config import cfg

from fenix.api import app as api_app
from fenix.common import rpc
from fenix.common import service
from fenix.db import api as db

_APP = None
_LOCK = threading.Lock()


def init_application(argv=None):
    """Prepare the service and build the API's WSGI application."""
    conf = service.prepare_service(argv or ['fenix-api'], conf=cfg.CONF)
    db.configure(conf)
    rpc.init(conf)
    return api_app.setup_app(conf)


def application(environ, start_response):
    global _APP
    if _APP is None:
        with _LOCK:
            if _APP is None:
                _APP = init_application()
    return _APP(environ, start_response)
