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
"""How Fenix behaves, shown against real Nova.

Each test runs fenix-api, fenix-engine and a fenix-sample-vnfm per project
(with its knobs) as processes over RabbitMQ and MariaDB, drives one or two
sessions over HTTP and checks the end against Nova itself (services,
servers, migration records) and against the session, the notifications and
the app managers' records. Run them one at a time: they share one cloud.
"""

import time

import requests

from tests.e2e import stack as e2e

DONE = 'MAINTENANCE_DONE'
FAILED = 'MAINTENANCE_FAILED'


def _assert_nova_tidy(admin, servers=None):
    """Every compute service enabled, every server ACTIVE (and the same)."""
    assert {s for s, _ in e2e.services(admin).values()} == {'enabled'}, (
        e2e.services(admin))
    now = e2e.servers(admin)
    assert {s.status for s in now.values()} == {'ACTIVE'}, {
        i: s.status for i, s in now.items()}
    if servers is not None:
        assert set(now) == set(servers)
    return now


def _by_project(found, project_id):
    return {i: s for i, s in found.items() if s.project_id == project_id}


def _failed_in(stack, sid):
    """The state the session was in when it failed."""
    seen = stack.session_states(sid)
    assert seen and seen[-1] == FAILED, seen
    return [s for s in seen if s != FAILED][-1]


# -- capacity: scale in, then out --------------------------------------------

def _two_hosts_of_both(admin, projects):
    """Two compute hosts that hold servers of every project, if any do."""
    where = {}
    for server in e2e.servers(admin).values():
        where.setdefault(server.compute_host, set()).add(server.project_id)
    hosts = sorted(e2e.services(admin))
    pairs = [(a, b) for n, a in enumerate(hosts) for b in hosts[n + 1:]]
    return list(next((p for p in pairs if where.get(p[0], set())
                      | where.get(p[1], set()) >= set(projects)),
                     pairs[0]))


def test_scale_in_then_scale_out(cloud, admin, fenix):
    """No host can be emptied: the projects scale in, then out again.

    The session covers two hosts, filled up by projA so that neither can
    take the other's servers; Fenix asks SCALE_IN, each app manager gives
    up one instance (projA a filler: the last by name), the hosts are
    maintained, and at MAINTENANCE_COMPLETE they scale back out.
    """
    stack = fenix(conf={'workflow': {'scale_in_reply_timeout': 60}})
    alice, bob = stack.projects['alice'], stack.projects['bob']
    hosts = _two_hosts_of_both(admin, (alice, bob))
    fillers = e2e.fill_hosts(cloud, admin, hosts, 'alice')
    assert sorted(fillers.values()) == hosts
    before = e2e.servers(admin)
    baseline = {p: sorted(s.name for s in _by_project(before, p).values())
                for p in (alice, bob)}
    asked = {u for u in e2e.USERS if any(
        s.compute_host in hosts
        for s in _by_project(before, stack.projects[u]).values())}
    since = e2e.utcnow()

    sid = stack.create(hosts=hosts)
    session = stack.wait(sid, timeout=600)
    assert session['state'] == DONE, stack.why(sid)
    assert 'SCALE_IN' in stack.session_states(sid)

    # Each project with servers there was asked to scale in, deleted one
    # instance per round and later scaled back out to the count it had.
    removed = {}
    for user in asked:
        told = stack.scheduled(sid, user)
        assert 'SCALE_IN' in told, told
        assert told.index('SCALE_IN') < told.index('MAINTENANCE_COMPLETE')
        record = stack.record(user, sid)
        notes = [r for r in record if r.get('state') == 'SCALE_IN']
        assert notes[0]['allowed_actions'] == []
        assert notes[0]['instance_ids'].endswith(
            '/v1/maintenance/%s/%s' % (sid, stack.projects[user]))
        acks = [r for r in record if r.get('replied') == 'ACK_SCALE_IN']
        assert len(acks) == told.count('SCALE_IN'), record
        removed[user] = [i for a in acks for i in a['removed']]
        assert removed[user], record
        complete = [r for r in record
                    if r.get('replied') == 'ACK_MAINTENANCE_COMPLETE']
        assert len(complete[-1]['created']) == len(removed[user])
    assert stack.record('alice', sid)[0]['state'] == 'MAINTENANCE'
    assert set(fillers) & set(removed['alice']), 'a filler went first'
    # Nova: the scaled-in servers are gone, as many (same names) are back.
    after = _assert_nova_tidy(admin)
    for user in asked:
        for iid in removed[user]:
            assert iid in before and iid not in after
    for project_id, names in baseline.items():
        assert sorted(s.name for s in _by_project(after, project_id)
                      .values()) == names
    assert {m.server_id for m in e2e.migrations(admin, since)} <= set(
        before), 'only servers of the start were migrated'
    detail = stack.detail(sid)
    assert sorted(h['hostname'] for h in detail['hosts']
                  if h['maintained']) == hosts


