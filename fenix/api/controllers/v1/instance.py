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
"""``/v1/instance/{instance_id}``: constraints of one instance (FEAT03)."""

from fenix.api.controllers import base
from fenix.api.schemas.v1 import instance as schema
from fenix.db import api as db


class InstanceController(base.OwnedResource):

    rule = 'fenix:instance_constraint:%s'
    key = 'instance_id'
    schema = schema.PUT
    fields = ('project_id', 'group_id', 'instance_name', 'migration_type',
              'max_interruption_time', 'resource_mitigation', 'lead_time')

    def db_get(self):
        return db.instance_constraint_get(self.object_id)

    def db_put(self, values):
        return db.instance_constraint_put(values)

    def db_delete(self):
        db.instance_constraint_delete(self.object_id)

    def normalize(self, values):
        migration_type = values.get('migration_type')
        values['migration_type'] = schema.MIGRATION_SYNONYMS.get(
            migration_type, migration_type)
        return values


class InstanceCollection(base.Controller):
    """``/v1/instance``: only its members are resources."""

    def child(self, segment):
        return InstanceController(base.check_uuid('instance_id', segment))
