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
"""Names of the installed workflow and action plug-ins.

NOTE: a plug-in named in a request is only ever looked up among the
stevedore entry points; no module named by a request is imported.
"""

import functools

import stevedore

from fenix.common import exception
from fenix.common import states

WORKFLOW_NAMESPACE = 'fenix.workflow'
ACTION_NAMESPACE = 'fenix.action'


@functools.lru_cache(maxsize=None)
def _plugins(namespace):
    manager = stevedore.ExtensionManager(namespace, invoke_on_load=False)
    return {ext.name: ext.plugin for ext in manager}


def names(namespace):
    return sorted(_plugins(namespace))


def check(kind, namespace, name):
    """Raise ``PluginNotFound`` (400) naming the available plug-ins."""
    if name not in _plugins(namespace):
        raise exception.PluginNotFound(
            kind=kind, name=name,
            available=', '.join(names(namespace)) or 'none')


def continued_progress(workflow, progress):
    """``progress`` of a session of ``workflow`` that is continued.

    Without the markers its plug-in forgets on a continue.
    """
    plugin = _plugins(WORKFLOW_NAMESPACE).get(workflow)
    forget = getattr(plugin, 'forget_on_continue', ())
    return {k: v for k, v in (progress or {}).items() if k not in forget}


def workflow_states(workflow):
    """States a failed session of ``workflow`` may be continued from.

    Those its plug-in has a handler for, in workflow order.
    """
    plugin = _plugins(WORKFLOW_NAMESPACE).get(workflow)
    handled = getattr(plugin, 'handlers', None) or states.WORKFLOW_STATES
    return tuple(s for s in states.WORKFLOW_STATES
                 if s in handled and s not in states.INACTIVE_SESSION_STATES)
