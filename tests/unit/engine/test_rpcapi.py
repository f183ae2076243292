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
"""The engine RPC API: casts, to the owning engine when there is one."""

from unittest import mock

from oslo_config import cfg
import oslo_messaging as messaging
import pytest

from fenix.common import service
from fenix.engine import rpcapi


@pytest.fixture
def client():
    conf = cfg.ConfigOpts()
    service.register_opts(conf)
    conf([], project='fenix', default_config_files=[])
    with mock.patch('fenix.common.rpc.get_client') as get_client:
        api = rpcapi.EngineAPI(conf)
        target = get_client.call_args[0][0]
        assert target.topic == conf.engine.topic
        yield api, get_client.return_value


@pytest.mark.parametrize('method,args,kwargs', [
    ('session_updated', ('s1',), {'session_id': 's1'}),
    ('reply_received', ('s1', 'p1'), {'session_id': 's1',
                                      'project_id': 'p1'}),
    ('session_delete_requested', ('s1',), {'session_id': 's1'}),
])
def test_cast_goes_to_the_owner(client, method, args, kwargs):
    api, rpc_client = client
    getattr(api, method)('ctx', *args, owner='engine-2')
    rpc_client.prepare.assert_called_once_with(version='1.0',
                                               server='engine-2')
    rpc_client.prepare.return_value.cast.assert_called_once_with(
        'ctx', method, **kwargs)


def test_cast_without_owner_goes_to_any_engine(client):
    api, rpc_client = client
    api.session_created('ctx', 's1')
    api.reply_received('ctx', 's1', 'p1', owner=None)
    assert rpc_client.prepare.call_args_list == [
        mock.call(version='1.0'), mock.call(version='1.0')]


def test_a_failed_cast_is_not_the_callers_error(client):
    api, rpc_client = client
    rpc_client.prepare.return_value.cast.side_effect = (
        messaging.MessagingException('broker down'))
    api.reply_received('ctx', 's1', 'p1', owner='engine-2')
    # Logged, not raised: the sweep finds what the API stored.
    assert rpc_client.prepare.return_value.cast.call_count == 1
