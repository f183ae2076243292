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
"""Errors: a class per status, one line taken from Fenix's error body."""

import json

import pytest
import requests

from fenix.client import exceptions


def _response(status, body=None, text=None, reason='Reason'):
    response = requests.Response()
    response.status_code = status
    response.reason = reason
    if body is not None:
        response._content = json.dumps(body).encode()
        response.headers['Content-Type'] = 'application/json'
    else:
        response._content = (text or '').encode()
    return response


def _error(status, message, title='Title'):
    return {'error': {'code': status, 'title': title, 'message': message}}


@pytest.mark.parametrize('status,cls', [
    (400, exceptions.BadRequest), (401, exceptions.Unauthorized),
    (403, exceptions.Forbidden), (404, exceptions.NotFound),
    (405, exceptions.MethodNotAllowed), (409, exceptions.Conflict),
    (413, exceptions.RequestEntityTooLarge),
    (422, exceptions.Unprocessable), (500, exceptions.InternalServerError),
    (503, exceptions.ServiceUnavailable),
    (509, exceptions.TooManySessions),
])
def test_class_per_status(status, cls):
    error = exceptions.from_response(_response(status, _error(status, 'No.')),
                                     method='GET', url='http://x/v1/y')
    assert type(error) is cls
    assert isinstance(error, exceptions.ClientError)
    assert error.status == status
    assert str(error) == 'No. (HTTP %d)' % status
    assert (error.method, error.url) == ('GET', 'http://x/v1/y')


def test_other_status_is_a_client_error():
    error = exceptions.from_response(_response(418, _error(418, 'Teapot')))
    assert type(error) is exceptions.ClientError
    assert str(error) == 'Teapot (HTTP 418)'


def test_message_is_one_line():
    error = exceptions.from_response(_response(
        400, _error(400, "Invalid input for field 'hosts':\n  "
                         "'a' is not unique.\n")))
    assert str(error) == ("Invalid input for field 'hosts': 'a' is not "
                          "unique. (HTTP 400)")


def test_title_from_the_body():
    error = exceptions.from_response(_response(
        409, _error(409, 'Held.', title='Conflict')))
    assert error.title == 'Conflict'
    assert error.message == 'Held.'


def test_body_not_json_gives_its_text():
    error = exceptions.from_response(_response(
        502, text='<html>\n<body>Bad gateway</body>\n</html>',
        reason='Bad Gateway'))
    assert str(error) == ('<html> <body>Bad gateway</body> </html> '
                          '(HTTP 502)')


def test_long_text_is_cut():
    error = exceptions.from_response(_response(500, text='x' * 1000))
    assert len(error.message) == exceptions._TEXT_LIMIT + 3
    assert error.message.endswith('...')


def test_empty_body_gives_the_reason():
    error = exceptions.from_response(_response(
        503, reason='Service Unavailable'))
    assert str(error) == 'Service Unavailable (HTTP 503)'


def test_error_without_status():
    error = exceptions.ConnectionFailed('Cannot reach it:\n refused')
    assert error.status is None
    assert str(error) == 'Cannot reach it: refused'
