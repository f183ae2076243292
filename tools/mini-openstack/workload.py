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
"""Reset the mini OpenStack to a known workload (``harness.py workload``).

Runs with the harness venv's python (openstacksdk). Credentials come from
the stack facts file that ``harness.py start`` writes ($FENIX_OPENSTACK_STACK).

1. re-enables every nova-compute service and deletes every server;
2. makes sure image ``fenix-tiny`` (a few bytes: the fake driver never reads
   it) and flavor ``fenix.tiny`` (1 vCPU, 512 MB RAM, 1 GB disk) exist;
3. boots 3 servers as alice in projA and 3 as bob in projB (networks 'none'),
   one at a time so the scheduler spreads them over the hosts; if a host
   is still empty, admin live-migrates a server there, so that every
   compute host runs at least one server;
4. prints {server_id: {name, project_id, host}} as JSON on stdout.
"""

from collections import Counter
import io
import json
import os
import sys
import time

import openstack

# The last compute microversion whose os-hypervisors has vcpus/vcpus_used.
COMPUTE_MICROVERSION = '2.87'
IMAGE_NAME = 'fenix-tiny'
FLAVOR_NAME = 'fenix.tiny'
SERVERS_PER_PROJECT = 3
TIMEOUT = 180

_T0 = time.monotonic()


def log(msg):
    print(
        f'[{time.monotonic() - _T0:6.1f}s] workload: {msg}',
        file=sys.stderr,
        flush=True,
    )


def connect(stack, username, password, project_name):
    return openstack.connect(
        auth_url=stack['auth_url'],
        region_name=stack['region_name'],
        username=username,
        password=password,
        project_name=project_name,
        user_domain_name='Default',
        project_domain_name='Default',
        compute_api_version=COMPUTE_MICROVERSION,
        load_yaml_config=False,
        load_envvars=False,
    )


def wait_settled(admin, server_id, status='ACTIVE'):
    """Wait for status with no task in progress; fail fast on ERROR."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        server = admin.compute.get_server(server_id)
        if server.status == 'ERROR':
            raise RuntimeError(
                f'server {server.name} ({server_id}) went to ERROR: '
                f'{server.fault}'
            )
        if server.status == status and not server.task_state:
            return server
        time.sleep(0.5)
    raise TimeoutError(
        f'server {server_id} is {server.status}/{server.task_state}, '
        f'not {status} after {TIMEOUT}s'
    )


def reset(admin):
    for service in admin.compute.services(binary='nova-compute'):
        if service.status == 'disabled':
            log(f're-enabling nova-compute on {service.host}')
            admin.compute.enable_service(service)
    old = list(admin.compute.servers(all_projects=True))
    for server in old:
        admin.compute.delete_server(server, force=server.status == 'ERROR')
    for server in old:
        admin.compute.wait_for_delete(server, interval=0.5, wait=TIMEOUT)
    log(f'deleted {len(old)} existing servers')


def ensure_image(admin):
    for image in admin.image.images(name=IMAGE_NAME):
        if image.status == 'active':
            return image
        admin.image.delete_image(image)
    image = admin.image.create_image(
        name=IMAGE_NAME,
        disk_format='raw',
        container_format='bare',
        visibility='public',
        data=io.BytesIO(b'fenix-fake-image\n'),
        allow_duplicates=True,
    )
    log(f'uploaded image {IMAGE_NAME} ({image.id})')
    return image


def ensure_flavor(admin):
    flavor = admin.compute.find_flavor(FLAVOR_NAME)
    if flavor is None:
        flavor = admin.compute.create_flavor(
            name=FLAVOR_NAME, vcpus=1, ram=512, disk=1
        )
        log(f'created flavor {FLAVOR_NAME} ({flavor.id})')
    return flavor


def boot(stack, admin, image, flavor):
    tenants = []
    for user, creds in stack['users'].items():
        conn = connect(stack, user, creds['password'], creds['project_name'])
        tenants.append((creds['project_name'], conn))
    ids = []
    for i in range(SERVERS_PER_PROJECT):
        for project, conn in tenants:
            server = conn.compute.create_server(
                name=f'{project}-vm{i}',
                image_id=image.id,
                flavor_id=flavor.id,
                networks='none',
            )
            wait_settled(admin, server.id)
            ids.append(server.id)
    log(f'booted {len(ids)} servers')
    return ids


def servers_by_id(admin, ids):
    return {
        s.id: s
        for s in admin.compute.servers(all_projects=True)
        if s.id in ids
    }


def fill_empty_hosts(stack, admin, ids):
    """Live-migrate servers from the busiest hosts onto hosts left empty."""
    for empty in stack['compute_hosts']:
        hosts = {
            sid: s.compute_host for sid, s in servers_by_id(admin, ids).items()
        }
        if empty in hosts.values():
            continue
        busiest = Counter(hosts.values()).most_common(1)[0][0]
        sid = next(s for s, h in hosts.items() if h == busiest)
        log(f'{empty} is empty: live-migrating {sid} from {busiest}')
        admin.compute.live_migrate_server(
            sid, host=empty, block_migration='auto'
        )
        server = wait_settled(admin, sid)
        if server.compute_host != empty:
            raise RuntimeError(
                f'live migration of {sid} to {empty} ended on '
                f'{server.compute_host}'
            )


def main():
    with open(os.environ['FENIX_OPENSTACK_STACK']) as f:
        stack = json.load(f)
    a = stack['admin']
    admin = connect(stack, a['username'], a['password'], a['project_name'])
    reset(admin)
    image = ensure_image(admin)
    flavor = ensure_flavor(admin)
    ids = boot(stack, admin, image, flavor)
    fill_empty_hosts(stack, admin, ids)
    summary = {
        sid: {
            'name': s.name,
            'project_id': s.project_id,
            'host': s.compute_host,
        }
        for sid, s in servers_by_id(admin, ids).items()
    }
    log(
        'hosts: '
        + ', '.join(
            f'{h}={n}'
            for h, n in sorted(
                Counter(s['host'] for s in summary.values()).items()
            )
        )
    )
    json.dump(summary, sys.stdout, indent=2, sort_keys=True)
    print()


if __name__ == '__main__':
    main()
