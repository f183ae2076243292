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
"""The one interface through which workflows speak to a cloud.

A driver is loaded by stevedore from the ``fenix.cloud`` namespace with
``driver_class(conf)``. Every method is synchronous and safe to call from
several threads at once. Methods that change the cloud are idempotent against
the cloud's real state: disabling a disabled host, or migrating an instance
that is already away from ``source_host``, succeeds without doing it twice.

Errors are :class:`CloudError` (or a subclass) with a message an admin can
act on; drivers never let a client library's exception escape.
"""

import abc
import dataclasses

from fenix.common import exception


@dataclasses.dataclass(frozen=True)
class Host:
    """A compute host as the cloud sees it now."""

    name: str
    type: str = 'compute'
    vcpus: int = 0
    memory_mb: int = 0
    vcpus_used: int = 0
    memory_mb_used: int = 0
    # False when the host is disabled for scheduling.
    enabled: bool = True
    # False when the compute service is down.
    up: bool = True
    disabled_reason: str | None = None

    @property
    def free_vcpus(self):
        return self.vcpus - self.vcpus_used

    @property
    def free_memory_mb(self):
        return self.memory_mb - self.memory_mb_used


@dataclasses.dataclass(frozen=True)
class Instance:
    """A server as the cloud sees it now."""

    id: str
    name: str
    project_id: str
    host: str | None
    vcpus: int = 1
    memory_mb: int = 512
    # Nova's server status: ACTIVE, VERIFY_RESIZE, MIGRATING, ERROR, ...
    status: str = 'ACTIVE'
    server_group_id: str | None = None


class CloudError(exception.FenixException):
    msg_fmt = 'Cloud operation failed: %(reason)s'


class HostNotFound(CloudError):
    msg_fmt = 'Host %(host)s is not a compute host of this cloud'


class InstanceNotFound(CloudError):
    msg_fmt = 'Instance %(instance_id)s does not exist'


class MigrationFailed(CloudError):
    msg_fmt = 'Migration of instance %(instance_id)s failed: %(reason)s'


class CloudTimeout(CloudError):
    msg_fmt = 'Timed out after %(seconds)ss waiting for %(what)s'


class CloudDriver(metaclass=abc.ABCMeta):
    """Abstract cloud driver.

    :param conf: the oslo.config ConfigOpts object of the service.
    """

    def __init__(self, conf):
        self.conf = conf

    # -- inventory -------------------------------------------------------

    @abc.abstractmethod
    def list_hosts(self, names=None):
        """Return the compute hosts as a list of :class:`Host`.

        :param names: only these host names (``HostNotFound`` for an unknown
            one); all compute hosts when None or empty.
        """

    @abc.abstractmethod
    def list_instances(self, hosts=None, project_id=None):
        """Return servers of every project as a list of :class:`Instance`.

        :param hosts: only servers on these hosts when given.
        :param project_id: only this project's servers when given.
        """

    @abc.abstractmethod
    def get_instance(self, instance_id):
        """Return one :class:`Instance`, or raise ``InstanceNotFound``."""

    def is_subscribed(self, project_id):
        """Whether the project takes part in the maintenance interaction.

        The default answers True for every project; the workflow config may
        choose another subscription plug-in.
        """
        return True

    # -- scheduling ------------------------------------------------------

    @abc.abstractmethod
    def disable_host(self, host, reason):
        """Disable the host for scheduling with a reason; idempotent."""

    @abc.abstractmethod
    def enable_host(self, host):
        """Enable the host for scheduling again; idempotent."""

    # -- moving instances ------------------------------------------------

    @abc.abstractmethod
    def migrate(self, instance_id, source_host, target_host=None,
                timeout=600):
        """Cold migrate and confirm; return the host the instance is on.

        Blocks until the instance is ACTIVE again on another host and the
        migration is confirmed, or raises ``MigrationFailed`` /
        ``CloudTimeout``. When the instance is already off ``source_host``
        and ACTIVE, nothing is done (a resumed step). A VERIFY_RESIZE left
        by a crash is confirmed.

        :param target_host: the host to move to; the scheduler picks when
            None.
        """

    @abc.abstractmethod
    def live_migrate(self, instance_id, source_host, target_host=None,
                     timeout=600):
        """Live migrate (block migration chosen automatically).

        Same contract as :meth:`migrate`.
        """

    # -- used by app managers (the sample VNFM) ---------------------------

    @abc.abstractmethod
    def create_instance(self, project_id, name, like=None, exclude=()):
        """Boot a server in the project; return its :class:`Instance`.

        :param like: an instance id whose flavor/image the new one copies.
            Blocks until ACTIVE.
        :param exclude: instance ids that do not count as an existing
            server of that name (re-creating an instance under its own
            name); otherwise a live server of that name is returned.
        """

    @abc.abstractmethod
    def delete_instance(self, instance_id):
        """Delete a server and wait until it is gone; idempotent."""
