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
"""``/v1/instance/{instance_id}``: constraints of one instance (FEAT03)."""

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from oslo_log import log as logging
import pecan

from fenix.api.controllers import base
from fenix.api.schemas.v1 import instance as schema
from fenix.common import exception
from fenix.db import api as db

LOG = logging.getLogger(__name__)
# NOTE: Nova's endpoint as a service reaches it, else as users do.
COMPUTE = {'service_type': 'compute', 'interface': ['internal', 'public']}


class InstanceController(base.OwnedResource):

    rule = 'fenix:instance_constraint:%s'
    key = 'instance_id'
    schema = schema.PUT
    fields = ('project_id', 'group_id', 'instance_name', 'migration_type',
              'max_interruption_time', 'resource_mitigation', 'lead_time')

    def db_get(self):
        return db.instance_constraint_get(self.object_id)

    def db_put(self, values):
        return db.instance_constraint_put(values)

    def db_delete(self):
        db.instance_constraint_delete(self.object_id)

    def check_new(self, data):
        """A project constrains only its own servers (checked with Nova).

        An instance id is no secret (notifications carry them), and the
        first PUT makes a project the owner of a constraint: without this
        check a project could claim another's instance and lock its owner
        out of it. The caller's own token asks Nova for the server, which
        Nova shows to its project only. An admin, or a caller without a
        Keystone token (``auth_strategy = noauth``), is not checked.
        """
        ctx = base.context()
        auth = pecan.request.environ.get('keystone.token_auth')
        if ctx.is_admin or auth is None or not auth.has_user_token:
            return
        try:
            ks_session.Session(auth=auth).get(
                '/servers/%s' % self.object_id, endpoint_filter=COMPUTE,
                timeout=10)
        except ks_exc.EndpointNotFound:
            LOG.warning('No compute endpoint in the catalog: instance %s '
                        'taken as project %s says', self.object_id,
                        data['project_id'])
        except (ks_exc.NotFound, ks_exc.Forbidden):
            raise exception.NotYourInstance(instance_id=self.object_id,
                                            project_id=data['project_id'])
        except (ks_exc.HttpError, ks_exc.ConnectionError) as e:
            raise exception.ServiceUnavailable(
                reason='Cannot ask Nova whether instance %s is a server of '
                       'project %s: %s' % (self.object_id,
                                           data['project_id'], e))

    def normalize(self, values):
        migration_type = values.get('migration_type')
        values['migration_type'] = schema.MIGRATION_SYNONYMS.get(
            migration_type, migration_type)
        return values


class InstanceCollection(base.Controller):
    """``/v1/instance``: only its members are resources."""

    def child(self, segment):
        return InstanceController(base.check_uuid('instance_id', segment))
