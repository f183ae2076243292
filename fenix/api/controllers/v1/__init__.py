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
"""``/v1``: the maintenance API, version 1 (DESIGN §4)."""

import pecan

from fenix.api.controllers import base
from fenix.api.controllers.v1 import instance
from fenix.api.controllers.v1 import instance_group
from fenix.api.controllers.v1 import maintenance

VERSION = 'v1'


def base_url():
    """The URL clients reach the API at.

    [api] public_endpoint, else the request's own host URL (which a proxy
    in front sets, see HTTPProxyToWSGI).
    """
    endpoint = base.conf().api.public_endpoint
    return (endpoint or pecan.request.host_url).rstrip('/')


def version(status='CURRENT'):
    return {
        'id': VERSION,
        'status': status,
        'links': [{'rel': 'self', 'href': '%s/%s/' % (base_url(), VERSION)}],
    }


class V1Controller(base.Controller):

    children = {
        'maintenance': 'maintenance',
        'instance': 'instance',
        'instance_group': 'instance_group',
    }

    def __init__(self):
        self.maintenance = maintenance.MaintenanceController()
        self.instance = instance.InstanceCollection()
        self.instance_group = instance_group.InstanceGroupCollection()

    @pecan.expose(generic=True, template='json')
    def index(self):
        base.method_not_allowed()

    @index.when(method='GET', template='json')
    def index_get(self):
        return {'version': version(),
                'resources': ['maintenance', 'instance', 'instance_group']}