# -- a NACK ------------------------------------------------------------------

def test_nack_fails_the_session_naming_the_project(admin, fenix):
    """projB refuses to have its instances moved."""
    stack = fenix(vnfms={'alice': {}, 'bob': {
        'nack': ['PREPARE_MAINTENANCE', 'PLANNED_MAINTENANCE']}})
    bob = stack.projects['bob']
    before = e2e.servers(admin)
    since = e2e.utcnow()

    sid = stack.create()
    session = stack.wait(sid, timeout=900)
    assert session['state'] == FAILED, stack.why(sid)
    nacked = [r for r in stack.replies('bob', sid) if r.startswith('NACK')]
    assert len(nacked) == 1, stack.record('bob', sid)
    state = nacked[0][len('NACK_'):]
    assert session['reason'] == 'Project(s) %s replied NACK_%s' % (
        bob, state), session
    assert _failed_in(stack, sid) == state
    assert stack.replies('alice', sid)[0] == 'ACK_MAINTENANCE'
    # Nova: none of projB's servers moved; every server is ACTIVE.
    after = e2e.servers(admin)
    assert set(after) == set(before)
    assert {s.status for s in after.values()} == {'ACTIVE'}
    for iid, server in _by_project(before, bob).items():
        assert after[iid].compute_host == server.compute_host
    assert not e2e.migrations(admin, since, set(_by_project(before, bob)))
    assert 'MAINTENANCE_COMPLETE' not in stack.scheduled(sid, 'bob')


# -- a reply timeout ---------------------------------------------------------

def test_reply_timeout_fails_the_session(admin, fenix):
    """projB never answers MAINTENANCE; Fenix gives up at reply_at."""
    timeout = 15
    stack = fenix(conf={'workflow': {'reply_timeout': timeout}},
                  vnfms={'alice': {}, 'bob': {'silent': ['MAINTENANCE']}})
    bob = stack.projects['bob']
    before = e2e.servers(admin)
    since = e2e.utcnow()

    with e2e.ServiceWatch(admin) as watch:
        started = time.monotonic()
        sid = stack.create()
        session = stack.wait(sid, timeout=300)
        took = time.monotonic() - started
    assert session['state'] == FAILED, stack.why(sid)
    assert session['reason'].startswith(
        'No reply to MAINTENANCE from project(s) %s by ' % bob), session
    assert timeout - 1 <= took < timeout + 30, took
    assert [r['silent'] for r in stack.record('bob', sid)
            if 'silent' in r] == ['MAINTENANCE']
    assert stack.replies('bob', sid) == []
    assert stack.replies('alice', sid) == ['ACK_MAINTENANCE']
    # Nova: untouched.
    assert watch.disabled == {}
    after = _assert_nova_tidy(admin, before)
    assert {i: s.compute_host for i, s in after.items()} == {
        i: s.compute_host for i, s in before.items()}
    assert not e2e.migrations(admin, since)


# -- a project that does not take part ---------------------------------------

def test_project_that_does_not_take_part(cloud, admin, fenix):
    """Only projA subscribes; projB's instances are migrated silently."""
    alice = cloud['users']['alice']['project_id']
    stack = fenix(conf={'workflow': {
        'subscription': 'listed', 'subscribed_projects': [alice],
        'default_instance_action': 'MIGRATE'}})
    bob = stack.projects['bob']
    before = e2e.servers(admin)
    since = e2e.utcnow()

    sid = stack.create()
    session = stack.wait(sid, timeout=900)
    assert session['state'] == DONE, stack.why(sid)
    # projB was never told anything; projA took part all along.
    assert stack.scheduled(sid, 'bob') == []
    assert stack.record('bob') == []
    told = stack.scheduled(sid, 'alice')
    assert told[0] == 'MAINTENANCE' and told[-1] == 'MAINTENANCE_COMPLETE'
    detail = stack.detail(sid)
    subscribed = {p['project_id']: p['subscribed']
                  for p in detail['projects']}
    assert subscribed == {alice: True, bob: False}, detail['projects']
    # Nova: projB's servers were cold-migrated all the same.
    _assert_nova_tidy(admin, before)
    moved = e2e.migrations(admin, since, set(_by_project(before, bob)))
    assert {m.server_id for m in moved} == set(_by_project(before, bob))
    assert {m.migration_type for m in moved} == {'migration'}
    assert {m.status for m in moved} == {'confirmed'}
    for row in detail['instances']:
        if row['project_id'] == bob:
            assert row['action'] == 'MIGRATE', row


