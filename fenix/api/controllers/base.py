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
"""What every controller shares: explicit routing and response helpers.

A resource is a :class:`Controller` with a generic ``index`` whose
``index.when(method=...)`` handlers serve the methods it allows (any other
method is a 405) and whose children are named in ``children`` (fixed path
segments) or made by :meth:`Controller.child` (an id in the path).
"""

import datetime
import uuid

import pecan
from pecan import routing
import webob.exc

from fenix.api import policy
from fenix.api import validation
from fenix.common import exception

TIME_FORMAT = '%Y-%m-%d %H:%M:%S'


def method_not_allowed():
    """Body of every generic ``index``: the methods it has no handler for.

    NOTE: Pecan calls the generic function itself for any method without
    a ``when`` handler; the Allow header is added by Pecan.
    """
    raise webob.exc.HTTPMethodNotAllowed()


class Controller:
    #: fixed path segment -> attribute (a Controller or an exposed method).
    children = {}

    def child(self, segment):
        """The controller for a path segment not in ``children``."""
        return None

    # NOTE: Pecan's default object dispatch walks attributes named by the
    # path (``/v1/maintenance/x/__class__``...); routing every segment here
    # keeps the URL space exactly what the controllers declare.
    @pecan.expose()
    def _route(self, args, request):
        args = list(args)
        if args and args[-1] == '':
            args.pop()
        if not args:
            index = getattr(self, 'index', None)
            if not routing.iscontroller(index):
                raise webob.exc.HTTPNotFound()
            return index, []
        head, rest = args[0], args[1:]
        if head in self.children:
            target = getattr(self, self.children[head])
        else:
            target = self.child(head)
        if target is None:
            raise webob.exc.HTTPNotFound()
        if isinstance(target, Controller):
            return target._route(rest, request)
        if rest and rest != ['']:
            raise webob.exc.HTTPNotFound()
        if not routing.iscontroller(target):
            raise webob.exc.HTTPNotFound()
        return target, []


def check_uuid(name, value):
    """Raise ``Invalid`` (400) unless ``value`` is a dashed UUID."""
    try:
        if str(uuid.UUID(value)) == value.lower():
            return value
    except ValueError:
        pass
    raise exception.Invalid(
        message="Invalid input for %s: %r is not a UUID." % (name, value))


def context():
    return pecan.request.context


def conf():
    return pecan.request.conf


def engine_api():
    return pecan.request.engine_api


def body(schema):
    """The request body, parsed and validated against ``schema``."""
    return validation.load_body(pecan.request, schema,
                                max_items=conf().api.max_list_length)


def format_time(value):
    if isinstance(value, datetime.datetime):
        return value.strftime(TIME_FORMAT)
    return value


def public(row, drop=('id', 'session_id', 'generation')):
    """A DB dict as the API shows it: internal keys dropped, times set."""
    return {k: format_time(v) for k, v in row.items() if k not in drop}


class OwnedResource(Controller):
    """A resource that belongs to a project (instance, group constraints).

    PUT creates or replaces it, GET and DELETE need it.

    NOTE: the policy is checked first against the caller's own project (may
    this caller use the resource type at all), then against the project
    that owns the object, which is only known once the body is validated
    or the row is read.
    """

    #: policy rule prefix, e.g. 'fenix:instance_constraint:%s'
    rule = None
    #: name of the id (path segment and body key), e.g. 'instance_id'
    key = None
    #: the body schema of PUT
    schema = None
    #: the columns PUT sets (a PUT replaces every one of them)
    fields = ()

    def __init__(self, object_id):
        self.object_id = object_id

    # DB access, per resource.
    def db_get(self):
        raise NotImplementedError

    def db_put(self, values):
        raise NotImplementedError

    def db_delete(self):
        raise NotImplementedError

    def normalize(self, values):
        return values

    def check_new(self, data):
        """Refuse a new object that is not the caller's to describe."""

    def _authorize(self, action, project_id):
        policy.authorize(context(), self.rule % action,
                         {'project_id': project_id})

    @pecan.expose(generic=True, template='json')
    def index(self):
        method_not_allowed()

    @index.when(method='GET', template='json')
    def get(self):
        self._authorize('get', context().project_id)
        row = self.db_get()
        self._authorize('get', row['project_id'])
        return public(row)

    @index.when(method='PUT', template='json')
    def put(self):
        self._authorize('put', context().project_id)
        data = body(self.schema)
        if data.get(self.key, self.object_id) != self.object_id:
            raise exception.Invalid(
                message="Invalid input for field '%s': %r is not the %s "
                        "%s of the URL." % (self.key, data[self.key],
                                            self.key, self.object_id))
        self._authorize('put', data['project_id'])
        try:
            existing = self.db_get()
        except exception.NotFound:
            existing = None
        if existing and existing['project_id'] != data['project_id']:
            # NOTE: a project cannot take over another's constraints.
            self._authorize('put', existing['project_id'])
        if existing is None:
            self.check_new(data)
        values = {name: data.get(name) for name in self.fields}
        values[self.key] = self.object_id
        return public(self.db_put(self.normalize(values)))

    @index.when(method='DELETE', template='json')
    def delete(self):
        self._authorize('delete', context().project_id)
        row = self.db_get()
        self._authorize('delete', row['project_id'])
        self.db_delete()
        return public(row)
