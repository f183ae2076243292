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
"""Projects subscribed through AODH event alarms.

A project takes part when it has an enabled AODH alarm of type ``event``
whose ``event_rule.event_type`` matches ``maintenance.scheduled``: that name,
or a pattern such as ``maintenance.*`` (AODH itself matches event types with
:func:`fnmatch.fnmatch`, so such an alarm fires on Fenix's notification).

One evaluation makes one request to AODH, as the user of
``[service_credentials]``: the event alarms of every project
(``all_projects=true``, which needs AODH Victoria or later and the
``telemetry:get_alarms:all_projects`` policy, admin by default), grouped by
project here. Nothing is cached across evaluations.
"""

import fnmatch

from aodhclient import client as aodh_client
from aodhclient import exceptions as aodh_exc
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_log import log as logging

from fenix.subscription import base

LOG = logging.getLogger(__name__)

GROUP = 'service_credentials'
SERVICE_TYPE = 'alarming'
EVENT_TYPE = 'maintenance.scheduled'
# NOTE(fenix): AODH's default event_type of an event rule matches anything.
ANY_EVENT = '*'
FALLBACK = 'or set [workflow] subscription to all, none or listed'


class AodhUnavailable(base.SubscriptionError):
    """AODH could not be asked, or did not answer."""


def _matches(alarm):
    if alarm.get('type') != 'event' or alarm.get('enabled') is not True:
        return False
    rule = alarm.get('event_rule') or {}
    pattern = rule.get('event_type') or ANY_EVENT
    return fnmatch.fnmatchcase(EVENT_TYPE, pattern)


class AodhSubscription(base.SubscriptionPlugin):
    """Projects with an enabled AODH event alarm on maintenance.scheduled.

    :param session: a keystoneauth session to use instead of one made from
        ``[service_credentials]``.
    """

    def __init__(self, conf, cloud, session=None):
        super().__init__(conf, cloud)
        self._ks_session = session

    def subscribed(self, project_ids):
        wanted = set(project_ids)
        if not wanted:
            return set()
        alarms = self._event_alarms()
        found = {a.get('project_id') for a in alarms if _matches(a)}
        LOG.debug('AODH: %d event alarms, subscribed projects %s',
                  len(alarms), sorted(found & wanted))
        return found & wanted

    # -- AODH --------------------------------------------------------------

    def _session(self):
        if self._ks_session is None:
            auth = ks_loading.load_auth_from_conf_options(self.conf, GROUP)
            if auth is None:
                raise AodhUnavailable(reason=(
                    'no auth_type is set in [%s] to ask AODH with; set it, '
                    '%s' % (GROUP, FALLBACK)))
            self._ks_session = ks_loading.load_session_from_conf_options(
                self.conf, GROUP, auth=auth)
        return self._ks_session

    def _endpoint(self, session):
        creds = self.conf[GROUP]
        where = 'region %s, interface %s' % (
            creds.region_name or 'any', creds.interface)
        try:
            endpoint = session.get_endpoint(
                service_type=SERVICE_TYPE, interface=creds.interface,
                region_name=creds.region_name)
        except ks_exc.EndpointNotFound:
            endpoint = None
        except ks_exc.ClientException as e:
            raise AodhUnavailable(reason=(
                'could not authenticate with [%s] to find AODH: %s' % (
                    GROUP, e))) from e
        if not endpoint:
            raise AodhUnavailable(reason=(
                'AODH (service type %s) not found in the service catalog '
                '(%s): register AODH there, %s' % (
                    SERVICE_TYPE, where, FALLBACK)))
        return endpoint

    def _event_alarms(self):
        session = self._session()
        endpoint = self._endpoint(session)
        aodh = aodh_client.Client('2', session=session,
                                  endpoint_override=endpoint)
        try:
            alarms = aodh.alarm.list(
                filters={'all_projects': 'true', 'type': 'event'})
        except aodh_exc.ClientException as e:
            raise AodhUnavailable(reason=self._http_problem(endpoint, e)
                                  ) from e
        except ks_exc.ConnectionError as e:
            raise AodhUnavailable(reason=(
                'AODH at %s cannot be reached (%s): check that it runs, '
                '%s' % (endpoint, e, FALLBACK))) from e
        except ks_exc.ClientException as e:
            raise AodhUnavailable(reason=(
                'listing the alarms of AODH at %s failed: %s' % (
                    endpoint, e))) from e
        except ValueError as e:
            raise AodhUnavailable(reason=(
                'AODH at %s answered the alarm list with something other '
                'than JSON: %s' % (endpoint, e))) from e
        if not isinstance(alarms, list):
            raise AodhUnavailable(reason=(
                'AODH at %s answered the alarm list with %s, not a list' % (
                    endpoint, type(alarms).__name__)))
        return alarms

    @staticmethod
    def _http_problem(endpoint, e):
        status = e.http_status
        answer = 'AODH at %s answered HTTP %s (%s)' % (
            endpoint, status, e.message)
        if status in (401, 403):
            return ('%s to a list of the alarms of every project: the '
                    '[%s] user needs the admin role (AODH policy '
                    'telemetry:get_alarms:all_projects)' % (answer, GROUP))
        if status == 400:
            return ('%s to a list of the alarms of every project: AODH '
                    'Victoria or later is needed (all_projects=true)'
                    % answer)
        return '%s to a list of alarms: repair AODH, %s' % (answer, FALLBACK)
