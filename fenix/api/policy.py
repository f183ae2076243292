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
"""Policy enforcement for the API.

Handlers call :func:`authorize` first thing; a denial is
``exception.Forbidden`` (403).
"""

import sys
import threading

from oslo_config import cfg
from oslo_log import log as logging
from oslo_policy import policy

from fenix.common import exception
from fenix import policies

LOG = logging.getLogger(__name__)

_ENFORCER = None
_LOCK = threading.Lock()


def init(conf=None):
    """Create (or re-create for another conf) the process's enforcer."""
    global _ENFORCER
    conf = conf or cfg.CONF
    with _LOCK:
        if _ENFORCER is None or _ENFORCER.conf is not conf:
            enforcer = policy.Enforcer(conf)
            enforcer.register_defaults(policies.list_rules())
            _ENFORCER = enforcer
        return _ENFORCER


def get_enforcer():
    """The oslo.policy.enforcer entry point (oslopolicy-* commands).

    NOTE: those commands pass their own options (--namespace,
    --output-file, ...) on the command line; oslo.config must not see them,
    so only --config-file / --config-dir are kept for our global CONF.
    """
    args = []
    argv = sys.argv[1:]
    for i, arg in enumerate(argv):
        if arg.startswith(('--config-file', '--config-dir')):
            args.append(arg)
            if '=' not in arg and i + 1 < len(argv):
                args.append(argv[i + 1])
    cfg.CONF(args, project='fenix')
    return init(cfg.CONF)


def authorize(context, rule, target):
    """Raise ``Forbidden`` unless ``context`` may do ``rule``."""
    enforcer = _ENFORCER or init()
    try:
        return enforcer.authorize(rule, target, context, do_raise=True,
                                  exc=exception.Forbidden, action=rule)
    except policy.InvalidScope:
        LOG.debug('%s denied: the token has the wrong scope', rule)
        raise exception.Forbidden(action=rule)
