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
"""The real mini OpenStack of tools/mini-openstack, for end-to-end tests.

Standard library only (no pytest at import time)::

    from tests.e2e import openstack as e2e_openstack

    stack = e2e_openstack.ensure_openstack()   # install + start, ~70 s cold
    servers = e2e_openstack.boot_workload()    # {id: {name, project_id, host}}

The cloud lives under $FENIX_OPENSTACK_HOME (default /var/tmp/fenix-openstack)
and stays up after the tests; ``tools/mini-openstack/harness.py stop`` ends it.
"""

import contextlib
import fcntl
import json
import os
from pathlib import Path
import subprocess
import sys

REPO = Path(__file__).resolve().parents[2]
HARNESS = REPO / 'tools' / 'mini-openstack' / 'harness.py'

INSTALL_TIMEOUT = 1800  # a cold pip install takes ~2 minutes
START_TIMEOUT = 900  # a cold start takes ~70 s
WORKLOAD_TIMEOUT = 600


class OpenStackUnavailable(RuntimeError):
    """The harness failed; the message carries the end of its output."""


def openstack_home():
    return Path(
        os.environ.get('FENIX_OPENSTACK_HOME', '/var/tmp/fenix-openstack')
    )


@contextlib.contextmanager
def _exclusive():
    """One caller at a time across processes (e.g. pytest-xdist workers)."""
    home = openstack_home()
    home.mkdir(parents=True, exist_ok=True)
    with open(home / 'e2e.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _harness(*args, timeout):
    """Run a harness subcommand; returns its stdout (its stderr is timing)."""
    try:
        proc = subprocess.run(
            [sys.executable, str(HARNESS), *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as e:
        raise OpenStackUnavailable(
            f'harness {" ".join(args)} timed out after {timeout}s'
        ) from e
    sys.stderr.write(proc.stderr)
    if proc.returncode:
        raise OpenStackUnavailable(
            f'harness {" ".join(args)} failed (exit {proc.returncode}):\n'
            f'{proc.stderr[-3000:]}'
        )
    return proc.stdout


def ensure_openstack():
    """Install (or reuse) the venv and start the cloud unless it is up.

    Returns the stack facts::

        {'auth_url': 'http://127.0.0.1:5000/v3', 'region_name': 'RegionOne',
         'admin': {'username': 'admin', 'password': 'admin',
                   'project_name': 'admin', 'project_id': ..., 'user_id': ...,
                   'user_domain_name': 'Default',
                   'project_domain_name': 'Default'},
         'projects': {'projA': <id>, 'projB': <id>},
         'users': {'alice': {'password': 'secret', 'project_name': 'projA',
                             'project_id': ..., 'user_id': ...,
                             'user_domain_name': 'Default',
                             'project_domain_name': 'Default'},
                   'bob': {... projB ...}},
         'compute_hosts': ['compute1', 'compute2', 'compute3', 'compute4'],
         'transport_url': <RabbitMQ URL of the OpenStack services>,
         'home': <$FENIX_OPENSTACK_HOME>,
         'python': <the venv's python, with openstacksdk and novaclient>}
    """
    with _exclusive():
        _harness('install', timeout=INSTALL_TIMEOUT)
        _harness('start', timeout=START_TIMEOUT)
        return json.loads(_harness('env', '--json', timeout=60))


def boot_workload():
    """Delete all servers, then boot 3 in projA (alice) and 3 in projB (bob).

    Every compute host ends with at least one server, and every nova-compute
    service is enabled. Returns {server_id: {'name', 'project_id', 'host'}}.
    """
    with _exclusive():
        return json.loads(_harness('workload', timeout=WORKLOAD_TIMEOUT))
