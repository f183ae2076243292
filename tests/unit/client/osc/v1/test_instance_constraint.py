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
"""``openstack maintenance instance constraint ...``."""

import pytest

from fenix.client.osc.v1 import instance_constraint
from tests.unit.client.osc.v1.conftest import ENDPOINT
from tests.unit.client.osc.v1.conftest import GROUP
from tests.unit.client.osc.v1.conftest import INSTANCE
from tests.unit.client.osc.v1.conftest import PROJECT

INSTANCE_URL = '%s/v1/instance/%s' % (ENDPOINT, INSTANCE)

CONSTRAINT = {'instance_id': INSTANCE, 'project_id': PROJECT,
              'group_id': GROUP, 'instance_name': 'web-0',
              'migration_type': 'LIVE_MIGRATE', 'max_interruption_time': 5,
              'resource_mitigation': True, 'lead_time': 30}


def test_constraint_set(run, requests_mock):
    requests_mock.put(INSTANCE_URL, json=CONSTRAINT)
    result = run(instance_constraint.SetInstanceConstraint, [
        INSTANCE, '--project-id', PROJECT, '--group-id', GROUP,
        '--instance-name', 'web-0', '--migration-type', 'LIVE_MIGRATE',
        '--max-interruption-time', '5', '--resource-mitigation',
        '--lead-time', '30', '-f', 'json'])
    assert requests_mock.last_request.json() == CONSTRAINT
    assert result.json() == CONSTRAINT


@pytest.mark.parametrize('flag,sent', [
    ([], {}), (['--resource-mitigation'], {'resource_mitigation': True}),
    (['--no-resource-mitigation'], {'resource_mitigation': False}),
])
def test_constraint_set_minimal(run, requests_mock, flag, sent):
    requests_mock.put(INSTANCE_URL, json=CONSTRAINT)
    run(instance_constraint.SetInstanceConstraint,
        [INSTANCE, '--project-id', PROJECT] + flag)
    assert requests_mock.last_request.json() == dict(
        {'instance_id': INSTANCE, 'project_id': PROJECT}, **sent)


def test_constraint_flags_exclude_each_other(run):
    with pytest.raises(SystemExit):
        run(instance_constraint.SetInstanceConstraint,
            [INSTANCE, '--project-id', PROJECT, '--resource-mitigation',
             '--no-resource-mitigation'])


def test_constraint_show_and_delete(run, requests_mock):
    requests_mock.get(INSTANCE_URL, json=CONSTRAINT)
    requests_mock.delete(INSTANCE_URL, json=CONSTRAINT)
    result = run(instance_constraint.ShowInstanceConstraint,
                 [INSTANCE, '-f', 'json'])
    assert result.json() == CONSTRAINT
    result = run(instance_constraint.DeleteInstanceConstraint, [INSTANCE])
    assert result.code == 0 and result.stdout == ''
    assert requests_mock.last_request.method == 'DELETE'
