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
"""The HTTP layer under the managers: a keystoneauth adapter."""

import urllib.parse

from keystoneauth1 import adapter
from keystoneauth1 import exceptions as ksa_exc

from fenix.client import exceptions

SERVICE_TYPE = 'maintenance'
API_PREFIX = '/v1'


def quote(segment):
    """A path segment, every reserved character escaped."""
    return urllib.parse.quote(str(segment), safe='')


def _root_cause(error):
    """The innermost OS error's text behind ``error``.

    For example "[Errno 111] Connection refused"; else ``error`` itself,
    as one line.
    """
    found = None
    seen = set()
    current = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if getattr(current, 'strerror', None):
            found = current
        current = current.__cause__ or current.__context__
    if found is not None:
        if found.errno is not None:
            return '[Errno %s] %s' % (found.errno, found.strerror)
        return found.strerror
    return ' '.join(str(error).split())


class HTTPClient:
    """Requests to ``<endpoint>/v1/...``; errors as ClientError.

    The endpoint is ``endpoint_override``, else the catalog's endpoint of
    service type ``maintenance`` for ``interface`` and ``region_name``. It
    is the service's root (as Fenix registers it); a trailing ``/v1`` is
    accepted too.
    """

    def __init__(self, session, endpoint_override=None, interface='public',
                 region_name=None, **adapter_kwargs):
        self.adapter = adapter.Adapter(
            session, service_type=SERVICE_TYPE, interface=interface,
            region_name=region_name, endpoint_override=endpoint_override,
            **adapter_kwargs)
        self._root = None

    @property
    def root(self):
        """The service's root URL, found once."""
        if self._root is None:
            try:
                endpoint = self.adapter.get_endpoint()
                why = 'none in the service catalog'
            except (ksa_exc.EndpointNotFound, ksa_exc.MissingAuthPlugin,
                    ksa_exc.DiscoveryFailure) as e:
                endpoint, why = None, e
            if not endpoint:
                raise exceptions.EndpointNotFound(
                    'No endpoint of the maintenance service (interface %s, '
                    'region %s): %s; give one with endpoint_override '
                    '(--os-maintenance-endpoint)' % (
                        self.adapter.interface,
                        self.adapter.region_name or 'any', why))
            endpoint = endpoint.rstrip('/')
            if endpoint.endswith(API_PREFIX):
                endpoint = endpoint[:-len(API_PREFIX)]
            self._root = endpoint
        return self._root

    def request(self, method, path, body=None):
        """The JSON answer to ``method`` on ``/v1<path>`` (None if empty).

        :raises fenix.client.exceptions.ClientError: on an HTTP error or
            when the service cannot be reached.
        """
        url = self.root + API_PREFIX + path
        kwargs = {'headers': {'Accept': 'application/json'},
                  'raise_exc': False}
        if body is not None:
            kwargs['json'] = body
        try:
            response = self.adapter.request(url, method, **kwargs)
        except (ksa_exc.ConnectionError, ksa_exc.RequestTimeout) as e:
            raise exceptions.ConnectionFailed(
                'Cannot reach the maintenance service at %s: %s' % (
                    self.root, _root_cause(e)), method=method, url=url)
        if response.status_code >= 400:
            raise exceptions.from_response(response, method=method, url=url)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise exceptions.ClientError(
                'The maintenance service at %s answered %s %s with a body '
                'that is not JSON' % (self.root, method, path),
                status=response.status_code, method=method, url=url)

    def get(self, path):
        return self.request('GET', path)

    def put(self, path, body):
        return self.request('PUT', path, body)

    def post(self, path, body):
        return self.request('POST', path, body)

    def delete(self, path):
        return self.request('DELETE', path)


class Manager:
    """Base of the resource managers: holds the HTTP client."""

    def __init__(self, http):
        self.http = http
