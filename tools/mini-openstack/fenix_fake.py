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
"""Fake virt driver for the Fenix mini OpenStack.

Nova loads compute drivers as ``nova.virt.<module>.<class>``, so
``harness.py install`` links this file into the venv's ``nova/virt/`` and
nova.conf sets ``compute_driver = fenix_fake.RestartableFakeDriver``.

Like nova's MediumFakeDriver (10 vCPU, 8 GiB RAM, ~1 TB disk per host), but
based on FakeDriverWithoutFakeNodes, which keeps the compute node UUID in the
compute's ``state_path``: MediumFakeDriver makes a new node identity in every
process, and a restarted nova-compute then refuses to start ("No local node
identity found, but this is not our first startup").
"""
from nova.virt import fake


class RestartableFakeDriver(fake.FakeDriverWithoutFakeNodes):
    vcpus = 10
    memory_mb = 8192
    local_gb = 1028
