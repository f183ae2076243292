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
"""``/``: version discovery.

Public: clients look for the API version before they have a token (see
the public routes in fenix.api.app).
"""

import pecan

from fenix.api.controllers import base
from fenix.api.controllers import v1


class RootController(base.Controller):

    children = {v1.VERSION: 'v1'}

    def __init__(self):
        self.v1 = v1.V1Controller()

    @pecan.expose(generic=True, template='json')
    def index(self):
        base.method_not_allowed()

    @index.when(method='GET', template='json')
    def index_get(self):
        return {'versions': [v1.version()]}
