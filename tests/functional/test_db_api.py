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
"""The database API on SQLite, MariaDB and PostgreSQL."""

import datetime
import threading
import uuid

import pytest

from fenix.common import exception
from fenix.common import states
from fenix.db import api as db
from tests.functional import conftest

NOW = datetime.datetime(2030, 1, 1, 12, 0, 0)


def _session(hosts=(), **values):
    session = {'id': str(uuid.uuid4()), 'state': states.MAINTENANCE,
               'workflow': 'default', 'maintenance_at': NOW,
               'requested_hosts': list(hosts),
               'metadata': {'openstack_version': 'Zed'}, 'download': [],
               'progress': {}}
    session.update(values)
    return session


@conftest.all_backends
def test_session_round_trip(synced_db):
    created = db.session_create(
        _session(['h1', 'h2']),
        actions=[{'plugin': 'dummy', 'type': 'host', 'order': 2,
                  'metadata': {'k': 'v'}},
                 {'plugin': 'dummy', 'type': 'pre', 'order': 1,
                  'metadata': {}}])
    got = db.session_get(created['id'])
    assert got['metadata'] == {'openstack_version': 'Zed'}
    assert got['requested_hosts'] == ['h1', 'h2']
    assert got['maintenance_at'] == NOW
    assert db.session_list() == [created['id']]
    actions = db.action_plugin_list(created['id'])
    assert [(a['type'], a['order']) for a in actions] == [('pre', 1),
                                                          ('host', 2)]
    assert actions[1]['metadata'] == {'k': 'v'}


@conftest.all_backends
def test_session_limits(synced_db):
    first = db.session_create(_session(['h1']), max_sessions=2)
    with pytest.raises(exception.HostInUse) as e:
        db.session_create(_session(['h2', 'h1']), max_sessions=2)
    assert 'h1' in e.value.message and first['id'] in e.value.message
    db.session_create(_session(['h2']), max_sessions=2)
    with pytest.raises(exception.TooManySessions):
        db.session_create(_session(['h3']), max_sessions=2)
    # A finished session holds no hosts and does not count.
    db.session_update(first['id'], state=states.MAINTENANCE_DONE)
    db.session_create(_session(['h1']), max_sessions=2)


@conftest.all_backends
def test_generation_compare_and_swap(synced_db):
    session = db.session_create(_session())
    db.session_update(session['id'], expected_generation=0,
                      state=states.MAINTENANCE_FAILED)
    with pytest.raises(exception.ConcurrentUpdate):
        db.session_update(session['id'], expected_generation=0,
                          state=states.MAINTENANCE)
    assert db.session_get(session['id'])['generation'] == 1
    with pytest.raises(exception.SessionNotFound):
        db.session_update(str(uuid.uuid4()), state=states.MAINTENANCE)


@conftest.all_backends
def test_leases(synced_db):
    sid = db.session_create(_session())['id']
    later = NOW + datetime.timedelta(seconds=30)
    assert db.session_claim(sid, 'engine-a', later, now=NOW)
    assert not db.session_claim(sid, 'engine-b', later, now=NOW)
    assert db.sessions_to_run('engine-b', now=NOW) == []
    assert db.sessions_to_run('engine-a', now=NOW) == [sid]
    # engine-a dies: once its lease ran out engine-b takes over.
    after = later + datetime.timedelta(seconds=1)
    assert db.sessions_to_run('engine-b', now=after) == [sid]
    assert db.session_claim(sid, 'engine-b', after, now=after)
    assert db.session_renew_leases('engine-a', [sid], after) == []
    assert db.session_renew_leases('engine-b', [sid], after) == [sid]
    with pytest.raises(exception.ConcurrentUpdate):
        db.session_update(sid, owner='engine-a', percent_done=5)
    db.session_release(sid, 'engine-b')
    assert db.session_get(sid)['owner'] is None


