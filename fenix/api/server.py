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
"""A small threaded HTTP server for the API: development and the demo.

Production runs fenix.api.wsgi under uwsgi or mod_wsgi.
"""

import socketserver
from wsgiref import simple_server

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class _RequestHandler(simple_server.WSGIRequestHandler):
    """Logs requests through oslo.log (at debug), not to stderr."""

    def log_message(self, fmt, *args):
        LOG.debug('%s %s', self.address_string(), fmt % args)


class _ThreadingServer(socketserver.ThreadingMixIn,
                       simple_server.WSGIServer):
    # NOTE: a request thread must not keep the process alive on shutdown.
    daemon_threads = True
    allow_reuse_address = True


class Server:
    """The API served on ``host``:``port``.

    Run :meth:`serve_forever` (in a thread if need be) and stop it with
    :meth:`shutdown`.
    """

    def __init__(self, app, host, port):
        self._httpd = simple_server.make_server(
            host, port, app, server_class=_ThreadingServer,
            handler_class=_RequestHandler)
        self.host = host
        self.port = self._httpd.server_port

    def serve_forever(self):
        LOG.info('Fenix API listening on http://%s:%d', self.host,
                 self.port)
        self._httpd.serve_forever()

    def shutdown(self):
        """Stop serving and close the socket (from another thread)."""
        self._httpd.shutdown()
        self._httpd.server_close()


def serve(app, host, port):
    """A :class:`Server` bound to ``host``:``port`` (0: any free port)."""
    return Server(app, host, port)
