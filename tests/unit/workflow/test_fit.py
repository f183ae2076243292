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
"""Placement of instances on hosts with room (vCPUs and RAM)."""

from fenix.workflow.workflows import default


def test_fits_by_vcpus_and_ram():
    hosts = {'a': [4, 8192], 'b': [2, 8192]}
    placement = default.fit([('i1', 2, 4096), ('i2', 2, 4096),
                             ('i3', 2, 2048)], hosts)
    assert placement is not None
    used = {}
    for iid, host in placement.items():
        used.setdefault(host, []).append(iid)
    # b has RAM for both 4 GiB instances but vCPUs for only one.
    assert sorted(used['a']) == ['i1', 'i3'] and used['b'] == ['i2']
    assert hosts == {'a': [4, 8192], 'b': [2, 8192]}
    # With less RAM on a, the three no longer fit anywhere.
    assert default.fit([('i1', 2, 4096), ('i2', 2, 4096), ('i3', 2, 2048)],
                       {'a': [4, 4096], 'b': [2, 8192]}) is None


def test_does_not_fit():
    assert default.fit([('i1', 3, 512)], {'a': [2, 4096],
                                          'b': [2, 4096]}) is None
    assert default.fit([('i1', 1, 5000)], {'a': [8, 4096]}) is None


def test_hosts_of_different_sizes():
    placement = default.fit([('big', 8, 16384), ('small', 1, 512)],
                            {'small-host': [2, 2048],
                             'big-host': [8, 16384]})
    assert placement == {'big': 'big-host', 'small': 'small-host'}


def test_nothing_to_place():
    assert default.fit([], {}) == {}


def test_server_group_members_kept_apart():
    hosts = {'a': [8, 8192, {'g1'}], 'b': [8, 8192, set()],
             'c': [8, 8192, set()]}
    placement = default.fit([('i1', 1, 512, 'g1'), ('i2', 1, 512, 'g1')],
                            hosts)
    assert sorted(placement.values()) == ['b', 'c']
    assert hosts['a'][2] == {'g1'}
    assert default.fit([('i1', 1, 512, 'g1'), ('i2', 1, 512, 'g1')],
                       {'a': [8, 8192], 'b': [8, 8192, {'g1'}]}) is None
