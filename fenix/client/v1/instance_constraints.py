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
"""Constraints of an instance (ETSI NFV FEAT03): ``/v1/instance``."""

from fenix.client.v1 import base


class InstanceConstraintManager(base.Manager):

    @staticmethod
    def _path(instance_id):
        return '/instance/%s' % base.quote(instance_id)

    def set(self, instance_id, project_id, group_id=None,
            instance_name=None, migration_type=None,
            max_interruption_time=None, resource_mitigation=None,
            lead_time=None):
        """Create or replace the constraints (a field not given is unset).

        :param migration_type: MIGRATE, LIVE_MIGRATE, OWN_ACTION or
            EVICTION.
        :param max_interruption_time: seconds.
        :param lead_time: seconds.
        """
        body = {'instance_id': instance_id, 'project_id': project_id}
        for key, value in (
                ('group_id', group_id), ('instance_name', instance_name),
                ('migration_type', migration_type),
                ('max_interruption_time', max_interruption_time),
                ('resource_mitigation', resource_mitigation),
                ('lead_time', lead_time)):
            if value is not None:
                body[key] = value
        return self.http.put(self._path(instance_id), body)

    def get(self, instance_id):
        return self.http.get(self._path(instance_id))

    def delete(self, instance_id):
        """Delete the constraints; returns what they were."""
        return self.http.delete(self._path(instance_id))
