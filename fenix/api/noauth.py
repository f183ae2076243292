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
"""Identity without Keystone (``auth_strategy = noauth``).

For development, the demo and tests. A request without identity headers
acts as the admin. Identity headers, when given, set who the caller is,
so policy is still enforced: ``X-Project-Id: B`` with ``X-Roles: member``
(the default role once any identity header is given) cannot reply for
project A nor use the admin API.
"""

ADMIN_PROJECT_ID = 'admin'
ADMIN_USER_ID = 'admin'
DEFAULT_ROLE = 'member'

_IDENTITY_HEADERS = ('HTTP_X_PROJECT_ID', 'HTTP_X_ROLES', 'HTTP_X_USER_ID')


class NoAuthMiddleware:
    """Fills in the headers keystonemiddleware would have set."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if not any(environ.get(h) for h in _IDENTITY_HEADERS):
            environ['HTTP_X_PROJECT_ID'] = ADMIN_PROJECT_ID
            environ['HTTP_X_USER_ID'] = ADMIN_USER_ID
            environ['HTTP_X_ROLES'] = 'admin'
        else:
            environ.setdefault('HTTP_X_ROLES', DEFAULT_ROLE)
        environ['HTTP_X_IDENTITY_STATUS'] = 'Confirmed'
        return self.application(environ, start_response)