# -- the instance actions ----------------------------------------------------

def test_live_migrate_reply(admin, fenix):
    """projA answers LIVE_MIGRATE, projB MIGRATE: Nova shows which."""
    stack = fenix(vnfms={'alice': {'action': 'LIVE_MIGRATE'},
                         'bob': {'action': 'MIGRATE'}})
    alice, bob = stack.projects['alice'], stack.projects['bob']
    before = e2e.servers(admin)
    since = e2e.utcnow()

    sid = stack.create()
    session = stack.wait(sid, timeout=900)
    assert session['state'] == DONE, stack.why(sid)
    after = _assert_nova_tidy(admin, before)
    kinds = {}
    for m in e2e.migrations(admin, since):
        kinds.setdefault(after[m.server_id].project_id, set()).add(
            (m.migration_type, m.status))
    assert kinds == {alice: {('live-migration', 'completed')},
                     bob: {('migration', 'confirmed')}}, kinds
    for user, action in (('alice', 'LIVE_MIGRATE'), ('bob', 'MIGRATE')):
        for line in stack.record(user, sid):
            if line.get('instance_actions'):
                assert set(line['instance_actions'].values()) == {action}
    rows = stack.detail(sid)['instances']
    assert {r['action'] for r in rows if r['project_id'] == alice} == {
        'LIVE_MIGRATE'}
    assert {r['action'] for r in rows if r['project_id'] == bob} == {
        'MIGRATE'}


def test_own_action_reply(admin, fenix):
    """projA re-creates its instances itself, under the same names."""
    stack = fenix(vnfms={'alice': {'action': 'OWN_ACTION'}, 'bob': {}})
    alice, bob = stack.projects['alice'], stack.projects['bob']
    before = e2e.servers(admin)
    names = sorted(s.name for s in _by_project(before, alice).values())
    since = e2e.utcnow()

    sid = stack.create()
    session = stack.wait(sid, timeout=900)
    assert session['state'] == DONE, stack.why(sid)
    after = _assert_nova_tidy(admin)
    mine = _by_project(after, alice)
    # Nova: projA's servers are new ones with the old names; none of them
    # was migrated by Fenix. projB's are the same servers, migrated.
    assert sorted(s.name for s in mine.values()) == names
    assert not set(mine) & set(before)
    assert set(_by_project(after, bob)) == set(_by_project(before, bob))
    migrated = {m.server_id for m in e2e.migrations(admin, since)}
    assert not migrated & (set(mine) | set(_by_project(before, alice)))
    assert migrated & set(_by_project(before, bob))
    # Fenix recorded who replaced whom; the VNFM did the same.
    replaced = {}
    for line in stack.record('alice', sid):
        replaced.update(line.get('replaced') or {})
    assert set(_by_project(before, alice)) <= set(replaced)
    rows = {r['instance_id']: r for r in stack.detail(sid)['instances']}
    for old, new in replaced.items():
        assert rows[old]['action'] == 'OWN_ACTION', rows[old]
        assert (rows[old].get('details') or {}).get('replaced_by') == new
    # What Nova runs now are copies the VNFM made.
    assert set(mine) <= set(replaced.values())


# -- a failing host action, continued ----------------------------------------

def test_failing_script_then_continue(admin, fenix, tmp_path):
    """A host action fails until a marker exists; the admin continues."""
    marker = tmp_path / 'marker'
    stack = fenix()
    before = e2e.servers(admin)
    command = ['/bin/sh', '-c',
               'test -e %s && exit 0; echo boom; exit 3' % marker]
    sid = stack.create(actions=[{
        'plugin': 'script', 'type': 'host', 'order': 1,
        'metadata': {'command': command}}])
    session = stack.wait(sid, timeout=900)
    assert session['state'] == FAILED, stack.why(sid)
    state = _failed_in(stack, sid)
    runs = stack.detail(sid)['action_plugin_instances']
    failed = [r for r in runs if r['state'] == 'FAILED']
    assert len(failed) == 1 and failed[0]['plugin'] == 'script', runs
    assert 'boom' in (failed[0]['output'] or ''), failed[0]
    host = failed[0]['hostname']
    # E.g. "Action plug-in script (host) failed on host compute1: exit
    # status 3: boom".
    reason = session['reason']
    for part in ('script', host, 'exit status 3', 'boom'):
        assert part in reason, reason

    marker.touch()
    reply = requests.put(stack.url(sid), json={'state': state})
    assert reply.status_code == 200, reply.text
    session = stack.wait(sid, timeout=900)
    assert session['state'] == DONE, stack.why(sid)
    assert session['reason'] in (None, ''), session
    # Only a failed session can be continued.
    reply = requests.put(stack.url(sid), json={'state': state})
    assert reply.status_code == 422, reply.text
    detail = stack.detail(sid)
    assert all(h['maintained'] for h in detail['hosts']), detail['hosts']
    # One run per host, all DONE now, the failed one included.
    runs = detail['action_plugin_instances']
    assert sorted(r['hostname'] for r in runs) == sorted(
        h['hostname'] for h in detail['hosts']), runs
    assert {r['state'] for r in runs} == {'DONE'}, runs
    assert host in {r['hostname'] for r in runs}
    _assert_nova_tidy(admin, before)


