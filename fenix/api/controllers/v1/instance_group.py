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
"""``/v1/instance_group/{group_id}``: constraints of an instance group
(FEAT03)."""

from fenix.api.controllers import base
from fenix.api.schemas.v1 import instance_group as schema
from fenix.db import api as db


class InstanceGroupController(base.OwnedResource):

    rule = 'fenix:instance_group:%s'
    key = 'group_id'
    schema = schema.PUT
    fields = ('project_id', 'group_name', 'anti_affinity_group',
              'max_instances_per_host', 'max_impacted_members',
              'recovery_time', 'resource_mitigation')

    def db_get(self):
        return db.instance_group_get(self.object_id)

    def db_put(self, values):
        return db.instance_group_put(values)

    def db_delete(self):
        db.instance_group_delete(self.object_id)


class InstanceGroupCollection(base.Controller):
    """``/v1/instance_group``: only its members are resources."""

    def child(self, segment):
        return InstanceGroupController(base.check_uuid('group_id', segment))
