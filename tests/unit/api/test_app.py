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
"""The app as a whole: version discovery, health, the error shape
everywhere, middleware, the fault wrapper and the development server."""

import io
import json
import logging
import threading
from unittest import mock
import urllib.request

from keystonemiddleware import auth_token
import pytest
import webtest

from fenix.api import app as api_app
from fenix.api import server
from tests.unit.api import conftest
from tests.unit.api.conftest import request

# (method, path, status, substring of the error message)
ROUTING = [
    ('GET', '/v2', 404, 'No resource at /v2'),
    ('GET', '/v1/nothing', 404, 'No resource at /v1/nothing'),
    ('GET', '/v1/instance', 404, 'No resource'),
    ('GET', '/v1/instance_group/', 404, 'No resource'),
    ('GET', '/v1/maintenance/%s/%s/%s/extra' % (
        conftest.UNKNOWN, conftest.PROJECT_A, conftest.INSTANCE_1), 404,
     'No resource'),
    ('GET', '/v1/maintenance/not-a-uuid', 400, "'not-a-uuid' is not a UUID"),
    ('GET', '/v1/maintenance/__class__', 400, 'is not a UUID'),
    ('GET', '/v1/instance/1234', 400, "instance_id: '1234' is not a UUID"),
    ('DELETE', '/', 405, 'Method DELETE is not allowed on /'),
    ('POST', '/v1', 405, 'not allowed'),
    ('DELETE', '/v1/maintenance', 405, 'not allowed'),
    ('POST', '/v1/maintenance/%s' % conftest.UNKNOWN, 405, 'not allowed'),
    ('PUT', '/v1/maintenance/%s/detail' % conftest.UNKNOWN, 405,
     'not allowed'),
    ('POST', '/v1/maintenance/%s/%s' % (conftest.UNKNOWN,
                                        conftest.PROJECT_A), 405,
     'not allowed'),
    ('GET', '/v1/maintenance/%s/%s/%s' % (
        conftest.UNKNOWN, conftest.PROJECT_A, conftest.INSTANCE_1), 405,
     'not allowed'),
    ('POST', '/v1/instance/%s' % conftest.INSTANCE_1, 405, 'not allowed'),
]


@pytest.mark.parametrize('method,path,status,message', ROUTING)
def test_routing_errors(app, method, path, status, message):
    response = request(app, method, path)
    assert response.status_int == status
    assert message in response.json['error']['message']


def test_405_names_the_allowed_methods(app):
    response = request(app, 'PATCH', '/v1/maintenance')
    assert response.status_int == 405
    assert response.headers['Allow'] == 'GET, POST'


def test_version_discovery(app):
    response = request(app, 'GET', '/')
    assert response.status_int == 200
    assert response.json == {'versions': [{
        'id': 'v1', 'status': 'CURRENT',
        'links': [{'rel': 'self', 'href': 'http://localhost/v1/'}]}]}
    for path in ('/v1', '/v1/'):
        response = request(app, 'GET', path)
        assert response.status_int == 200
        assert response.json['version']['id'] == 'v1'


def test_version_links_use_public_endpoint(conf, engine_api):
    conf.set_override('public_endpoint', 'https://fenix.example:443/',
                      group='api')
    app = webtest.TestApp(api_app.setup_app(conf))
    link = request(app, 'GET', '/').json['versions'][0]['links'][0]
    assert link['href'] == 'https://fenix.example:443/v1/'


def test_json_whatever_the_accept_header(app):
    response = request(app, 'GET', '/', headers={'Accept': 'text/html'})
    assert response.status_int == 200
    assert response.content_type == 'application/json'


def test_healthcheck(app):
    response = request(app, 'GET', '/healthcheck')
    assert response.status_int == 200
    response = request(app, 'GET', '/healthcheck',
                       headers={'Accept': 'application/json'})
    assert response.json['detailed'] is False


def test_request_id_on_every_response(app):
    for path in ('/', '/nothing', '/healthcheck'):
        response = request(app, 'GET', path)
        assert response.headers['x-openstack-request-id'].startswith('req-')


def test_oversized_body_is_413(app):
    body = conftest.session_body(metadata={'blob': 'x' * 200000})
    response = request(app, 'POST', '/v1/maintenance', body=body)
    assert response.status_int == 413
    assert 'max_request_body_size' in response.json['error']['message']


def test_oversized_chunked_body_is_413(app):
    raw = json.dumps(conftest.session_body(
        metadata={'blob': 'x' * 200000})).encode()
    req = webtest.TestRequest.blank(
        '/v1/maintenance', method='POST',
        headers={'Content-Type': 'application/json'})
    req.body_file = io.BytesIO(raw)
    req.environ.pop('CONTENT_LENGTH', None)
    req.environ['wsgi.input_terminated'] = True
    response = app.do_request(req, status=None, expect_errors=True)
    assert response.status_int == 413
    assert response.json['error']['code'] == 413


def test_unexpected_error_is_a_json_500_without_traceback(app, caplog):
    caplog.set_level(logging.ERROR)
    with mock.patch('fenix.db.api.session_list',
                    side_effect=RuntimeError('secret detail')):
        response = request(app, 'GET', '/v1/maintenance')
    assert response.status_int == 500
    assert response.content_type == 'application/json'
    error = response.json['error']
    assert error['code'] == 500
    assert error['title'] == 'Internal Server Error'
    assert 'secret detail' not in response.text
    assert 'Traceback' not in response.text
    # The traceback is in the log, with the request id the client got.
    assert 'secret detail' in caplog.text
    assert response.headers['x-openstack-request-id'] in error['message']


def test_keystone_strategy_needs_a_token(conf, engine_api):
    conf.set_override('auth_strategy', 'keystone')
    for group, options in auth_token.list_opts():
        conf.register_opts(options, group=group)
    conf.set_override('www_authenticate_uri', 'http://keystone.test/v3',
                      group='keystone_authtoken')
    app = webtest.TestApp(api_app.setup_app(conf))
    response = request(app, 'GET', '/v1/maintenance')
    assert response.status_int == 401
    assert response.headers['WWW-Authenticate'] == (
        'Keystone uri="http://keystone.test/v3"')
    # Version discovery and health stay public.
    assert request(app, 'GET', '/').status_int == 200
    assert request(app, 'GET', '/v1/').status_int == 200
    assert request(app, 'GET', '/healthcheck').status_int == 200


def test_development_server_serves_and_stops(app):
    httpd = server.serve(app.app, '127.0.0.1', 0)
    assert httpd.port > 0
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = 'http://127.0.0.1:%d/v1/maintenance' % httpd.port
        with urllib.request.urlopen(url, timeout=10) as response:
            assert json.load(response) == {'sessions': []}
    finally:
        httpd.shutdown()
    thread.join(10)
    assert not thread.is_alive()
