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
"""Fixtures of the end-to-end tests: the cloud, Nova as admin, Fenix."""

import pytest

from tests.e2e import openstack as harness
from tests.e2e import stack as e2e_stack


@pytest.fixture(scope='session')
def cloud():
    """The mini OpenStack's facts; installed and started when down."""
    return harness.ensure_openstack()


@pytest.fixture(scope='session')
def admin(cloud):
    """openstacksdk as the cloud admin."""
    return e2e_stack.connect(cloud, 'admin')


@pytest.fixture
def workload(cloud, admin):
    """A fresh workload: 3 servers of projA, 3 of projB, no empty host.

    The servers of the last test are reused when they are still the
    workload's (see :func:`tests.e2e.stack.reuse_workload`).
    """
    return (e2e_stack.reuse_workload(cloud, admin)
            or harness.boot_workload())


@pytest.fixture
def fenix(cloud, workload, tmp_path):
    """Start Fenix for one scenario: ``fenix(conf=, vnfms=, keystone=)``.

    See :class:`tests.e2e.stack.FenixStack` for the arguments. Everything
    it started is stopped (and its database dropped) after the test.
    """
    started = []

    def start(conf=None, vnfms=None, keystone=False):
        stack = e2e_stack.FenixStack(cloud, tmp_path, conf=conf,
                                     vnfms=vnfms, keystone=keystone)
        started.append(stack)
        return stack.start()

    yield start
    for stack in started:
        stack.stop()


def pytest_configure(config):
    # NOTE: openstacksdk warns about its own deprecations on every call.
    for category in ('DeprecationWarning', 'PendingDeprecationWarning'):
        config.addinivalue_line('filterwarnings',
                                'ignore::%s:openstack' % category)
