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
"""Constraints: /v1/instance/{instance_id}, /v1/instance_group/{group_id}.

Bodies as Tacker (tacker/plugins/fenix.py) and OPNFV Doctor
(doctor_tests/app_manager/vnfm.py) send them.
"""

import json

from keystoneauth1 import plugin
import pytest
import requests_mock

from tests.unit.api import conftest
from tests.unit.api.conftest import INSTANCE_1
from tests.unit.api.conftest import PROJECT_A
from tests.unit.api.conftest import PROJECT_B
from tests.unit.api.conftest import request
from tests.unit.api.conftest import UNKNOWN

GROUP = '44444444-4444-4444-8444-444444444444'
INSTANCE = '/v1/instance/%s' % INSTANCE_1
GROUP_PATH = '/v1/instance_group/%s' % GROUP

TACKER_INSTANCE = {
    'project_id': PROJECT_A, 'instance_id': INSTANCE_1,
    'instance_name': 'VDU1', 'migration_type': 'MIGRATE',
    'resource_mitigation': True, 'max_interruption_time': 120,
    'lead_time': 120, 'group_id': GROUP}
DOCTOR_INSTANCE = {
    'instance_id': INSTANCE_1, 'project_id': PROJECT_A, 'group_id': GROUP,
    'instance_name': 'doctor_ha_app_0', 'max_interruption_time': 120,
    'migration_type': 'MIGRATION', 'resource_mitigation': True,
    'lead_time': 40}
TACKER_GROUP = {
    'group_id': GROUP, 'project_id': PROJECT_A,
    'group_name': 'tacker_nonha_app_group_x', 'anti_affinity_group': False,
    'max_instances_per_host': 0, 'resource_mitigation': True,
    'max_impacted_members': 1, 'recovery_time': 60}
DOCTOR_GROUP = {
    'group_id': GROUP, 'project_id': PROJECT_A,
    'group_name': 'doctor_ha_app_group', 'anti_affinity_group': True,
    'max_instances_per_host': 1, 'max_impacted_members': 1,
    'recovery_time': 4, 'resource_mitigation': True}


def _with(body, **changes):
    body = dict(body, **changes)
    return {k: v for k, v in body.items() if v is not ...}


# (id, method, path, headers, body, status, substring of body or message)
CASES = [
    ('Tacker instance', 'PUT', INSTANCE, conftest.MEMBER_A, TACKER_INSTANCE,
     200, '"lead_time": 120'),
    ('Doctor instance, MIGRATION', 'PUT', INSTANCE, conftest.MEMBER_A,
     DOCTOR_INSTANCE, 200, '"migration_type": "MIGRATE"'),
    ('instance, only project', 'PUT', INSTANCE, conftest.MEMBER_A,
     {'project_id': PROJECT_A}, 200, '"group_id": null'),
    ('admin for a project', 'PUT', INSTANCE, None, TACKER_INSTANCE, 200,
     PROJECT_A),
    ('instance for another project', 'PUT', INSTANCE, conftest.MEMBER_B,
     TACKER_INSTANCE, 403, 'fenix:instance_constraint:put'),
    ('instance id differs from path', 'PUT', INSTANCE, conftest.MEMBER_A,
     _with(TACKER_INSTANCE, instance_id=UNKNOWN), 400,
     "field 'instance_id'"),
    ('path not a UUID', 'PUT', '/v1/instance/vm1', conftest.MEMBER_A,
     TACKER_INSTANCE, 400, "'vm1' is not a UUID"),
    ('group id not a UUID', 'PUT', INSTANCE, conftest.MEMBER_A,
     _with(TACKER_INSTANCE, group_id='g1'), 400,
     "field 'group_id': 'g1' is not a UUID"),
    ('bad migration type', 'PUT', INSTANCE, conftest.MEMBER_A,
     _with(TACKER_INSTANCE, migration_type='TELEPORT'), 400,
     "field 'migration_type'"),
    ('negative lead time', 'PUT', INSTANCE, conftest.MEMBER_A,
     _with(TACKER_INSTANCE, lead_time=-1), 400,
     "field 'lead_time': -1 is less than the minimum of 0"),
    ('mitigation not a boolean', 'PUT', INSTANCE, conftest.MEMBER_A,
     _with(TACKER_INSTANCE, resource_mitigation='yes'), 400,
     "field 'resource_mitigation'"),
    ('instance without project', 'PUT', INSTANCE, conftest.MEMBER_A,
     _with(TACKER_INSTANCE, project_id=...), 400,
     "missing required field 'project_id'"),
    ('instance unknown field', 'PUT', INSTANCE, conftest.MEMBER_A,
     _with(TACKER_INSTANCE, colour='red'), 400, "unknown field 'colour'"),
    ('absent instance', 'GET', INSTANCE, None, None, 404,
     'No constraints are stored for instance %s' % INSTANCE_1),
    ('delete absent instance', 'DELETE', INSTANCE, None, None, 404,
     INSTANCE_1),
    ('Tacker group', 'PUT', GROUP_PATH, conftest.MEMBER_A, TACKER_GROUP,
     200, '"max_instances_per_host": 0'),
    ('Doctor group', 'PUT', GROUP_PATH, conftest.MEMBER_A, DOCTOR_GROUP,
     200, '"anti_affinity_group": true'),
    ('group for another project', 'PUT', GROUP_PATH, conftest.MEMBER_B,
     TACKER_GROUP, 403, 'fenix:instance_group:put'),
    ('group id differs from path', 'PUT', GROUP_PATH, conftest.MEMBER_A,
     _with(TACKER_GROUP, group_id=UNKNOWN), 400, "field 'group_id'"),
    ('negative members', 'PUT', GROUP_PATH, conftest.MEMBER_A,
     _with(TACKER_GROUP, max_impacted_members=-2), 400,
     "field 'max_impacted_members'"),
    ('recovery time not an integer', 'PUT', GROUP_PATH, conftest.MEMBER_A,
     _with(TACKER_GROUP, recovery_time='2s'), 400,
     "field 'recovery_time'"),
    ('absent group', 'GET', GROUP_PATH, None, None, 404,
     'No constraints are stored for instance group %s' % GROUP),
]


