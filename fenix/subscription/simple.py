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
"""The subscription plug-ins that need no service: all, none, listed, driver.
"""

from fenix.subscription import base


class AllProjects(base.SubscriptionPlugin):
    """Every project takes part."""

    def subscribed(self, project_ids):
        return set(project_ids)


class NoProject(base.SubscriptionPlugin):
    """No project takes part: every instance gets the default action."""

    def subscribed(self, project_ids):
        return set()


class ListedProjects(base.SubscriptionPlugin):
    """The projects whose ids are in ``[workflow] subscribed_projects``."""

    def subscribed(self, project_ids):
        listed = set(self.conf.workflow.subscribed_projects or ())
        return {p for p in project_ids if p in listed}


class CloudDriverSubscription(base.SubscriptionPlugin):
    """Ask the cloud driver, project by project.

    The simulated cloud answers from the ``subscribed`` flag of each project
    of its inventory; the base driver counts every project as subscribed.
    """

    def subscribed(self, project_ids):
        return {p for p in project_ids if self.cloud.is_subscribed(p)}
