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
"""Errors of the Fenix client.

Every failed request raises a :class:`ClientError` (a subclass per HTTP
status) whose ``str`` is one line: the message of Fenix's error body
``{"error": {"code", "title", "message"}}`` and the status, so that the
OpenStackClient, which prints the exception, shows a single clear line.
"""

#: characters of a non-JSON error body kept in the message.
_TEXT_LIMIT = 200


def _one_line(text):
    return ' '.join(str(text).split())


class ClientError(Exception):
    """A request to the maintenance API failed.

    :param message: what went wrong, as the service said it.
    :param status: the HTTP status, None when no answer came.
    :param title: the HTTP title of the error body (e.g. "Not Found").
    :param method: the HTTP method of the request.
    :param url: the URL of the request.
    """

    #: the HTTP status this class stands for (None: no answer).
    status = None

    def __init__(self, message, status=None, title=None, method=None,
                 url=None):
        self.message = _one_line(message)
        if status is not None:
            self.status = status
        self.title = title
        self.method = method
        self.url = url
        super().__init__(self.message)

    def __str__(self):
        if self.status is None:
            return self.message
        return '%s (HTTP %s)' % (self.message, self.status)


class BadRequest(ClientError):
    status = 400


class Unauthorized(ClientError):
    status = 401


class Forbidden(ClientError):
    status = 403


class NotFound(ClientError):
    status = 404


class MethodNotAllowed(ClientError):
    status = 405


class Conflict(ClientError):
    status = 409


class RequestEntityTooLarge(ClientError):
    status = 413


class Unprocessable(ClientError):
    """Well formed but not allowed now.

    For example a reply to a state that is not current, or a continue of a
    session that did not fail.
    """

    status = 422


class InternalServerError(ClientError):
    status = 500


class ServiceUnavailable(ClientError):
    status = 503


class TooManySessions(ClientError):
    """``[engine] max_sessions`` sessions are active already."""

    status = 509


class ConnectionFailed(ClientError):
    """The maintenance service could not be reached."""


class EndpointNotFound(ClientError):
    """No endpoint for the maintenance service is known."""


_BY_STATUS = {cls.status: cls for cls in (
    BadRequest, Unauthorized, Forbidden, NotFound, MethodNotAllowed,
    Conflict, RequestEntityTooLarge, Unprocessable, InternalServerError,
    ServiceUnavailable, TooManySessions)}


def from_response(response, method=None, url=None):
    """The :class:`ClientError` for an HTTP error ``response``."""
    status = response.status_code
    title = response.reason
    message = None
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get('error'), dict):
        error = body['error']
        message = error.get('message')
        title = error.get('title') or title
    if not message:
        text = _one_line(response.text or '')
        if len(text) > _TEXT_LIMIT:
            text = text[:_TEXT_LIMIT] + '...'
        message = text or title or 'HTTP error'
    cls = _BY_STATUS.get(status, ClientError)
    return cls(message, status=status, title=title, method=method, url=url)
