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
"""argparse actions: --action/--download specs and JSON metadata values."""

import argparse

import pytest

from fenix.client.osc import parseractions


@pytest.fixture
def parser():
    parser = argparse.ArgumentParser(prog='test')
    parser.add_argument(
        '--action', dest='actions', action=parseractions.KeyValueSpecAction,
        keys=('plugin', 'type', 'order', 'metadata'),
        required_keys=('plugin', 'type'), free_keys=('metadata',),
        converters={'order': parseractions.non_negative_int,
                    'metadata': parseractions.json_object})
    parser.add_argument(
        '--download', action=parseractions.KeyValueSpecAction,
        keys=('url', 'size'), required_keys=('url',), free_keys=('url',),
        converters={'size': parseractions.non_negative_int})
    return parser


def test_none_given(parser):
    args = parser.parse_args([])
    assert args.actions is None and args.download is None


def test_action_with_every_key(parser):
    args = parser.parse_args([
        '--action', 'plugin=script,type=host,order=2,metadata={"command": '
                    '["false", "x,y"], "timeout": 5}',
        '--action', 'plugin=dummy,type=pre'])
    assert args.actions == [
        {'plugin': 'script', 'type': 'host', 'order': 2,
         'metadata': {'command': ['false', 'x,y'], 'timeout': 5}},
        {'plugin': 'dummy', 'type': 'pre'}]


def test_keys_in_any_order(parser):
    args = parser.parse_args(['--action', 'type=post,plugin=dummy,order=0'])
    assert args.actions == [{'plugin': 'dummy', 'type': 'post', 'order': 0}]


def test_download_url_with_commas_and_equals(parser):
    args = parser.parse_args([
        '--download', 'url=http://h/a.tgz?x=1,y=2,size=10',
        '--download', 'url=http://h/b'])
    assert args.download == [{'url': 'http://h/a.tgz?x=1,y=2', 'size': 10},
                             {'url': 'http://h/b'}]


@pytest.mark.parametrize('value,message', [
    ('plugin=dummy', 'type missing'),
    ('plugin=dummy,type=host,order=x', "invalid order 'x'"),
    ('plugin=dummy,type=host,order=-1', 'must not be negative'),
    ('plugin=dummy,type=host,metadata={nope', "invalid metadata '{nope'"),
    ('plugin=dummy,type=host,metadata=[1]', 'must be a JSON object'),
    ('plugin=dummy,type=host,colour=red',
     'unknown key colour; the keys are plugin, type, order, metadata'),
    ('colour=red,plugin=dummy,type=host',
     "keys plugin, type, order, metadata, got 'colour=red'"),
    ('plugin=dummy,plugin=script,type=host', 'plugin is given twice'),
    ('dummy', "got 'dummy'"),
])
def test_bad_action(parser, capsys, value, message):
    with pytest.raises(SystemExit) as e:
        parser.parse_args(['--action', value])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert 'argument --action: ' in err
    assert message in err


@pytest.mark.parametrize('text,value', [
    ('Zed', 'Zed'),
    ('3', 3),
    ('true', True),
    ('["a", "b"]', ['a', 'b']),
    ('{"k": 1}', {'k': 1}),
    ('"quoted"', 'quoted'),
    ('', ''),
    ('a b', 'a b'),
])
def test_json_or_string(text, value):
    assert parseractions.json_or_string(text) == value
