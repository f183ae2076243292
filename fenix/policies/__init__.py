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
"""Policy defaults in code, one module per resource.

``list_rules`` is the oslo.policy.policies entry point (namespace fenix):
oslopolicy-sample-generator writes etc/fenix/policy.yaml.sample from it.
"""

import itertools

from fenix.policies import base
from fenix.policies import instance
from fenix.policies import instance_group
from fenix.policies import maintenance
from fenix.policies import project


def list_rules():
    return list(itertools.chain(
        base.list_rules(),
        maintenance.list_rules(),
        project.list_rules(),
        instance.list_rules(),
        instance_group.list_rules(),
    ))
