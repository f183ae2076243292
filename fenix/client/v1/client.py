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
"""The client of the maintenance API, version 1.

::

    from keystoneauth1 import loading
    from keystoneauth1 import session

    from fenix.client.v1 import client

    auth = loading.get_plugin_loader('password').load_from_options(...)
    fenix = client.Client(session=session.Session(auth=auth))
    session_id = fenix.sessions.create(hosts=['compute-1'])['session_id']
"""

from fenix.client.v1 import base
from fenix.client.v1 import instance_constraints
from fenix.client.v1 import instance_groups
from fenix.client.v1 import projects
from fenix.client.v1 import sessions


class Client:
    """The maintenance API on a keystoneauth session.

    :param session: a :class:`keystoneauth1.session.Session` (with or
        without auth: without, give ``endpoint_override``).
    :param endpoint_override: the service's URL, instead of the catalog's.
    :param interface: the catalog interface (public, internal, admin).
    :param region_name: the catalog region.
    :param adapter_kwargs: more :class:`keystoneauth1.adapter.Adapter`
        arguments (e.g. ``additional_headers``, ``user_agent``).
    """

    def __init__(self, session, endpoint_override=None, interface='public',
                 region_name=None, **adapter_kwargs):
        self.http = base.HTTPClient(
            session, endpoint_override=endpoint_override,
            interface=interface, region_name=region_name, **adapter_kwargs)
        self.sessions = sessions.SessionManager(self.http)
        self.projects = projects.ProjectManager(self.http)
        self.instance_constraints = (
            instance_constraints.InstanceConstraintManager(self.http))
        self.instance_groups = instance_groups.InstanceGroupManager(
            self.http)
