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
"""The aodh subscription plug-in against a mocked AODH (and Keystone)."""

import socket
import urllib.parse

from keystoneauth1 import fixture as ks_fixture
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from oslo_config import cfg
import pytest

from fenix.cloud import base as cloud_base
from fenix import conf as fenix_conf
from fenix.subscription import aodh
from fenix.subscription import base

AODH = 'http://aodh.test:8042'
ALARMS = AODH + '/v2/alarms'
KEYSTONE = 'http://keystone.test/v3'
JSON = {'Content-Type': 'application/json'}


def make_conf(tmp_path, **credentials):
    lines = ['[service_credentials]'] + [
        '%s = %s' % item for item in credentials.items()]
    path = tmp_path / 'fenix.conf'
    path.write_text('\n'.join(lines) + '\n')
    c = cfg.ConfigOpts()
    fenix_conf.register_opts(c)
    c(['--config-file', str(path)], project='fenix', default_config_files=[])
    return c


@pytest.fixture
def conf(tmp_path):
    """AODH at a fixed endpoint, no Keystone."""
    return make_conf(tmp_path, auth_type='none', endpoint=AODH)


@pytest.fixture
def keystone_conf(tmp_path):
    return make_conf(tmp_path, auth_type='v3password', auth_url=KEYSTONE,
                     username='fenix', password='secret',
                     user_domain_name='Default', project_name='service',
                     project_domain_name='Default', region_name='RegionOne')


def keystone_token(with_aodh=True):
    token = ks_fixture.V3Token(user_name='fenix', project_name='service')
    token.add_service('compute').add_standard_endpoints(
        public='http://nova.test/v2.1', region='RegionOne')
    if with_aodh:
        token.add_service('alarming').add_standard_endpoints(
            public=AODH, region='RegionOne')
    return token


def alarm(project, event_type='maintenance.scheduled', enabled=True,
          type='event', alarm_id=None):
    body = {'alarm_id': alarm_id or '%s-%s' % (project, event_type),
            'name': 'maintenance', 'type': type, 'enabled': enabled,
            'project_id': project, 'state': 'insufficient data'}
    if type == 'event':
        body['event_rule'] = {'event_type': event_type, 'query': []}
    else:
        body['threshold_rule'] = {'meter_name': 'cpu_util'}
    return body


def query_of(request):
    """The AODH simple query of a request as {field: value}."""
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(request.url).query)
    assert q['q.op'] == ['eq'] * len(q['q.field'])
    return dict(zip(q['q.field'], q['q.value']))


def test_projects_with_a_maintenance_alarm(conf, requests_mock):
    requests_mock.get(ALARMS, json=[
        alarm('exact'),
        alarm('wildcard', event_type='maintenance.*'),
        alarm('disabled', enabled=False),
        alarm('other-event', event_type='compute.instance.update'),
        alarm('other-prefix', event_type='maint*.sched?led.extra'),
        alarm('threshold', type='threshold'),
        alarm('not-asked'),
        # Two alarms, one of them matching.
        alarm('two', event_type='compute.*', alarm_id='t1'),
        alarm('two', alarm_id='t2'),
    ])
    plugin = aodh.AodhSubscription(conf, None)
    asked = ['exact', 'wildcard', 'disabled', 'other-event', 'other-prefix',
             'threshold', 'two', 'no-alarm']
    assert plugin.subscribed(asked) == {'exact', 'wildcard', 'two'}
    # One request for every project, for the event alarms of all projects.
    assert requests_mock.call_count == 1
    assert query_of(requests_mock.last_request) == {
        'all_projects': 'true', 'type': 'event'}


def test_an_event_alarm_on_any_event_type_fires_on_maintenance_too(
        conf, requests_mock):
    no_type = alarm('no-type')
    del no_type['event_rule']['event_type']
    requests_mock.get(ALARMS, json=[alarm('star', event_type='*'), no_type])
    assert aodh.AodhSubscription(conf, None).subscribed(
        ['star', 'no-type', 'other']) == {'star', 'no-type'}


def test_nothing_is_cached_across_calls(conf, requests_mock):
    requests_mock.get(ALARMS, [{'json': []}, {'json': [alarm('p1')]}])
    plugin = aodh.AodhSubscription(conf, None)
    assert plugin.subscribed(['p1']) == set()
    assert plugin.subscribed(['p1']) == {'p1'}
    assert requests_mock.call_count == 2


def test_no_project_asks_nothing(conf, requests_mock):
    assert aodh.AodhSubscription(conf, None).subscribed([]) == set()
    assert requests_mock.call_count == 0


def test_loaded_by_name(conf, requests_mock):
    requests_mock.get(ALARMS, json=[alarm('p1')])
    conf.set_override('subscription', 'aodh', group='workflow')
    assert base.load(conf, None).subscribed(['p1', 'p2']) == {'p1'}


