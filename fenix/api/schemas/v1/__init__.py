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
"""JSON Schemas of the v1 request bodies, one module per resource.

Shared pieces live here. List lengths are bounded at validation time by
``[api] max_list_length`` (see fenix.api.validation).
"""

UUID = {'type': 'string', 'format': 'uuid'}

TIME = {'type': 'string', 'format': 'fenix-time'}

NON_NEGATIVE_INT = {'type': 'integer', 'minimum': 0}

BOOLEAN = {'type': 'boolean'}

PROJECT_ID = {'type': 'string', 'minLength': 1, 'maxLength': 64}


def name(max_length=255):
    return {'type': 'string', 'minLength': 1, 'maxLength': max_length}


def nullable(schema):
    """The schema, or JSON null."""
    schema = dict(schema)
    schema['type'] = [schema['type'], 'null']
    return schema


# NOTE: Tacker and the OPNFV Doctor app manager repeat the session id in
# every reply body (Tacker sends '' when it has none); it is accepted and
# checked against the path.
SESSION_ID_ECHO = {'type': 'string', 'maxLength': 36}
