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
"""A whole session against real Nova, every part its own process.

fenix-api and fenix-engine run as separate processes over RabbitMQ and
MariaDB with the nova driver; two fenix-sample-vnfm processes answer for
projA and projB with their users' credentials. The test drives the session
over HTTP and checks the outcome against Nova itself. No host is empty at
the start, so Fenix has to empty the first one (PREPARE_MAINTENANCE).
"""

from tests.e2e import stack as e2e


def test_whole_session_against_nova(admin, fenix):
    stack = fenix()
    hosts = set(e2e.services(admin))
    before = {i: s.compute_host for i, s in e2e.servers(admin).items()}
    assert set(before.values()) == hosts, 'no empty host at the start'

    with e2e.ServiceWatch(admin) as watch:
        sid = stack.create()
        session = stack.wait(sid, timeout=900)
    assert session['state'] == 'MAINTENANCE_DONE', stack.why(sid)

    # Nova: every compute service was disabled by us and is enabled again.
    assert set(watch.disabled) == hosts
    assert set(watch.disabled.values()) == {'maintenance by fenix'}
    assert {s for s, _ in e2e.services(admin).values()} == {'enabled'}
    # Nova: every server is still there and ACTIVE.
    after = e2e.servers(admin)
    assert set(after) == set(before)
    assert {s.status for s in after.values()} == {'ACTIVE'}
    moved = [i for i in before if after[i].compute_host != before[i]]
    assert moved, 'instances were migrated off their hosts'

    detail = stack.detail(sid)
    assert sorted(h['hostname'] for h in detail['hosts']
                  if h['maintained']) == sorted(hosts)

    # Notifications arrived, in order.
    assert stack.session_states(sid)[-1] == 'MAINTENANCE_DONE'
    assert 'PREPARE_MAINTENANCE' in stack.session_states(sid)
    for host in hosts:
        assert stack.host_states(sid, host) == ['IN_MAINTENANCE',
                                                'MAINTENANCE_COMPLETE']
    for user in e2e.USERS:
        told = stack.scheduled(sid, user)
        assert told[0] == 'MAINTENANCE' and told[-1] == (
            'MAINTENANCE_COMPLETE'), told
        replied = stack.replies(user, sid)
        assert replied[0] == 'ACK_MAINTENANCE'
        assert replied[-1] == 'ACK_MAINTENANCE_COMPLETE'
