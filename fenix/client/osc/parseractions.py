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
"""argparse actions of the maintenance commands."""

import argparse
import json
import re


def json_or_string(value):
    """``value`` decoded as JSON when it is JSON, else the string itself.

    ``--metadata openstack_version=Zed`` gives "Zed", ``--metadata
    retries=3`` gives 3, ``--metadata 'hosts=["a","b"]'`` a list.
    """
    try:
        return json.loads(value)
    except ValueError:
        return value


def non_negative_int(value):
    number = int(value)
    if number < 0:
        raise ValueError('must not be negative')
    return number


def positive_float(value):
    number = float(value)
    if not 0 < number < float('inf'):
        raise argparse.ArgumentTypeError('%r is not a positive number'
                                         % value)
    return number


def json_object(value):
    decoded = json.loads(value)
    if not isinstance(decoded, dict):
        raise ValueError('must be a JSON object')
    return decoded


class KeyValueSpecAction(argparse.Action):
    """Appends a dict given as ``key=value,key=value``.

    Unlike osc-lib's MultiKeyValueAction a comma only separates pairs
    when a known key follows it, so that a value may hold commas (a JSON
    object, a URL): ``plugin=script,type=host,metadata={"a": 1, "b": 2}``.

    :param keys: the keys a pair may have.
    :param required_keys: the keys every value must give.
    :param converters: dict of key to a function that converts the string
        (raising ValueError or TypeError when it cannot).
    :param free_keys: the keys whose value may hold ``,name=``; in any
        other value it is taken for an unknown key.
    """

    _UNKNOWN_KEY = re.compile(r',\s*([\w-]+)=')

    def __init__(self, option_strings, dest, keys=(), required_keys=(),
                 converters=None, free_keys=(), **kwargs):
        kwargs.setdefault('default', None)
        super().__init__(option_strings, dest, **kwargs)
        self.keys = tuple(keys)
        self.required_keys = tuple(required_keys)
        self.converters = converters or {}
        self.free_keys = tuple(free_keys)
        self._split = re.compile(',(?=(?:%s)=)' % '|'.join(
            re.escape(k) for k in self.keys))

    def parse(self, text):
        """The dict ``text`` gives; ValueError says what is wrong."""
        result = {}
        for pair in self._split.split(text):
            key, sep, value = pair.partition('=')
            if not sep or key not in self.keys:
                raise ValueError(
                    'expected key=value pairs with keys %s, got %r' % (
                        ', '.join(self.keys), pair))
            if key in result:
                raise ValueError('%s is given twice' % key)
            unknown = (key not in self.free_keys
                       and self._UNKNOWN_KEY.search(value))
            if unknown:
                raise ValueError('unknown key %s; the keys are %s' % (
                    unknown.group(1), ', '.join(self.keys)))
            convert = self.converters.get(key)
            if convert is not None:
                try:
                    value = convert(value)
                except (TypeError, ValueError) as e:
                    raise ValueError('invalid %s %r: %s' % (key, value, e))
            result[key] = value
        missing = [k for k in self.required_keys if k not in result]
        if missing:
            raise ValueError('%s missing in %r' % (', '.join(missing), text))
        return result

    def __call__(self, parser, namespace, values, option_string=None):
        try:
            item = self.parse(values)
        except ValueError as e:
            raise argparse.ArgumentError(self, str(e))
        items = getattr(namespace, self.dest, None) or []
        setattr(namespace, self.dest, items + [item])
