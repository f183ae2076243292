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
"""The one time facility of the engine.

Workflow code never sleeps: it waits for a condition with a deadline through
:meth:`Clock.wait`, which blocks on the session's wake-up event. Wake-ups
come from RPC casts (a reply was stored, the admin changed the session) and
from the engine's sweep; the deadline itself is a column of the session row,
so a restarted engine waits for the same moment.
"""

from oslo_utils import timeutils


class Clock:
    """Real time (naive UTC datetimes)."""

    def now(self):
        return timeutils.utcnow()

    def wait(self, event, seconds):
        """Block until event is set or seconds passed; clear it."""
        woken = event.wait(max(seconds, 0))
        event.clear()
        return woken
