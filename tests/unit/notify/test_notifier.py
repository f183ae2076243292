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
"""Payloads of the three notifications (DESIGN §5)."""

import datetime
from unittest import mock

from fenix.notify import notifier


def _sent(method, *args, **kwargs):
    oslo_notifier = mock.Mock()
    getattr(notifier.Notifier(oslo_notifier), method)(*args, **kwargs)
    assert oslo_notifier.info.call_count == 1
    return oslo_notifier.info.call_args[0]


def test_project_payload():
    at = datetime.datetime(2030, 1, 2, 3, 4, 5)
    ctxt, event, payload = _sent(
        'project', 'sid', 'pid', 'MAINTENANCE', 'http://f/v1/maintenance/'
        'sid/pid', ['MIGRATE'], 'http://f/v1/maintenance/sid/pid', at, at,
        {'openstack_version': 'Zed'})
    assert event == 'maintenance.scheduled'
    assert ctxt == {'project_id': 'pid'}
    assert payload == {
        'service': 'fenix', 'session_id': 'sid', 'project_id': 'pid',
        'state': 'MAINTENANCE',
        'instance_ids': 'http://f/v1/maintenance/sid/pid',
        'allowed_actions': ['MIGRATE'],
        'reply_url': 'http://f/v1/maintenance/sid/pid',
        'reply_at': '2030-01-02 03:04:05',
        'actions_at': '2030-01-02 03:04:05',
        'metadata': {'openstack_version': 'Zed'}}


def test_instance_action_done_has_no_reply_time():
    _, _, payload = _sent('project', 's', 'p', 'INSTANCE_ACTION_DONE',
                          ['i1'], [], 'url', None, None, None)
    assert payload['instance_ids'] == ['i1']
    assert payload['reply_at'] is None
    assert payload['metadata'] == {}


def test_host_payload():
    _, event, payload = _sent('host', 'sid', 'compute-1', 'IN_MAINTENANCE')
    assert event == 'maintenance.host'
    assert payload == {'service': 'fenix', 'session_id': 'sid',
                       'host': 'compute-1', 'state': 'IN_MAINTENANCE',
                       'project_id': None}


def test_session_payload():
    _, event, payload = _sent('session', 'sid', 'MAINTENANCE_FAILED', 40,
                              reason='Project(s) p replied NACK_MAINTENANCE')
    assert event == 'maintenance.session'
    assert payload['percent_done'] == 40
    assert payload['reason'].startswith('Project(s) p')