# -- the admin stops a session -----------------------------------------------

def test_delete_mid_run(admin, fenix):
    """The admin deletes a running session: it stops, Nova is tidy."""
    stack = fenix()
    before = e2e.servers(admin)
    sid = stack.create()
    stack.wait_for('a maintained host', lambda: [
        p for _, p in stack.observer.of(sid, 'maintenance.host')
        if p['state'] == 'MAINTENANCE_COMPLETE'], timeout=600)

    reply = requests.delete(stack.url(sid))
    assert reply.status_code == 200, reply.text
    answer = reply.json()
    assert answer['session_id'] == sid and answer['stopped'] is True, answer
    assert answer['state'] == FAILED, answer
    left = answer['left']
    assert left['hosts_maintained'], left
    assert left['hosts_not_maintained'], left
    assert not left['hosts_left_disabled'], left
    assert set(left['hosts_maintained']) | set(
        left['hosts_not_maintained']) == set(e2e.services(admin))
    assert left['instances_moved'] >= 1, left
    session = stack.get(sid)
    assert session['state'] == FAILED
    assert session['reason'].startswith('Stopped by the admin'), session
    # Nova: every host enabled again, every server there and ACTIVE.
    _assert_nova_tidy(admin, before)
    time.sleep(3)
    assert 'MAINTENANCE_COMPLETE' not in stack.scheduled(sid, 'alice')
    # A stopped session is deleted for good by a second DELETE.
    assert requests.delete(stack.url(sid)).status_code == 200
    assert requests.get(stack.url(sid)).status_code == 404


# -- sessions side by side ---------------------------------------------------

def test_two_sessions_at_once_and_an_overlap(admin, fenix):
    """Two sessions on disjoint hosts run together; an overlap is a 409."""
    stack = fenix()
    hosts = sorted(e2e.services(admin))
    first, second = hosts[:2], hosts[2:]
    before = e2e.servers(admin)
    with e2e.ServiceWatch(admin) as watch:
        one = stack.create(hosts=first)
        two = stack.create(hosts=second)
        for overlap in ([first[1]], [first[0], second[0]]):
            reply = stack.post(hosts=overlap)
            assert reply.status_code == 409, reply.text
            assert overlap[0] in reply.text
        ended = {sid: stack.wait(sid, timeout=900) for sid in (one, two)}
    for sid, session in ended.items():
        assert session['state'] == DONE, stack.why(sid)
    # They ran at the same time: the second was notified about before
    # the first ended.
    events = stack.observer.events
    first_of_two = next(n for n, (_, p) in enumerate(events)
                        if p.get('session_id') == two)
    end_of_one = max(n for n, (_, p) in enumerate(events)
                     if p.get('session_id') == one)
    assert first_of_two < end_of_one
    assert set(watch.disabled) == set(hosts)
    for sid, mine in ((one, first), (two, second)):
        detail = stack.detail(sid)
        assert sorted(h['hostname'] for h in detail['hosts']) == mine
        assert all(h['maintained'] for h in detail['hosts'])
        for host in mine:
            assert stack.host_states(sid, host) == [
                'IN_MAINTENANCE', 'MAINTENANCE_COMPLETE']
        # Projects with servers on the session's hosts take part in it.
        for user in e2e.USERS:
            if any(s.compute_host in mine for s in _by_project(
                    before, stack.projects[user]).values()):
                assert stack.replies(user, sid)[-1] == (
                    'ACK_MAINTENANCE_COMPLETE')
            else:
                assert not stack.replies(user, sid)
    _assert_nova_tidy(admin, before)