def test_endpoint_from_the_keystone_catalog(keystone_conf, requests_mock):
    requests_mock.post(KEYSTONE + '/auth/tokens', json=keystone_token(),
                       headers={'X-Subject-Token': 'admin-token'},
                       status_code=201)
    requests_mock.get(ALARMS, json=[alarm('p1')])
    plugin = aodh.AodhSubscription(keystone_conf, None)
    assert plugin.subscribed(['p1', 'p2']) == {'p1'}
    aodh_requests = [r for r in requests_mock.request_history
                     if r.url.startswith(AODH)]
    assert len(aodh_requests) == 1
    assert aodh_requests[0].headers['X-Auth-Token'] == 'admin-token'


def test_a_given_session(tmp_path, requests_mock):
    requests_mock.get(ALARMS, json=[alarm('p1')])
    session = ks_session.Session(
        auth=token_endpoint.Token(AODH, 'given-token'))
    plugin = aodh.AodhSubscription(make_conf(tmp_path), None,
                                   session=session)
    assert plugin.subscribed(['p1']) == {'p1'}
    assert requests_mock.last_request.headers['X-Auth-Token'] == (
        'given-token')


def check_error(exc_info, *parts):
    assert isinstance(exc_info.value, aodh.AodhUnavailable)
    assert isinstance(exc_info.value, cloud_base.CloudError)
    for part in parts:
        assert part in exc_info.value.message


def test_aodh_missing_from_the_catalog(keystone_conf, requests_mock):
    requests_mock.post(KEYSTONE + '/auth/tokens',
                       json=keystone_token(with_aodh=False),
                       headers={'X-Subject-Token': 'admin-token'},
                       status_code=201)
    with pytest.raises(aodh.AodhUnavailable) as e:
        aodh.AodhSubscription(keystone_conf, None).subscribed(['p1'])
    check_error(e, 'AODH (service type alarming) not found in the service '
                   'catalog', 'region RegionOne, interface public',
                'set [workflow] subscription to all, none or listed')


def test_keystone_refuses_the_credentials(keystone_conf, requests_mock):
    requests_mock.post(KEYSTONE + '/auth/tokens', status_code=401,
                       json={'error': {'code': 401, 'message': 'no'}})
    with pytest.raises(aodh.AodhUnavailable) as e:
        aodh.AodhSubscription(keystone_conf, None).subscribed(['p1'])
    check_error(e, 'could not authenticate with [service_credentials]')


def test_no_credentials(tmp_path):
    with pytest.raises(aodh.AodhUnavailable) as e:
        aodh.AodhSubscription(make_conf(tmp_path), None).subscribed(['p1'])
    check_error(e, 'no auth_type is set in [service_credentials]',
                'set [workflow] subscription to all, none or listed')


def test_aodh_fails(conf, requests_mock):
    requests_mock.get(ALARMS, status_code=500, text='database is gone',
                      headers={'Content-Type': 'text/plain'})
    with pytest.raises(aodh.AodhUnavailable) as e:
        aodh.AodhSubscription(conf, None).subscribed(['p1'])
    check_error(e, 'AODH at %s answered HTTP 500' % AODH,
                'database is gone',
                'set [workflow] subscription to all, none or listed')


def test_aodh_forbids_listing_every_project(conf, requests_mock):
    requests_mock.get(ALARMS, status_code=403, headers=JSON,
                      json={'error_message': {
                          'faultstring': 'RBAC Authorization Failed'}})
    with pytest.raises(aodh.AodhUnavailable) as e:
        aodh.AodhSubscription(conf, None).subscribed(['p1'])
    check_error(e, 'HTTP 403', 'RBAC Authorization Failed',
                'needs the admin role',
                'telemetry:get_alarms:all_projects')


def test_an_old_aodh_rejects_all_projects(conf, requests_mock):
    requests_mock.get(ALARMS, status_code=400, headers=JSON,
                      json={'error_message': {
                          'faultstring': 'Unknown argument: "all_projects"'}})
    with pytest.raises(aodh.AodhUnavailable) as e:
        aodh.AodhSubscription(conf, None).subscribed(['p1'])
    check_error(e, 'HTTP 400', 'Unknown argument', 'Victoria or later')


def test_aodh_answers_garbage(conf, requests_mock):
    requests_mock.get(ALARMS, text='<html>proxy error</html>')
    with pytest.raises(aodh.AodhUnavailable) as e:
        aodh.AodhSubscription(conf, None).subscribed(['p1'])
    check_error(e, 'other than JSON')
    requests_mock.get(ALARMS, json={'alarms': []})
    with pytest.raises(aodh.AodhUnavailable) as e:
        aodh.AodhSubscription(conf, None).subscribed(['p1'])
    check_error(e, 'dict, not a list')


def test_aodh_unreachable(tmp_path):
    # A loopback port nobody listens on: connection refused.
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    endpoint = 'http://127.0.0.1:%d' % port
    c = make_conf(tmp_path, auth_type='none', endpoint=endpoint)
    with pytest.raises(aodh.AodhUnavailable) as e:
        aodh.AodhSubscription(c, None).subscribed(['p1'])
    check_error(e, 'AODH at %s cannot be reached' % endpoint,
                'set [workflow] subscription to all, none or listed')
