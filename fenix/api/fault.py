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
"""The API's error body, and the one place a bug becomes a 500.

Every error the API answers has the body
``{"error": {"code": <int>, "title": "...", "message": "..."}}`` (the shape
keystonemiddleware uses for its own 401s) and Content-Type
application/json. Expected errors (typed exceptions, unknown paths, wrong
methods) are rendered by the Pecan error hook; anything else propagates
to :class:`FaultWrapper`, which logs it with its traceback and answers a
500 that carries no detail of it.
"""

import http.client

from oslo_log import log as logging
from oslo_serialization import jsonutils
import webob

LOG = logging.getLogger(__name__)


def error_response(code, message, title=None):
    """A WebOb response carrying the JSON error body."""
    title = title or http.client.responses.get(code, 'Error')
    body = {'error': {'code': code, 'title': title, 'message': message}}
    return webob.Response(status=code,
                          body=jsonutils.dump_as_bytes(body),
                          content_type='application/json', charset=None)


class FaultWrapper:
    """Turns any exception escaping the application into a JSON 500."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        try:
            return self.application(environ, start_response)
        except Exception:
            LOG.exception('Unexpected error serving %(method)s %(path)s',
                          {'method': environ.get('REQUEST_METHOD'),
                           'path': environ.get('PATH_INFO')})
            response = error_response(
                500, 'The server hit an unexpected error; it is logged '
                     'with request id %s.'
                     % environ.get('openstack.request_id', '(none)'))
            return response(environ, start_response)
