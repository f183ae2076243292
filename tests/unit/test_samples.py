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
"""The shipped configuration and policy samples are current.

When one fails, regenerate the sample (``tox -e genconfig`` or
``tox -e genpolicy``) and ship it with the change.
"""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
ETC = os.path.join(ROOT, 'etc', 'fenix')
# NOTE: the generators of the interpreter running the tests, so that the
# samples are made from the libraries the tests run with.
BIN = os.path.dirname(sys.executable)


@pytest.mark.parametrize('generator, generator_conf, sample', [
    ('oslo-config-generator', 'fenix-config-generator.conf',
     'fenix.conf.sample'),
    ('oslopolicy-sample-generator', 'fenix-policy-generator.conf',
     'policy.yaml.sample'),
])
def test_sample_is_current(tmp_path, generator, generator_conf, sample):
    output = tmp_path / sample
    subprocess.run(
        [os.path.join(BIN, generator),
         '--config-file', os.path.join(ETC, generator_conf),
         '--output-file', str(output)],
        cwd=ROOT, check=True, capture_output=True, timeout=120)
    with open(os.path.join(ETC, sample)) as shipped:
        assert output.read_text() == shipped.read(), (
            '%s is out of date; regenerate it with %s --config-file '
            'etc/fenix/%s' % (sample, generator, generator_conf))


def test_config_sample_is_machine_independent():
    with open(os.path.join(ETC, 'fenix.conf.sample')) as shipped:
        text = shipped.read()
    assert '#host = <hostname>\n' in text
