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
"""Runs an ``openstack maintenance`` command against requests-mock.

The command gets a real :class:`fenix.client.v1.client.Client` on a
keystoneauth session; only HTTP is mocked.
"""

import io
import json
import types

from keystoneauth1 import session as ks_session
import pytest
import yaml

from fenix.client.v1 import client as fenix_client

ENDPOINT = 'http://fenix.test:12347'
SESSION = '6f5a3f0e-3c1b-4f4e-9a53-1b8f3c1d2e01'
SESSION_2 = '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d'
PROJECT = 'b5d1f3c2a4e64c5f9f0e1d2c3b4a5968'
INSTANCE = '0c4f3e2d-1b0a-4c9d-8e7f-6a5b4c3d2e1f'
GROUP = '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a'


class Result:

    def __init__(self, code, stdout):
        self.code = code
        self.stdout = stdout

    def json(self):
        return json.loads(self.stdout)

    def yaml(self):
        return yaml.safe_load(self.stdout)


@pytest.fixture
def run():
    """run(CommandClass, argv) -> Result (exit code and stdout)."""

    def run(command_class, argv):
        client = fenix_client.Client(session=ks_session.Session(),
                                     endpoint_override=ENDPOINT)
        app = types.SimpleNamespace(
            client_manager=types.SimpleNamespace(maintenance=client),
            stdout=io.StringIO(), stderr=io.StringIO(), stdin=io.StringIO(),
            options=types.SimpleNamespace(debug=False))
        command = command_class(app, None)
        parser = command.get_parser('openstack maintenance test')
        code = command.run(parser.parse_args(argv))
        return Result(code, app.stdout.getvalue())

    return run


def session_view(session_id=SESSION, state='PLANNED_MAINTENANCE',
                 percent=50, **more):
    view = {'session_id': session_id, 'state': state,
            'workflow': 'default', 'maintenance_at': '2030-01-01 10:00:00',
            'percent_done': percent, 'reason': None,
            'metadata': {'openstack_version': 'Zed'},
            'created_at': '2030-01-01 09:59:00',
            'updated_at': '2030-01-01 10:05:00', 'stop_requested': False,
            'waiting_for': None, 'wait_until': None}
    view.update(more)
    return view
