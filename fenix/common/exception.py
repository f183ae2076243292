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
"""Typed exceptions.

Each carries an HTTP ``code`` and a ``msg_fmt``; the API's fault wrapper
turns one into the JSON error body, so a handler raises and never builds an
error response itself.
"""


class FenixException(Exception):
    """Base exception: ``msg_fmt % kwargs`` is the message."""

    msg_fmt = 'An unknown exception occurred.'
    code = 500
    title = 'Internal Server Error'

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if not message:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError):
                # NOTE: a wrong format is a bug of ours; still say something
                # useful rather than raising from the error path.
                message = self.msg_fmt
        self.message = message
        super().__init__(message)


class Invalid(FenixException):
    code = 400
    title = 'Bad Request'
    msg_fmt = 'Invalid input: %(reason)s'


class Forbidden(FenixException):
    code = 403
    title = 'Forbidden'
    msg_fmt = 'Policy does not allow %(action)s to be performed.'


class NotFound(FenixException):
    code = 404
    title = 'Not Found'
    msg_fmt = 'Resource could not be found.'


class SessionNotFound(NotFound):
    msg_fmt = 'Maintenance session %(session_id)s could not be found.'


class ProjectNotFound(NotFound):
    msg_fmt = ('Project %(project_id)s takes no part in maintenance session '
               '%(session_id)s.')


class InstanceNotFound(NotFound):
    msg_fmt = ('Instance %(instance_id)s is not in maintenance session '
               '%(session_id)s.')


class NotYourInstance(Forbidden):
    msg_fmt = ('Instance %(instance_id)s is not a server of project '
               '%(project_id)s in Nova; a project sets constraints on its '
               'own instances.')


class InstanceConstraintNotFound(NotFound):
    msg_fmt = 'No constraints are stored for instance %(instance_id)s.'


class InstanceGroupNotFound(NotFound):
    msg_fmt = 'No constraints are stored for instance group %(group_id)s.'


class Conflict(FenixException):
    code = 409
    title = 'Conflict'
    msg_fmt = 'Conflict: %(reason)s'


class ConcurrentUpdate(Conflict):
    msg_fmt = ('%(what)s was changed by another request; read it again and '
               'retry.')


class HostInUse(Conflict):
    msg_fmt = ('Host(s) %(hosts)s already belong to active maintenance '
               'session %(session_id)s.')


class InvalidState(FenixException):
    code = 422
    title = 'Unprocessable Entity'
    msg_fmt = '%(reason)s'


class ServiceUnavailable(FenixException):
    code = 503
    title = 'Service Unavailable'
    msg_fmt = '%(reason)s'


class TooManySessions(FenixException):
    code = 509
    title = 'Bandwidth Limit Exceeded'
    msg_fmt = ('Too many active maintenance sessions: %(count)d of at most '
               '%(limit)d.')


class PluginNotFound(Invalid):
    msg_fmt = 'Unknown %(kind)s plug-in %(name)r; available: %(available)s.'
