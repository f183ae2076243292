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
"""The OpenStackClient plug-in: ``openstack maintenance ...``.

Registered as ``openstack.cli.extension = maintenance`` (setup.cfg); its
commands are in the ``openstack.maintenance.v1`` group. The endpoint comes
from the service catalog (service type ``maintenance``, ``--os-interface``,
``--os-region-name``) unless ``--os-maintenance-endpoint`` gives it; with
``--os-auth-type none`` (a Fenix with ``auth_strategy = noauth``) it must
be given.
"""

import logging

from osc_lib import exceptions
from osc_lib import utils
from oslo_utils import importutils

LOG = logging.getLogger(__name__)

DEFAULT_API_VERSION = '1'
API_VERSION_OPTION = 'os_maintenance_api_version'
API_NAME = 'maintenance'
API_VERSIONS = {'1': 'fenix.client.v1.client.Client'}

# NOTE: named <service type>_endpoint_override once parsed (the "os_"
# prefix is dropped), the key osc-lib and openstacksdk read an endpoint
# override of a service type from; clouds.yaml may set it too.
ENDPOINT_OPTION = 'os_maintenance_endpoint_override'


def make_client(instance):
    """The maintenance client of the OpenStackClient's ClientManager."""
    version = instance._api_version[API_NAME]
    if version not in API_VERSIONS:
        raise exceptions.UnsupportedVersion(
            'Maintenance API version %s is not supported; use one of: %s'
            % (version, ', '.join(sorted(API_VERSIONS))))
    cls = importutils.import_class(API_VERSIONS[version])
    endpoint = instance.get_configuration().get(
        ENDPOINT_OPTION.replace('os_', '', 1))
    LOG.debug('Instantiating maintenance client %s (endpoint %s)', cls,
              endpoint or 'from the catalog')
    return cls(session=instance.session, endpoint_override=endpoint,
               interface=instance.interface,
               region_name=instance.region_name)


def build_option_parser(parser):
    """Add the plug-in's global options."""
    parser.add_argument(
        '--os-maintenance-api-version',
        metavar='<maintenance-api-version>',
        default=utils.env('OS_MAINTENANCE_API_VERSION'),
        choices=sorted(API_VERSIONS),
        help='Maintenance API version, default=%s '
             '(Env: OS_MAINTENANCE_API_VERSION)' % DEFAULT_API_VERSION)
    parser.add_argument(
        '--os-maintenance-endpoint',
        metavar='<url>',
        dest=ENDPOINT_OPTION,
        default=utils.env('OS_MAINTENANCE_ENDPOINT'),
        help='URL of the maintenance service (Fenix), instead of the one '
             'in the service catalog; needed with --os-auth-type none '
             '(Env: OS_MAINTENANCE_ENDPOINT)')
    return parser
