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
"""Configuration options, one module per option group.

Nothing registers at import time: services call :func:`register_opts` once
(through ``fenix.common.service.prepare_service``), tests through their
fixture.
"""

from oslo_config import cfg

from fenix.conf import actions
from fenix.conf import api
from fenix.conf import cloud
from fenix.conf import default
from fenix.conf import engine
from fenix.conf import service_credentials
from fenix.conf import workflow

CONF = cfg.CONF

MODULES = (default, api, engine, workflow, actions, cloud,
           service_credentials)


def register_opts(conf=CONF):
    """Register every Fenix option group on conf; safe to repeat."""
    for module in MODULES:
        module.register_opts(conf)
