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
"""Maintenance sessions: ``/v1/maintenance``."""

import datetime

from fenix.client.v1 import base

#: the format of ``maintenance_at`` (UTC).
TIME_FORMAT = '%Y-%m-%d %H:%M:%S'


def format_time(value):
    """``value`` as Fenix takes it.

    :param value: a datetime (naive: UTC), a string (as it is) or None
        (now).
    """
    if value is None:
        value = datetime.datetime.now(datetime.timezone.utc)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc)
        return value.strftime(TIME_FORMAT)
    return value


class SessionManager(base.Manager):

    def list(self):
        """The ids of every session."""
        return self.http.get('/maintenance')['sessions']

    def get(self, session_id):
        """A session: state, percent_done, waiting_for, ..."""
        return self.http.get('/maintenance/%s' % base.quote(session_id))

    def get_detail(self, session_id):
        """A session with its hosts, projects, instances and history.

        And its actions and their runs (``action_plugin_instances``).
        """
        return self.http.get('/maintenance/%s/detail'
                             % base.quote(session_id))

    def create(self, hosts=None, maintenance_at=None, workflow=None,
               metadata=None, actions=None, download=None):
        """Start a maintenance session; returns ``{"session_id": ...}``.

        :param hosts: host names; None or empty: every compute host.
        :param maintenance_at: when to start (datetime or string); None:
            now.
        :param workflow: workflow plug-in name; None: the service's
            default.
        :param metadata: dict given to the workflow and the projects.
        :param actions: list of ``{"plugin", "type", "order",
            "metadata"}``.
        :param download: list of ``{"url", "size"}``.
        """
        body = {'hosts': list(hosts or []), 'state': 'MAINTENANCE',
                'maintenance_at': format_time(maintenance_at)}
        for key, value in (('workflow', workflow), ('metadata', metadata),
                           ('actions', actions), ('download', download)):
            if value is not None:
                body[key] = value
        return self.http.post('/maintenance', body)

    def update(self, session_id, state):
        """Continue a MAINTENANCE_FAILED session from ``state``."""
        return self.http.put('/maintenance/%s' % base.quote(session_id),
                             {'state': state})

    def delete(self, session_id):
        """Delete a finished session, or stop a running one.

        Returns what the service says: ``deleted``, ``stopped``,
        ``state``, ``reason`` and what was ``left``.
        """
        return self.http.delete('/maintenance/%s' % base.quote(session_id))
