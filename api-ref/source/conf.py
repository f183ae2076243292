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
"""Sphinx configuration of the Fenix API reference (api-ref/source).

Built offline with warnings as errors: ``tox -e api-ref``, or
``python -m sphinx -W --keep-going -b html api-ref/source
api-ref/build/html``.
"""

extensions = [
    'os_api_ref',
    'openstackdocstheme',
]

source_suffix = '.rst'
master_doc = 'index'
project = 'Fenix Maintenance API Reference'
copyright = 'OpenStack Foundation'

# NOTE: one API version; the reference is not versioned with the code.
version = ''
release = ''

exclude_patterns = ['_build']
pygments_style = 'native'

html_theme = 'openstackdocs'
html_theme_options = {
    'sidebar_dropdown': 'api_ref',
    'sidebar_mode': 'toc',
}
openstackdocs_repo_name = 'x/fenix'
openstackdocs_auto_name = False
openstackdocs_auto_version = False
openstackdocs_use_storyboard = False

htmlhelp_basename = 'fenixapiref'
