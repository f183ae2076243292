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
"""Pecan hooks: request context, service objects, JSON errors."""

import threading

from oslo_log import log as logging
from pecan import hooks
import webob.exc

from fenix.api import fault
from fenix.common import context as fenix_context
from fenix.common import exception
from fenix.engine import rpcapi

LOG = logging.getLogger(__name__)


class JSONOnlyHook(hooks.PecanHook):
    """Every answer is JSON, whatever the Accept header says.

    NOTE: setting the content type before routing skips Pecan's Accept
    negotiation, which would otherwise answer 406 (or HTML) to clients
    that send ``Accept: text/html`` or none at all.
    """

    priority = 10

    def on_route(self, state):
        state.request.pecan['content_type'] = 'application/json'


class _LazyEngineAPI:
    """The engine RPC client, made on first use.

    NOTE: building it needs the RPC transport (fenix.common.rpc.init); a
    read-only request must not fail because the bus is not set up yet.
    """

    def __init__(self, conf):
        self._conf = conf
        self._api = None
        self._lock = threading.Lock()

    def __getattr__(self, name):
        with self._lock:
            if self._api is None:
                self._api = rpcapi.EngineAPI(self._conf)
        return getattr(self._api, name)


class ServiceHook(hooks.PecanHook):
    """Gives handlers the configuration and the engine RPC client."""

    priority = 20

    def __init__(self, conf):
        self.conf = conf
        self.engine_api = _LazyEngineAPI(conf)

    def before(self, state):
        state.request.conf = self.conf
        state.request.engine_api = self.engine_api


class ContextHook(hooks.PecanHook):
    """Builds the RequestContext from what the auth middleware set."""

    priority = 30

    def before(self, state):
        state.request.context = fenix_context.RequestContext.from_environ(
            state.request.environ)


class ErrorHook(hooks.PecanHook):
    """Renders expected errors as the JSON error body.

    Typed exceptions (``fenix.common.exception``) and WebOb HTTP errors
    (unknown path, wrong method, body too large) are expected. Anything
    else is left to propagate to fenix.api.fault.FaultWrapper.
    """

    priority = 40

    def on_error(self, state, e):
        if isinstance(e, exception.FenixException) and e.code != 500:
            LOG.info('%(method)s %(path)s: %(code)d %(msg)s',
                     {'method': state.request.method,
                      'path': state.request.path, 'code': e.code,
                      'msg': e.message})
            return fault.error_response(e.code, e.message, e.title)
        if isinstance(e, webob.exc.HTTPException):
            return fault.error_response(e.code, self._message(state, e),
                                        e.title)
        return None

    @staticmethod
    def _message(state, e):
        request = state.request
        if isinstance(e, webob.exc.HTTPNotFound) and not e.detail:
            return 'No resource at %s.' % request.path
        if isinstance(e, webob.exc.HTTPMethodNotAllowed) and not e.detail:
            return 'Method %s is not allowed on %s.' % (request.method,
                                                        request.path)
        if isinstance(e, webob.exc.HTTPBadRequest) and not e.detail:
            # NOTE: Pecan's own 400, when WebOb cannot decode the body.
            return ('Invalid input: the request body could not be decoded; '
                    'it must be UTF-8 JSON.')
        return e.detail or e.explanation
