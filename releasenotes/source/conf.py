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
"""Sphinx configuration of the Fenix release notes (releasenotes/source).

The notes are the YAML files of releasenotes/notes, collected by reno from
the git history (and the working tree). Build with ``tox -e
releasenotes``, or ``python -m sphinx -W --keep-going -b html
releasenotes/source releasenotes/build/html`` in the git checkout.
"""

extensions = [
    'openstackdocstheme',
    'reno.sphinxext',
]

source_suffix = '.rst'
master_doc = 'index'
project = 'Fenix Release Notes'
copyright = 'OpenStack Foundation'

# NOTE: release notes cover every release; they carry no version.
version = ''
release = ''

exclude_patterns = ['_build']
pygments_style = 'native'

html_theme = 'openstackdocs'
openstackdocs_repo_name = 'x/fenix'
openstackdocs_auto_name = False
openstackdocs_auto_version = False
openstackdocs_use_storyboard = False

htmlhelp_basename = 'FenixReleaseNotesdoc'
