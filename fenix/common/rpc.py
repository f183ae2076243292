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
"""oslo.messaging transports, RPC client/server and notifier factories."""

import oslo_messaging as messaging
from oslo_messaging import opts as messaging_opts

from fenix.common import context as fenix_context

_TRANSPORT = None
_NOTIFICATION_TRANSPORT = None

NOTIFICATIONS_GROUP = 'oslo_messaging_notifications'


def set_defaults(conf):
    """Defaults that make notifications flow without extra config."""
    messaging.set_transport_defaults(control_exchange='fenix')
    # NOTE: registered here rather than when the transport is made, so
    # that they can be set before it is (tests, the embedded service).
    for group, options in messaging_opts.list_opts():
        if group in (None, NOTIFICATIONS_GROUP):
            conf.register_opts(options, group=group)
    conf.set_default('driver', ['messagingv2'], group=NOTIFICATIONS_GROUP)
    conf.set_default('topics', ['notifications'], group=NOTIFICATIONS_GROUP)


def init(conf):
    """Create the transports once per process."""
    global _TRANSPORT, _NOTIFICATION_TRANSPORT
    if _TRANSPORT is None:
        _TRANSPORT = messaging.get_rpc_transport(conf)
    if _NOTIFICATION_TRANSPORT is None:
        _NOTIFICATION_TRANSPORT = messaging.get_notification_transport(conf)


def cleanup():
    global _TRANSPORT, _NOTIFICATION_TRANSPORT
    for transport in (_TRANSPORT, _NOTIFICATION_TRANSPORT):
        if transport is not None:
            transport.cleanup()
    _TRANSPORT = _NOTIFICATION_TRANSPORT = None


def get_transport():
    if _TRANSPORT is None:
        raise RuntimeError('fenix.common.rpc.init() was not called')
    return _TRANSPORT


def get_notification_transport():
    if _NOTIFICATION_TRANSPORT is None:
        raise RuntimeError('fenix.common.rpc.init() was not called')
    return _NOTIFICATION_TRANSPORT


class RequestContextSerializer(messaging.Serializer):
    """Sends the request context as a dict and rebuilds it."""

    def serialize_entity(self, context, entity):
        return entity

    def deserialize_entity(self, context, entity):
        return entity

    def serialize_context(self, context):
        return context.to_dict()

    def deserialize_context(self, context):
        return fenix_context.RequestContext.from_dict(context)


def get_client(target, version_cap=None):
    return messaging.get_rpc_client(get_transport(), target,
                                    version_cap=version_cap,
                                    serializer=RequestContextSerializer())


def get_server(target, endpoints):
    return messaging.get_rpc_server(
        get_transport(), target, endpoints, executor='threading',
        serializer=RequestContextSerializer(),
        access_policy=messaging.DefaultRPCAccessPolicy)


def get_notifier(publisher_id='fenix'):
    return messaging.Notifier(get_notification_transport(),
                              publisher_id=publisher_id)