@conftest.all_backends
def test_only_one_claim_wins(synced_db):
    sid = db.session_create(_session())['id']
    until = NOW + datetime.timedelta(seconds=30)
    wins = []

    def claim(name):
        if db.session_claim(sid, name, until, now=NOW):
            wins.append(name)

    threads = [threading.Thread(target=claim, args=('e%d' % i,))
               for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    assert db.session_get(sid)['owner'] == wins[0]


@conftest.all_backends
def test_replies(synced_db):
    sid = db.session_create(_session())['id']
    db.projects_create(sid, [{'project_id': 'pa', 'subscribed': True},
                             {'project_id': 'pb', 'subscribed': True}])
    db.instances_create(sid, [
        {'instance_id': 'i1', 'instance_name': 'vm1', 'project_id': 'pa',
         'host': 'h1', 'vcpus': 1, 'memory_mb': 512},
        {'instance_id': 'i2', 'instance_name': 'vm2', 'project_id': 'pb',
         'host': 'h1', 'vcpus': 1, 'memory_mb': 512}])
    with pytest.raises(exception.InvalidState):
        db.project_reply(sid, 'pa', 'ACK_MAINTENANCE', 'user')
    db.projects_notify(sid, ['pa', 'pb'], states.PLANNED_MAINTENANCE,
                       NOW, instance_ids={'pa': ['i1'], 'pb': ['i2']})
    assert db.project_get(sid, 'pa')['instance_ids'] == ['i1']
    with pytest.raises(exception.InvalidState) as e:
        db.project_reply(sid, 'pa', 'ACK_MAINTENANCE', 'user')
    assert 'PLANNED_MAINTENANCE' in e.value.message
    db.project_reply(sid, 'pa', 'ACK_PLANNED_MAINTENANCE', 'alice',
                     instance_actions={'i1': states.LIVE_MIGRATE}, now=NOW)
    project = db.project_get(sid, 'pa')
    assert (project['reply'], project['replied_by']) == (
        'ACK_PLANNED_MAINTENANCE', 'alice')
    assert db.instance_list(sid, project_id='pa')[0]['action'] == (
        states.LIVE_MIGRATE)
    # pa may not give actions for pb's instance.
    with pytest.raises(exception.InstanceNotFound):
        db.project_reply(sid, 'pa', 'ACK_PLANNED_MAINTENANCE', 'alice',
                         instance_actions={'i2': states.MIGRATE})
    assert db.instance_list(sid, project_id='pb')[0]['action'] is None
    db.instance_reply(sid, 'pb', 'i2', 'ACK_PLANNED_MAINTENANCE', 'bob',
                      action=states.MIGRATE)
    assert db.instance_list(sid, project_id='pb')[0]['action'] == (
        states.MIGRATE)
    with pytest.raises(exception.ProjectNotFound):
        db.project_reply(sid, 'pc', 'ACK_PLANNED_MAINTENANCE', 'x')
    with pytest.raises(exception.SessionNotFound):
        db.project_reply(str(uuid.uuid4()), 'pa', 'ACK_MAINTENANCE', 'x')


@conftest.all_backends
def test_delete_removes_every_row(synced_db):
    sid = db.session_create(_session(),
                            actions=[{'plugin': 'dummy', 'type': 'post',
                                      'order': 0, 'metadata': {}}])['id']
    db.hosts_create(sid, [{'hostname': 'h1', 'type': 'compute',
                           'vcpus': 4, 'memory_mb': 4096}])
    db.projects_create(sid, [{'project_id': 'pa', 'subscribed': True}])
    db.instances_create(sid, [{'instance_id': 'i1', 'project_id': 'pa',
                               'host': 'h1', 'vcpus': 1,
                               'memory_mb': 512}])
    run = db.action_run_start(sid, 'dummy', 'post')
    db.action_run_finish(run['id'], states.ACTION_DONE, output='ok')
    db.history_add(sid, states.MAINTENANCE, 'discover', 'ok')
    db.session_delete(sid)
    with pytest.raises(exception.SessionNotFound):
        db.session_get(sid)
    assert db.host_list(sid) == []
    assert db.instance_list(sid) == []
    assert db.history_list(sid) == []
    assert db.action_run_list(sid) == []


@conftest.all_backends
def test_constraints(synced_db):
    iid, gid = str(uuid.uuid4()), str(uuid.uuid4())
    stored = db.instance_constraint_put({
        'instance_id': iid, 'project_id': 'pa', 'group_id': gid,
        'instance_name': 'vm1', 'migration_type': 'LIVE_MIGRATE',
        'max_interruption_time': 120, 'resource_mitigation': True,
        'lead_time': 60})
    assert stored['lead_time'] == 60
    db.instance_constraint_put(dict(stored, lead_time=30))
    assert db.instance_constraint_get(iid)['lead_time'] == 30
    db.instance_constraint_delete(iid)
    with pytest.raises(exception.InstanceConstraintNotFound):
        db.instance_constraint_get(iid)
    db.instance_group_put({'group_id': gid, 'project_id': 'pa',
                           'group_name': 'g', 'anti_affinity_group': True,
                           'max_instances_per_host': 1,
                           'max_impacted_members': 1, 'recovery_time': 10,
                           'resource_mitigation': False})
    assert db.instance_group_get(gid)['anti_affinity_group'] is True
    db.instance_group_delete(gid)
    with pytest.raises(exception.InstanceGroupNotFound):
        db.instance_group_delete(gid)
