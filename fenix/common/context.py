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
"""The request context (who is asking) shared by API, RPC and engine."""

from oslo_context import context


class RequestContext(context.RequestContext):
    """oslo.context's RequestContext with Fenix's admin notion."""

    def __init__(self, is_admin=None, **kwargs):
        super().__init__(is_admin=bool(is_admin), **kwargs)
        if is_admin is None:
            self.is_admin = 'admin' in (self.roles or [])


def get_admin_context():
    """Context of the service itself (engine-initiated work)."""
    return RequestContext(is_admin=True, roles=['admin'],
                          overwrite=False)
