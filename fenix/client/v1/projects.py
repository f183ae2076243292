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
"""Project replies: ``/v1/maintenance/{session_id}/{project_id}``."""

from fenix.client.v1 import base


class ProjectManager(base.Manager):

    @staticmethod
    def _path(session_id, project_id, instance_id=None):
        path = '/maintenance/%s/%s' % (base.quote(session_id),
                                       base.quote(project_id))
        if instance_id is not None:
            path += '/%s' % base.quote(instance_id)
        return path

    def get(self, session_id, project_id):
        """The project's instances the session's current state concerns.

        ``{"instance_ids": [...]}``.
        """
        return self.http.get(self._path(session_id, project_id))

    def reply(self, session_id, project_id, state, instance_actions=None,
              instance_ids=None):
        """Reply for the whole project.

        :param state: ``ACK_<STATE>`` or ``NACK_<STATE>``.
        :param instance_actions: dict of instance id to MIGRATE,
            LIVE_MIGRATE, OWN_ACTION or EVICTION.
        :param instance_ids: the instances the project has now.
        """
        body = {'state': state}
        if instance_actions is not None:
            body['instance_actions'] = instance_actions
        if instance_ids is not None:
            body['instance_ids'] = list(instance_ids)
        return self.http.put(self._path(session_id, project_id), body)

    def reply_instance(self, session_id, project_id, instance_id, state,
                       instance_action=None):
        """Reply for one instance of the project."""
        body = {'state': state}
        if instance_action is not None:
            body['instance_action'] = instance_action
        return self.http.put(
            self._path(session_id, project_id, instance_id), body)
