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
"""``openstack maintenance project ...``: what is sent and shown."""

import pytest

from fenix.client import exceptions
from fenix.client.osc.v1 import project
from tests.unit.client.osc.v1.conftest import ENDPOINT
from tests.unit.client.osc.v1.conftest import INSTANCE
from tests.unit.client.osc.v1.conftest import PROJECT
from tests.unit.client.osc.v1.conftest import SESSION

PROJECT_URL = '%s/v1/maintenance/%s/%s' % (ENDPOINT, SESSION, PROJECT)


def test_project_show(run, requests_mock):
    requests_mock.get(PROJECT_URL, json={'instance_ids': [INSTANCE]})
    assert run(project.ShowProject, [SESSION, PROJECT, '-f', 'json']).json(
    ) == {'session_id': SESSION, 'project_id': PROJECT,
          'instance_ids': [INSTANCE]}


def test_project_reply(run, requests_mock):
    requests_mock.put(PROJECT_URL, json={
        'session_id': SESSION, 'project_id': PROJECT,
        'state': 'ACK_PLANNED_MAINTENANCE',
        'instance_actions': {INSTANCE: 'LIVE_MIGRATE'}})
    result = run(project.ReplyProject, [
        SESSION, PROJECT, '--state', 'ACK_PLANNED_MAINTENANCE',
        '--instance-action', '%s=LIVE_MIGRATE' % INSTANCE, '-f', 'json'])
    assert requests_mock.last_request.json() == {
        'state': 'ACK_PLANNED_MAINTENANCE',
        'instance_actions': {INSTANCE: 'LIVE_MIGRATE'}}
    assert result.json()['instance_actions'] == {INSTANCE: 'LIVE_MIGRATE'}


def test_project_reply_without_actions(run, requests_mock):
    requests_mock.put(PROJECT_URL, json={
        'session_id': SESSION, 'project_id': PROJECT,
        'state': 'NACK_MAINTENANCE', 'instance_actions': {}})
    run(project.ReplyProject, [SESSION, PROJECT, '--state',
                               'NACK_MAINTENANCE'])
    assert requests_mock.last_request.json() == {'state': 'NACK_MAINTENANCE'}


def test_project_reply_needs_key_value(run, capsys):
    with pytest.raises(SystemExit):
        run(project.ReplyProject, [SESSION, PROJECT, '--state',
                                   'ACK_MAINTENANCE', '--instance-action',
                                   'MIGRATE'])
    assert "Expected 'key=value' type" in capsys.readouterr().err


def test_project_reply_refused(run, requests_mock):
    requests_mock.put(PROJECT_URL, status_code=422, json={'error': {
        'code': 422, 'title': 'Unprocessable Entity',
        'message': 'Project is asked about MAINTENANCE_COMPLETE now, not '
                   'SCALE_IN.'}})
    with pytest.raises(exceptions.Unprocessable) as e:
        run(project.ReplyProject, [SESSION, PROJECT, '--state',
                                   'ACK_SCALE_IN'])
    assert str(e.value) == ('Project is asked about MAINTENANCE_COMPLETE '
                            'now, not SCALE_IN. (HTTP 422)')
