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
"""Fenix behind real Keystone tokens, found through the catalog.

fenix-api runs with ``auth_strategy = keystone`` (keystonemiddleware,
service user ``fenix``); Fenix is registered in the harness's Keystone as
service type ``maintenance``. The app managers of projA (alice) and projB
(bob) find Fenix in the catalog and reply with their own tokens; the admin
drives the session with ``openstack maintenance`` and ordinary ``OS_*``
variables; members are refused the admin API and each other's parts.
"""

import json
import os
import subprocess
import sys
import uuid

import requests

from tests.e2e import stack as e2e

OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')


def osc(cloud, user, *args, timeout=120):
    """``openstack maintenance ...`` as ``user``; the finished process."""
    return subprocess.run(
        [OPENSTACK, 'maintenance', *args], env=e2e.os_env(cloud, user),
        capture_output=True, text=True, timeout=timeout,
        stdin=subprocess.DEVNULL)


def one_line_error(proc, *words):
    """A refused command: non-zero, one line naming ``words``, no trace."""
    assert proc.returncode != 0, proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert 'Traceback' not in proc.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_tokens_catalog_and_policy(cloud, admin, fenix):
    stack = fenix(keystone=True)
    projects = stack.projects
    alice = e2e.token_session(cloud, 'alice')
    bob = e2e.token_session(cloud, 'bob')
    sessions = stack.endpoint + '/v1/maintenance'

    # keystonemiddleware: no token, a made-up token.
    assert requests.get(sessions).status_code == 401
    bad = requests.get(sessions, headers={'X-Auth-Token': uuid.uuid4().hex})
    assert bad.status_code == 401
    # Version discovery and the health check stay public.
    assert requests.get(stack.endpoint + '/').status_code in (200, 300)
    assert requests.get(stack.endpoint + '/healthcheck').status_code == 200

    # The admin API is refused to a member, with Fenix's error body.
    for reply in (alice.get(sessions),
                  alice.post(sessions, json={'state': 'MAINTENANCE',
                                             'hosts': []})):
        assert reply.status_code == 403, reply.text
        assert reply.json()['error']['code'] == 403
    refused = osc(cloud, 'alice', 'session', 'list')
    one_line_error(refused, '403')

    # The admin, with an openrc's variables: the catalog leads to Fenix.
    created = osc(cloud, 'admin', 'session', 'create', '--metadata',
                  'openstack_version=Zed', '--action',
                  'plugin=dummy,type=host,order=1', '-f', 'json')
    assert created.returncode == 0, created.stderr
    sid = json.loads(created.stdout)['session_id']
    listed = osc(cloud, 'admin', 'session', 'list', '-f', 'value', '-c', 'ID')
    assert sid in listed.stdout.split(), listed

    # One project may not look at, nor answer for, another's part.
    part = '%s/%s/%s' % (sessions, sid, projects['alice'])
    assert alice.get(part).status_code == 200
    for reply in (bob.get(part),
                  bob.put(part, json={'state': 'ACK_MAINTENANCE'})):
        assert reply.status_code == 403, reply.text
    one_line_error(osc(cloud, 'bob', 'project', 'reply', sid,
                       projects['alice'], '--state', 'NACK_MAINTENANCE'),
                   '403')

    # Constraints: the owner sets them, another project is refused.
    server_id = next(i for i, s in e2e.servers(admin).items()
                     if s.project_id == projects['alice'])
    constraint = '%s/v1/instance/%s' % (stack.endpoint, server_id)
    body = {'project_id': projects['alice'], 'migration_type': 'MIGRATE',
            'max_interruption_time': 120}
    # Nova, asked with bob's token, does not show him alice's server.
    claimed = bob.put(constraint, json=dict(body, project_id=projects['bob']))
    assert claimed.status_code == 403, claimed.text
    assert 'not a server of project' in claimed.json()['error']['message']
    assert alice.put(constraint, json=body).status_code == 200
    assert bob.get(constraint).status_code == 403
    shown = osc(cloud, 'alice', 'instance', 'constraint', 'show', server_id,
                '-f', 'json')
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)['max_interruption_time'] == 120

    # The session ends with every host maintained; the watch says so.
    watched = osc(cloud, 'admin', 'session', 'show', sid, '--watch',
                  '--interval', '1', timeout=900)
    assert watched.returncode == 0, (watched.stdout[-2000:],
                                     watched.stderr, stack.why(sid))
    assert 'MAINTENANCE_DONE' in watched.stdout
    detail = stack.detail(sid)
    assert detail['state'] == 'MAINTENANCE_DONE', stack.why(sid)
    assert sorted(h['hostname'] for h in detail['hosts']
                  if h['maintained']) == sorted(cloud['compute_hosts'])
    # The app managers answered through the catalog with their own tokens.
    by = {p['project_id']: p['replied_by'] for p in detail['projects']}
    for user in e2e.USERS:
        assert by[projects[user]] == cloud['users'][user]['user_id'], by
        assert stack.replies(user, sid)[-1] == (
            'ACK_MAINTENANCE_COMPLETE')
    assert alice.delete(constraint).status_code in (200, 204)
    deleted = osc(cloud, 'admin', 'session', 'delete', sid)
    assert deleted.returncode == 0, deleted.stderr
    assert stack.http.get('%s/%s' % (sessions, sid)).status_code == 404
