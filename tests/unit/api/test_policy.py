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
"""Policies in code, the enforcer entry point and operator overrides."""

from unittest import mock

from oslo_policy import opts as policy_opts
import pytest
import webtest

from fenix.api import app as api_app
from fenix.api import policy
from fenix.common import context
from fenix.common import exception
from fenix import policies
from tests.unit.api import conftest
from tests.unit.api.conftest import request


def test_every_api_rule_is_documented():
    names = {r.name for r in policies.list_rules()}
    assert {'fenix:maintenance:%s' % a for a in (
        'create', 'list', 'get', 'get_detail', 'update', 'delete')} <= names
    assert {'fenix:project:get', 'fenix:project:reply',
            'fenix:project:instance_reply'} <= names
    for kind in ('instance_constraint', 'instance_group'):
        assert {'fenix:%s:%s' % (kind, a)
                for a in ('get', 'put', 'delete')} <= names
    for rule in policies.list_rules():
        assert rule.description


def test_get_enforcer_for_the_oslopolicy_commands():
    argv = ['oslopolicy-policy-generator', '--namespace', 'fenix']
    with mock.patch('sys.argv', argv), \
            mock.patch.object(policy.cfg, 'CONF') as conf:
        enforcer = policy.get_enforcer()
    conf.assert_called_once_with([], project='fenix')
    assert 'fenix:maintenance:create' in enforcer.registered_rules


@pytest.mark.parametrize('roles,project,target,allowed', [
    (['admin'], 'ops', {'project_id': 'a'}, True),
    (['member'], 'a', {'project_id': 'a'}, True),
    (['member'], 'b', {'project_id': 'a'}, False),
    ([], 'a', {'project_id': 'b'}, False),
])
def test_project_owner_or_admin(conf, roles, project, target, allowed):
    policy.init(conf)
    ctx = context.RequestContext(project_id=project, roles=roles)
    if allowed:
        assert policy.authorize(ctx, 'fenix:project:reply', target)
    else:
        with pytest.raises(exception.Forbidden):
            policy.authorize(ctx, 'fenix:project:reply', target)


def test_operator_policy_file_overrides_a_default(conf, engine_api,
                                                  tmp_path):
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text('"fenix:maintenance:list": "role:member"\n')
    policy_opts.set_defaults(conf, policy_file=str(policy_file))
    app = webtest.TestApp(api_app.setup_app(conf))
    assert request(app, 'GET', '/v1/maintenance',
                   headers=conftest.MEMBER_A).status_int == 200
    assert request(app, 'GET', '/v1/maintenance/%s' % conftest.UNKNOWN,
                   headers=conftest.MEMBER_A).status_int == 403
