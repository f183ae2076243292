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
"""Sphinx configuration of the Fenix documentation (doc/source).

Built offline with warnings as errors: ``tox -e docs``, or
``python -m sphinx -W --keep-going -b html doc/source doc/build/html``.
"""

import importlib.metadata

extensions = [
    'openstackdocstheme',
    # The configuration reference (show-options) and the policy reference
    # (show-policy), read from the options and rules in code.
    'oslo_config.sphinxext',
    'oslo_policy.sphinxext',
]

source_suffix = '.rst'
master_doc = 'index'
project = 'Fenix'
copyright = 'OpenStack Foundation'

# NOTE: the version of the installed package, so that the build needs
# neither git tags nor pbr's guesswork; empty when Fenix is not installed.
try:
    release = importlib.metadata.version('openstack-fenix')
except importlib.metadata.PackageNotFoundError:
    release = ''
version = release

exclude_patterns = ['_build']
pygments_style = 'native'

# -- openstackdocstheme -------------------------------------------------------

html_theme = 'openstackdocs'
openstackdocs_repo_name = 'x/fenix'
openstackdocs_auto_name = False
openstackdocs_auto_version = False
openstackdocs_use_storyboard = False

html_static_path = []
htmlhelp_basename = 'fenixdoc'
