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
"""Constraints of an instance group (ETSI NFV FEAT03):
``/v1/instance_group``."""

from fenix.client.v1 import base


class InstanceGroupManager(base.Manager):

    @staticmethod
    def _path(group_id):
        return '/instance_group/%s' % base.quote(group_id)

    def set(self, group_id, project_id, group_name=None,
            anti_affinity_group=None, max_instances_per_host=None,
            max_impacted_members=None, recovery_time=None,
            resource_mitigation=None):
        """Create or replace the constraints (a field not given is unset).

        :param max_instances_per_host: 0: no limit.
        :param recovery_time: seconds.
        """
        body = {'group_id': group_id, 'project_id': project_id}
        for key, value in (
                ('group_name', group_name),
                ('anti_affinity_group', anti_affinity_group),
                ('max_instances_per_host', max_instances_per_host),
                ('max_impacted_members', max_impacted_members),
                ('recovery_time', recovery_time),
                ('resource_mitigation', resource_mitigation)):
            if value is not None:
                body[key] = value
        return self.http.put(self._path(group_id), body)

    def get(self, group_id):
        return self.http.get(self._path(group_id))

    def delete(self, group_id):
        """Delete the constraints; returns what they were."""
        return self.http.delete(self._path(group_id))
