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
"""``openstack maintenance instance group ...``."""

import pytest

from fenix.client import exceptions
from fenix.client.osc.v1 import instance_group
from tests.unit.client.osc.v1.conftest import ENDPOINT
from tests.unit.client.osc.v1.conftest import GROUP
from tests.unit.client.osc.v1.conftest import PROJECT

GROUP_URL = '%s/v1/instance_group/%s' % (ENDPOINT, GROUP)

GROUP_BODY = {'group_id': GROUP, 'project_id': PROJECT, 'group_name': 'web',
              'anti_affinity_group': False, 'max_instances_per_host': 2,
              'max_impacted_members': 1, 'recovery_time': 10,
              'resource_mitigation': False}


def test_group_set(run, requests_mock):
    requests_mock.put(GROUP_URL, json=GROUP_BODY)
    result = run(instance_group.SetInstanceGroup, [
        GROUP, '--project-id', PROJECT, '--group-name', 'web',
        '--no-anti-affinity-group', '--max-instances-per-host', '2',
        '--max-impacted-members', '1', '--recovery-time', '10',
        '--no-resource-mitigation', '-f', 'json'])
    assert requests_mock.last_request.json() == GROUP_BODY
    assert result.json() == GROUP_BODY


def test_group_set_minimal(run, requests_mock):
    requests_mock.put(GROUP_URL, json=GROUP_BODY)
    run(instance_group.SetInstanceGroup,
        [GROUP, '--project-id', PROJECT, '--group-name', 'web',
         '--anti-affinity-group'])
    assert requests_mock.last_request.json() == {
        'group_id': GROUP, 'project_id': PROJECT, 'group_name': 'web',
        'anti_affinity_group': True}


def test_group_show_and_delete(run, requests_mock):
    requests_mock.get(GROUP_URL, json=GROUP_BODY)
    requests_mock.delete(GROUP_URL, status_code=404, json={'error': {
        'code': 404, 'title': 'Not Found',
        'message': 'No constraints are stored for instance group %s.'
                   % GROUP}})
    assert run(instance_group.ShowInstanceGroup,
               [GROUP, '-f', 'json']).json() == GROUP_BODY
    with pytest.raises(exceptions.NotFound) as e:
        run(instance_group.DeleteInstanceGroup, [GROUP])
    assert str(e.value) == ('No constraints are stored for instance group '
                            '%s. (HTTP 404)' % GROUP)
