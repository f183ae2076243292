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
"""The devstack plug-in: bashate-clean, and every option it sets is real.

Devstack itself is not run here; these checks catch a plug-in that no
longer matches the code (a renamed option, a lost console script).
"""

import configparser
import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
DEVSTACK = os.path.join(ROOT, 'devstack')
SCRIPTS = [os.path.join(DEVSTACK, name)
           for name in ('plugin.sh', os.path.join('lib', 'fenix'),
                        'settings')]
SAMPLE = os.path.join(ROOT, 'etc', 'fenix', 'fenix.conf.sample')

# Groups that libraries register and that the sample may not list.
LIBRARY_GROUPS = re.compile(
    r'^(keystone_authtoken|database|oslo_messaging_\w+|oslo_concurrency'
    r'|oslo_middleware|oslo_policy|cors|healthcheck)$')

# iniset $FENIX_CONF <section> <option> ... (also "$FENIX_CONF", ${...})
INISET = re.compile(
    r'^\s*iniset\s+"?\$\{?FENIX_CONF\}?"?\s+(\S+)\s+(\S+)', re.M)


def _bashate():
    exe = os.path.join(os.path.dirname(sys.executable), 'bashate')
    return exe if os.path.exists(exe) else shutil.which('bashate')


def _sample_options():
    """{section: {option, ...}} of the commented-out sample."""
    options = {}
    section = None
    with open(SAMPLE) as sample:
        for line in sample:
            match = re.match(r'^\[(\S+)\]\s*$', line)
            if match:
                section = match.group(1)
                options.setdefault(section, set())
                continue
            match = re.match(r'^#?([a-z0-9_]+) = ', line)
            if match and section:
                options[section].add(match.group(1))
    return options


def _inisets():
    with open(os.path.join(DEVSTACK, 'lib', 'fenix')) as lib:
        return INISET.findall(lib.read())


def test_scripts_exist():
    for path in SCRIPTS:
        assert os.path.isfile(path), path


def test_bashate_clean():
    exe = _bashate()
    if exe is None:
        pytest.skip('bashate is not installed (see test-requirements.txt)')
    result = subprocess.run([exe, '-e', 'E*'] + SCRIPTS,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_inisets_name_real_options():
    sample = _sample_options()
    inisets = _inisets()
    assert len(inisets) >= 10, inisets
    wrong = []
    for section, option in inisets:
        if section in sample:
            if option not in sample[section]:
                wrong.append('[%s] %s' % (section, option))
        elif not LIBRARY_GROUPS.match(section):
            wrong.append('[%s] (unknown group)' % section)
    assert not wrong, 'options not in %s: %s' % (SAMPLE, ', '.join(wrong))


def test_option_check_catches_a_renamed_option():
    sample = _sample_options()
    assert 'public_endpoint' in sample['api']
    assert 'signing_dir' not in sample['keystone_authtoken']
    assert 'auth_strategy' in sample['DEFAULT']


def test_console_scripts_exist():
    """Every $FENIX_BIN_DIR/<script> the plug-in runs is in setup.cfg."""
    setup = configparser.ConfigParser()
    setup.read(os.path.join(ROOT, 'setup.cfg'))
    scripts = set()
    for group in ('console_scripts', 'wsgi_scripts'):
        for line in setup['entry_points'][group].strip().splitlines():
            scripts.add(line.split('=')[0].strip())
    with open(os.path.join(DEVSTACK, 'lib', 'fenix')) as lib:
        used = set(re.findall(r'\$FENIX_BIN_DIR/([\w-]+)', lib.read()))
    assert used, 'the plug-in runs no console script'
    assert used <= scripts, used - scripts


def test_uwsgi_module_exists():
    """The WSGI application the uwsgi configuration loads is importable."""
    with open(os.path.join(DEVSTACK, 'settings')) as settings:
        match = re.search(r'FENIX_UWSGI:-([\w.]+):(\w+)\}', settings.read())
    assert match, 'FENIX_UWSGI has no module:callable default'
    module = __import__(match.group(1), fromlist=[match.group(2)])
    assert callable(getattr(module, match.group(2)))


def test_plugin_dispatches_every_phase():
    with open(os.path.join(DEVSTACK, 'plugin.sh')) as plugin:
        text = plugin.read()
    assert 'is_service_enabled fenix-api fenix-engine' in text
    for phase in ('"install"', '"post-config"', '"extra"', '"unstack"',
                  '"clean"'):
        assert phase in text, phase
    with open(os.path.join(DEVSTACK, 'lib', 'fenix')) as lib:
        defined = set(re.findall(r'^function (\w+) \{', lib.read(), re.M))
    called = set(re.findall(r'^\s+((?:install|configure|create|init|start'
                            r'|stop|cleanup)_fenix\w*)\s*$', text, re.M))
    assert called, 'plugin.sh calls no lib/fenix function'
    assert called <= defined, called - defined
