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
"""Request body parsing and JSON Schema validation.

Every failure is ``exception.Invalid`` (400) with a message naming the
field and what is wrong with it, e.g.
``Invalid input for field 'hosts/0': 5 is not of type 'string'.``
"""

import datetime
import json
import re

import jsonschema

from fenix.common import exception

JSON_TYPE = 'application/json'

# "YYYY-MM-DD HH:MM:SS" (the documented form) or ISO 8601 with a time:
# "T" separator, fractions of seconds, "Z" or a UTC offset.
_TIME_RE = re.compile(r'^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?'
                      r'(Z|[+-]\d{2}(:?\d{2})?)?$')

_FORMAT_NAMES = {
    'uuid': 'a UUID',
    'fenix-time': 'a UTC time "YYYY-MM-DD HH:MM:SS" (or ISO 8601)',
}


_JSON_TYPES = {list: 'an array', str: 'a string', int: 'a number',
               float: 'a number', bool: 'a boolean', type(None): 'null'}


def parse_time(value):
    """A naive UTC datetime from a documented time string.

    Raises ValueError for anything else.
    """
    if not isinstance(value, str) or not _TIME_RE.match(value):
        raise ValueError('not a time: %r' % (value,))
    parsed = datetime.datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(
            tzinfo=None)
    return parsed


_FORMAT_CHECKER = jsonschema.FormatChecker(formats=('uuid',))


@_FORMAT_CHECKER.checks('fenix-time', raises=ValueError)
def _check_time(value):
    if isinstance(value, str):
        parse_time(value)
    return True


# id(schema) -> (schema, validator); the schemas are module constants.
_VALIDATORS = {}


def _validator(schema):
    entry = _VALIDATORS.get(id(schema))
    if entry is None or entry[0] is not schema:
        jsonschema.Draft202012Validator.check_schema(schema)
        entry = (schema, jsonschema.Draft202012Validator(
            schema, format_checker=_FORMAT_CHECKER))
        _VALIDATORS[id(schema)] = entry
    return entry[1]


def _field(path):
    return '/'.join(str(p) for p in path)


def _message(error):
    path = list(error.absolute_path)
    where = ("Invalid input for field '%s'" % _field(path) if path
             else 'Invalid input')
    if error.validator == 'additionalProperties':
        known = set(error.schema.get('properties', {}))
        extra = sorted(k for k in error.instance if k not in known)
        names = ', '.join("'%s'" % _field(path + [k]) for k in extra)
        return 'Invalid input: unknown field%s %s.' % (
            's' if len(extra) > 1 else '', names)
    if error.validator == 'required':
        missing = [k for k in error.validator_value
                   if k not in error.instance]
        return 'Invalid input: missing required field %s.' % ', '.join(
            "'%s'" % _field(path + [k]) for k in missing)
    if error.validator == 'format':
        return '%s: %r is not %s.' % (
            where, error.instance,
            _FORMAT_NAMES.get(error.validator_value, error.validator_value))
    return '%s: %s.' % (where, error.message)


def _check_lengths(value, limit, path=()):
    # NOTE: every list, and every object but the body itself (whose keys
    # the schema fixes): instance_actions and metadata are maps too.
    if isinstance(value, (list, dict)):
        if len(value) > limit and path:
            raise exception.Invalid(
                message="Invalid input for field '%s': %d items, at most %d "
                        "are allowed ([api] max_list_length)."
                        % (_field(path), len(value), limit))
        items = value.items() if isinstance(value, dict) else enumerate(
            value)
        for key, item in items:
            _check_lengths(item, limit, path + (key,))


def validate(body, schema, max_items=None):
    """Validate a decoded body; raise ``Invalid`` naming the problem.

    :param max_items: most items of any list or object in the body.
        Checked first: a schema error is not worth looking for in a body
        that is too long.
    """
    if max_items is not None:
        _check_lengths(body, max_items)
    error = jsonschema.exceptions.best_match(
        _validator(schema).iter_errors(body))
    if error is not None:
        raise exception.Invalid(message=_message(error))
    return body


def load_body(request, schema, max_items=None):
    """The request's JSON object body, validated against ``schema``."""
    if request.content_type != JSON_TYPE:
        raise exception.Invalid(
            message='Invalid input: the request body must be JSON with '
                    'Content-Type %s, not %r.'
                    % (JSON_TYPE, request.content_type or '(none)'))
    raw = request.body
    if not raw.strip():
        raise exception.Invalid(
            message='Invalid input: the request body is empty; a JSON '
                    'object is required.')
    try:
        body = json.loads(raw)
    except ValueError as e:
        # NOTE: UnicodeDecodeError is a ValueError too.
        raise exception.Invalid(
            message='Invalid input: the request body is not valid JSON '
                    '(%s).' % e)
    if not isinstance(body, dict):
        raise exception.Invalid(
            message='Invalid input: the request body must be a JSON object, '
                    'not %s.' % _JSON_TYPES.get(type(body), 'that'))
    return validate(body, schema, max_items)
