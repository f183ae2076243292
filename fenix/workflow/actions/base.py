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
"""The contract of an action plug-in (stevedore namespace fenix.action).

An action runs before maintenance (``pre``), on each host (``host`` and the
host's own type, e.g. ``compute``) or after it (``post``). The admin names
plug-ins in the session with a type, an order and metadata. A run returns
an :class:`ActionResult`; the engine stores it as a row of
``action_plugin_instances``.
"""

import abc
import dataclasses

DONE = 'DONE'
FAILED = 'FAILED'


@dataclasses.dataclass
class ActionResult:
    state: str
    reason: str | None = None
    output: str | None = None


class ActionPlugin(metaclass=abc.ABCMeta):
    """Base of action plug-ins.

    :param conf: the service configuration.
    :param session_id: the session the action runs for.
    :param metadata: the dict the admin gave with the action.
    """

    def __init__(self, conf, session_id, metadata):
        self.conf = conf
        self.session_id = session_id
        self.metadata = metadata or {}

    @abc.abstractmethod
    def run(self, host=None):
        """Run on ``host`` (None for pre and post); return ActionResult.

        Must be safe to run again on the same host: after an engine crash a
        run that did not record its end is run once more.
        """