@pytest.mark.parametrize('method,path,headers,body,status,expected',
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_constraints(app, method, path, headers, body, status, expected):
    response = request(app, method, path, body=body, headers=headers)
    assert response.status_int == status, response.text
    assert expected in response.text


@pytest.mark.parametrize('path,body,rule', [
    (INSTANCE, TACKER_INSTANCE, 'fenix:instance_constraint'),
    (GROUP_PATH, TACKER_GROUP, 'fenix:instance_group'),
])
def test_lifecycle_and_ownership(app, path, body, rule):
    headers_a = {'Content-Type': 'application/json',
                 'Accept': 'application/json',
                 'X-Auth-Token': 'ignored-by-noauth'}
    headers_a.update(conftest.MEMBER_A)
    stored = request(app, 'PUT', path, body=body, headers=headers_a).json
    assert {k: stored[k] for k in body} == body
    assert request(app, 'GET', path, headers=headers_a).json == stored
    # Project B may neither read, take over nor delete A's constraints.
    for method, b_body in (('GET', None), ('DELETE', None),
                           ('PUT', dict(body, project_id=PROJECT_B))):
        response = request(app, method, path, body=b_body,
                           headers=conftest.MEMBER_B)
        assert response.status_int == 403, (method, response.text)
        assert rule in response.json['error']['message']
    # A PUT replaces: what is left out is cleared.
    replaced = request(app, 'PUT', path, headers=headers_a,
                       body={'project_id': PROJECT_A}).json
    assert replaced['resource_mitigation'] is None
    # Tacker and Doctor DELETE with a JSON Content-Type and no body.
    assert request(app, 'DELETE', path,
                   headers=headers_a).status_int == 200
    assert request(app, 'GET', path, headers=headers_a).status_int == 404


class UserToken(plugin.BaseAuthPlugin):
    """What keystonemiddleware leaves in ``keystone.token_auth``."""

    has_user_token = True

    def get_token(self, session, **kwargs):
        return 'user-token'

    def get_endpoint(self, session, service_type=None, interface=None,
                     **kwargs):
        assert service_type == 'compute'
        return 'http://nova.test/v2.1'


def _put_with_token(app, headers, body=TACKER_INSTANCE, auth=None):
    headers = dict(headers, **{'Content-Type': 'application/json'})
    environ = {'keystone.token_auth': auth or UserToken()}
    return app.request(INSTANCE, method='PUT', headers=headers,
                       body=json.dumps(body).encode(), expect_errors=True,
                       environ=environ)


@pytest.mark.parametrize('nova_status,status,expected', [
    (200, 200, PROJECT_A),
    (404, 403, 'is not a server of project %s in Nova' % PROJECT_A),
    (403, 403, 'is not a server of project %s in Nova' % PROJECT_A),
    (500, 503, 'Cannot ask Nova whether instance %s' % INSTANCE_1),
])
def test_new_instance_constraint_checked_with_nova(app, nova_status, status,
                                                   expected):
    with requests_mock.Mocker() as nova:
        nova.get('http://nova.test/v2.1/servers/%s' % INSTANCE_1,
                 status_code=nova_status, json={})
        response = _put_with_token(app, conftest.MEMBER_A)
        assert nova.call_count == 1
        assert nova.last_request.headers['X-Auth-Token'] == 'user-token'
    assert response.status_int == status, response.text
    assert expected in response.text
    if status == 200:
        # A replacement of one's own constraint asks Nova no more.
        with requests_mock.Mocker() as nova:
            again = _put_with_token(app, conftest.MEMBER_A)
            assert again.status_int == 200 and nova.call_count == 0


def test_admin_and_noauth_are_not_checked_with_nova(app):
    with requests_mock.Mocker() as nova:
        admin = dict(conftest.MEMBER_A, **{'X-Roles': 'admin'})
        assert _put_with_token(app, admin).status_int == 200
        no_token = UserToken()
        no_token.has_user_token = False
        assert _put_with_token(app, conftest.MEMBER_A,
                               auth=no_token).status_int == 200
        assert nova.call_count == 0
