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
"""The API's WSGI application: Pecan behind its middleware.

The middleware, outermost first, and why in that order:

1. HTTPProxyToWSGI: behind a TLS-terminating proxy, makes the request look
   as the client sent it (scheme, host) for everything inside, such as the
   links of version discovery.
2. RequestId: gives every request an id and every response, errors and
   health checks included, its x-openstack-request-id header; the fault
   wrapper logs the id.
3. Request body size limit: before anything reads a body. A declared
   Content-Length over the limit is answered 413 here; a chunked body is
   cut while read, and that 413 comes from the Pecan error hook.
4. Health check at /healthcheck: before authentication, so that load
   balancers probe without a token, and outside the fault wrapper, which
   it does not need.
5. Fault wrapper: the one place an unexpected exception (in auth or in a
   handler) becomes a 500, logged with its traceback and answered without
   it.
6. Authentication: keystonemiddleware auth_token (``auth_strategy =
   keystone``, configured from the same conf; version discovery stays
   public) or fenix.api.noauth.
7. Pecan, whose hooks build the RequestContext from what authentication
   set, hand out the conf and the engine RPC client, and render expected
   errors as JSON.
"""

from oslo_log import log as logging
from oslo_middleware import healthcheck
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id
from oslo_middleware import sizelimit
import pecan

from fenix.api.controllers import root
from fenix.api import fault
from fenix.api import hooks
from fenix.api import noauth
from fenix.api import policy

LOG = logging.getLogger(__name__)

HEALTHCHECK_PATH = '/healthcheck'
# Version discovery: clients read it before they have a token.
PUBLIC_PATHS = ('/', '/v1')


class _BodySizeLimiter(sizelimit.RequestBodySizeLimiter):
    """oslo.middleware's limiter, answering with the JSON error body."""

    def __call__(self, environ, start_response):
        limit = self._conf_get('max_request_body_size')
        try:
            length = int(environ.get('CONTENT_LENGTH') or 0)
        except ValueError:
            length = 0
        if length > limit:
            response = fault.error_response(
                413, 'The request body is %d bytes; at most %d are allowed '
                     '([oslo_middleware] max_request_body_size).'
                     % (length, limit))
            return response(environ, start_response)
        return super().__call__(environ, start_response)


class _Mount:
    """Sends one path to another application."""

    def __init__(self, application, path, mounted):
        self.application = application
        self.path = path
        self.mounted = mounted

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO', '').rstrip('/') == self.path:
            return self.mounted(environ, start_response)
        return self.application(environ, start_response)


class _PublicPaths:
    """Sends the public paths around authentication."""

    def __init__(self, authenticated, public, paths):
        self.authenticated = authenticated
        self.public = public
        self.paths = paths

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '') or '/'
        if path in self.paths or path.rstrip('/') in self.paths:
            return self.public(environ, start_response)
        return self.authenticated(environ, start_response)


def _auth(app, conf):
    if conf.auth_strategy == 'noauth':
        LOG.warning('auth_strategy = noauth: every request without '
                    'identity headers acts as the admin')
        return noauth.NoAuthMiddleware(app)
    # NOTE: imported only when used; it pulls in keystoneauth and caches.
    from keystonemiddleware import auth_token
    authenticated = auth_token.AuthProtocol(app,
                                            {'oslo_config_config': conf})
    return _PublicPaths(authenticated, app, PUBLIC_PATHS)


def setup_pecan(conf):
    return pecan.Pecan(
        root.RootController(),
        hooks=[hooks.JSONOnlyHook(), hooks.ServiceHook(conf),
               hooks.ContextHook(), hooks.ErrorHook()],
        # NOTE: no redirects to a trailing slash (a redirected PUT loses
        # its body) and no content type guessed from a ".json" in a path.
        force_canonical=False,
        guess_content_type_from_ext=False)


def setup_app(conf):
    """The full WSGI application for ``conf``.

    ``conf`` has its options registered and parsed (see
    fenix.common.service.prepare_service).
    """
    policy.init(conf)
    app = setup_pecan(conf)
    app = _auth(app, conf)
    app = fault.FaultWrapper(app)
    app = _Mount(app, HEALTHCHECK_PATH, healthcheck.Healthcheck(app, conf))
    app = _BodySizeLimiter(app, conf)
    app = request_id.RequestId(app)
    app = http_proxy_to_wsgi.HTTPProxyToWSGI(app, conf)
    return app
