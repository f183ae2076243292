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
"""doc/source/cli/index.rst documents every command and option."""

import importlib.metadata
import os
import types

from osc_lib.command import command
import pytest

DOC = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'doc',
                   'source', 'cli', 'index.rst')
GROUP = 'openstack.maintenance.v1'
BASES = (command.Lister, command.ShowOne, command.Command)


def _entry_points():
    return sorted(importlib.metadata.entry_points(group=GROUP),
                  key=lambda ep: ep.name)


def _options(cls):
    app = types.SimpleNamespace()
    parser = cls(app, None).get_parser('test')
    return {o for action in parser._actions for o in action.option_strings}


def _own_options(cls):
    base = next(b for b in cls.__mro__ if b in BASES)
    plain = type('Plain', (base,), {'__module__': __name__,
                                    'take_action': lambda self, a: None})
    return _options(cls) - _options(plain)


@pytest.fixture(scope='module')
def doc():
    with open(DOC) as f:
        return f.read()


def test_every_command_is_registered():
    assert len(_entry_points()) == 13


@pytest.mark.parametrize('ep', _entry_points(), ids=lambda ep: ep.name)
def test_command_documented(doc, ep):
    name = 'openstack ' + ep.name.replace('_', ' ')
    assert '\n%s\n%s\n' % (name, '-' * len(name)) in doc, name
    for option in _own_options(ep.load()):
        assert option in doc, '%s %s' % (name, option)


def test_global_options_documented(doc):
    for option in ('--os-maintenance-endpoint',
                   '--os-maintenance-api-version',
                   'OS_MAINTENANCE_ENDPOINT'):
        assert option in doc
