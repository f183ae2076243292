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
"""Which projects take part in the maintenance interaction.

A subscription plug-in answers, for the projects a session found on its
hosts, which of them are asked (notified, and waited for) and which get the
configured default behaviour. It is loaded by stevedore from the
``fenix.subscription`` namespace by the name in ``[workflow] subscription``
with ``plugin_class(conf, cloud)``.

A plug-in answers for many projects at once (one call per discovery, so
that a plug-in backed by a service makes one request, not one per project)
and caches nothing across calls: a project that subscribes between two
sessions takes part in the second. Errors are :class:`SubscriptionError`, a
:class:`fenix.cloud.base.CloudError`, with a message an admin can act on;
the workflow fails the session with it.
"""

import abc
import importlib.metadata

from stevedore import driver as stevedore_driver
from stevedore import exception as stevedore_exc

from fenix.cloud import base as cloud_base

NAMESPACE = 'fenix.subscription'


class SubscriptionError(cloud_base.CloudError):
    msg_fmt = 'Cannot tell which projects are subscribed: %(reason)s'


class UnknownSubscriptionPlugin(SubscriptionError):
    msg_fmt = ('Unknown subscription plug-in %(name)r in [workflow] '
               'subscription; available: %(available)s')


class SubscriptionPlugin(metaclass=abc.ABCMeta):
    """Abstract subscription plug-in.

    :param conf: the oslo.config ConfigOpts object of the service.
    :param cloud: the session's :class:`fenix.cloud.base.CloudDriver`.
    """

    def __init__(self, conf, cloud):
        self.conf = conf
        self.cloud = cloud

    @abc.abstractmethod
    def subscribed(self, project_ids):
        """Return the set of those of ``project_ids`` that take part.

        :param project_ids: an iterable of project ids.
        :raises SubscriptionError: when the answer cannot be had.
        """


def names():
    """The names of the installed subscription plug-ins, sorted."""
    # NOTE(fenix): read from the entry points without importing them, so
    # that a plug-in whose library is missing is still named.
    return sorted({ep.name for ep in
                   importlib.metadata.entry_points(group=NAMESPACE)})


def _load_failed(manager, entrypoint, exc):
    raise SubscriptionError(
        reason='subscription plug-in %r cannot be loaded (%s): %s' % (
            entrypoint.name, entrypoint.value, exc)) from exc


def load(conf, cloud):
    """The subscription plug-in named by ``[workflow] subscription``.

    :raises UnknownSubscriptionPlugin: for a name that is not installed.
    :raises SubscriptionError: when the plug-in cannot be loaded.
    """
    name = conf.workflow.subscription
    available = names()
    if name not in available:
        raise UnknownSubscriptionPlugin(
            name=name, available=', '.join(available) or 'none')
    try:
        plugin_class = stevedore_driver.DriverManager(
            NAMESPACE, name, invoke_on_load=False,
            on_load_failure_callback=_load_failed).driver
    except stevedore_exc.NoMatches as e:
        # NOTE(fenix): installed, yet stevedore's cache of the entry points
        # (~/.cache/python-entrypoints) does not have it.
        raise SubscriptionError(reason=(
            'subscription plug-in %r is installed but stevedore does not '
            'find it: %s' % (name, e))) from e
    return plugin_class(conf, cloud)
