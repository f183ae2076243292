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
"""Times, validation messages, and the lazily built WSGI entry point."""

import datetime
from unittest import mock

import pytest

from fenix.api import validation
from fenix.api import wsgi
from fenix.common import exception

T = datetime.datetime(2030, 1, 1, 10, 0, 0)


@pytest.mark.parametrize('text,expected', [
    ('2030-01-01 10:00:00', T),
    ('2030-01-01T10:00:00', T),
    ('2030-01-01T10:00:00Z', T),
    ('2030-01-01T10:00:00.250000Z', T.replace(microsecond=250000)),
    ('2030-01-01T12:00:00+02:00', T),
    ('2030-01-01T05:00:00-0500', T),
    ('2030-01-01 10:00', T),
])
def test_parse_time(text, expected):
    assert validation.parse_time(text) == expected


@pytest.mark.parametrize('text', [
    '2030-01-01', 'tomorrow', '2030-13-01 10:00:00', '10:00:00',
    '2030-01-01 25:00:00', '', '2030-01-01 10:00:00 UTC',
])
def test_parse_time_rejects(text):
    with pytest.raises(ValueError):
        validation.parse_time(text)


SCHEMA = {
    'type': 'object',
    'properties': {'a': {'type': 'array', 'items': {'type': 'string'}},
                   'o': {'type': 'object'}},
    'required': ['a'],
    'additionalProperties': False,
}


@pytest.mark.parametrize('body,message', [
    ({'a': [1]}, "Invalid input for field 'a/0': 1 is not of type "
                 "'string'."),
    ({}, "Invalid input: missing required field 'a'."),
    ({'a': [], 'x': 1, 'y': 2}, "Invalid input: unknown fields 'x', 'y'."),
    ({'a': ['s'] * 4}, "Invalid input for field 'a': 4 items, at most 3 "
                       "are allowed ([api] max_list_length)."),
    ({'a': [], 'o': {'k%d' % i: i for i in range(4)}},
     "Invalid input for field 'o': 4 items"),
])
def test_validation_messages(body, message):
    with pytest.raises(exception.Invalid) as raised:
        validation.validate(body, SCHEMA, max_items=3)
    assert raised.value.message.startswith(message)
    assert raised.value.code == 400


def test_wsgi_application_is_built_once_on_first_request():
    app = mock.Mock(return_value=[b'ok'])
    with mock.patch.object(wsgi, '_APP', None), \
            mock.patch.object(wsgi, 'init_application',
                              return_value=app) as init:
        assert wsgi.application({}, None) == [b'ok']
        assert wsgi.application({}, None) == [b'ok']
    init.assert_called_once_with()
    assert app.call_count == 2
