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
"""The documentation, the API reference and the release notes.

Each is built as ``tox -e docs``, ``tox -e api-ref`` and ``tox -e
releasenotes`` build it (offline, warnings as errors); then the pages and
samples are checked against the code they describe: every option and
policy rule is in the references, every route of the API is in the API
reference, and the samples are what the API and the notifier accept and
send.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import uuid

import pytest
import yaml

from fenix.api.controllers import base as controller_base
from fenix.api.controllers import root
from fenix.api.schemas.v1 import instance as instance_schema
from fenix.api.schemas.v1 import instance_group as group_schema
from fenix.api.schemas.v1 import maintenance as maintenance_schema
from fenix.api.schemas.v1 import project as project_schema
from fenix.api import validation
from fenix.conf import opts as conf_opts
from fenix.notify import notifier as notifier_mod
from fenix import policies

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
API_REF = os.path.join(ROOT, 'api-ref', 'source')
API_SAMPLES = os.path.join(API_REF, 'samples')
NOTIFICATION_SAMPLES = os.path.join(ROOT, 'doc', 'source', 'reference',
                                    'samples')
NOTES = os.path.join(ROOT, 'releasenotes', 'notes')

# Every request sample and the schema the API validates that body with.
REQUEST_SCHEMAS = {
    'session-create-req.json': maintenance_schema.CREATE,
    'session-update-req.json': maintenance_schema.UPDATE,
    'project-put-req.json': project_schema.PROJECT_REPLY,
    'project-put-maintenance-req.json': project_schema.PROJECT_REPLY,
    'project-instance-put-req.json': project_schema.INSTANCE_REPLY,
    'instance-constraint-put-req.json': instance_schema.PUT,
    'instance-group-put-req.json': group_schema.PUT,
}

# An operation of os-api-ref's HTML: its method badge, then its URL.
OPERATION = re.compile(r'<span class="badge label-(\w+)">.*?'
                       r'<div class="endpoint-url">(.*?)</div>', re.S)


def _sphinx(source, out, cwd=ROOT):
    """Build ``source`` into ``out`` as tox does; fail with the output."""
    proc = subprocess.run(
        [sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-q',
         '-b', 'html', source, str(out)],
        cwd=cwd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, (
        'sphinx-build %s failed (%d):\n%s\n%s' % (
            os.path.relpath(source, ROOT), proc.returncode, proc.stdout,
            proc.stderr))
    return out


def _text(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def _json(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


@pytest.fixture(scope='module')
def doc_html(tmp_path_factory):
    return _sphinx(os.path.join(ROOT, 'doc', 'source'),
                   tmp_path_factory.mktemp('doc'))


@pytest.fixture(scope='module')
def api_ref_html(tmp_path_factory):
    return _sphinx(API_REF, tmp_path_factory.mktemp('api-ref'))


# -- the documentation -------------------------------------------------------

def test_config_reference_has_every_option(doc_html):
    page = _text(doc_html / 'configuration' / 'config.html')
    expected = ['%s.%s' % (group, opt.dest)
                for group, options in conf_opts.list_opts()
                for opt in options]
    assert 'workflow.max_parallel_hosts' in expected
    missing = [name for name in expected if 'id="%s"' % name not in page]
    assert not missing, 'options missing from the configuration reference'


def test_policy_reference_has_every_rule(doc_html):
    page = _text(doc_html / 'configuration' / 'policy.html')
    missing = [rule.name for rule in policies.list_rules()
               if rule.name not in page]
    assert not missing, missing


def test_sample_files_are_included(doc_html):
    page = _text(doc_html / 'configuration' / 'sample-config.html')
    assert 'max_parallel_hosts' in page
    page = _text(doc_html / 'configuration' / 'sample-policy.html')
    assert 'fenix:project:reply' in page


# -- the API reference -------------------------------------------------------

def _routes(controller, path='', depth=0):
    """(METHOD, path) of every handler reachable from ``controller``.

    A child made from an id (``Controller.child``) is asked for with a
    fresh UUID; the attribute of the child that holds it names the path
    parameter.
    """
    found = set()
    index = getattr(controller, 'index', None)
    for method in _methods(index):
        found.add((method, path or '/'))
    for segment, attr in sorted(controller.children.items()):
        target = getattr(controller, attr)
        if isinstance(target, controller_base.Controller):
            found |= _routes(target, '%s/%s' % (path, segment), depth)
        else:
            for method in _methods(target):
                found.add((method, '%s/%s' % (path, segment)))
    sentinel = str(uuid.uuid4())
    child = controller.child(sentinel)
    if child is not None:
        names = [name for name, value in sorted(vars(child).items())
                 if value == sentinel]
        assert len(names) == 1, (type(child), names)
        name = names[0]
        if name == 'object_id':
            name = child.key
        found |= _routes(child, '%s/{%s}' % (path, name), depth + 1)
    return found


def _methods(handler):
    generic = getattr(handler, '_pecan', {}).get('generic_handlers', {})
    return [m for m in generic if m != 'DEFAULT']


def _documented_routes(page):
    """(METHOD, path) of every operation of the built API reference."""
    routes = set()
    for method, url in OPERATION.findall(page):
        path = re.sub(r'<[^>]+>', '', url)
        routes.add((method, path.rstrip('/') or '/'))
    return routes


def test_api_ref_documents_every_route(api_ref_html):
    routes = _routes(root.RootController())
    # The controllers themselves, as a sanity check of the walk.
    assert ('PUT', '/v1/maintenance/{session_id}/{project_id}/'
            '{instance_id}') in routes
    assert ('DELETE', '/v1/instance_group/{group_id}') in routes
    documented = _documented_routes(_text(api_ref_html / 'index.html'))
    assert documented == routes, (
        'undocumented: %s; documented but not served: %s' % (
            sorted(routes - documented), sorted(documented - routes)))


def _samples():
    return sorted(glob.glob(os.path.join(API_SAMPLES, '*.json'))
                  + glob.glob(os.path.join(NOTIFICATION_SAMPLES, '*.json')))


def test_samples_are_json_objects():
    samples = _samples()
    assert len(samples) > 30
    for path in samples:
        assert isinstance(_json(path), dict), path


def test_samples_are_used():
    pages = []
    for source in (API_REF, os.path.join(ROOT, 'doc', 'source')):
        for pattern in ('*.inc', '*.rst'):
            pages += glob.glob(os.path.join(source, '**', pattern),
                               recursive=True)
    used = ''.join(_text(p) for p in pages)
    unused = [os.path.basename(p) for p in _samples()
              if os.path.basename(p) not in used]
    assert not unused, 'samples no page includes: %s' % unused


def test_request_samples_pass_the_api_schemas():
    requests = sorted(os.path.basename(p) for p in
                      glob.glob(os.path.join(API_SAMPLES, '*-req.json')))
    assert requests == sorted(REQUEST_SCHEMAS), (
        'map every request sample to its schema in REQUEST_SCHEMAS')
    for name, schema in sorted(REQUEST_SCHEMAS.items()):
        validation.validate(_json(os.path.join(API_SAMPLES, name)), schema)


def test_error_samples_have_the_error_shape():
    errors = glob.glob(os.path.join(API_SAMPLES, 'error-*-resp.json'))
    assert errors
    for path in errors:
        error = _json(path)['error']
        assert set(error) == {'code', 'title', 'message'}, path
        code = int(re.search(r'error-(\d+)-', path).group(1))
        assert error['code'] == code, path


class _Recorder:
    def __init__(self):
        self.sent = []

    def info(self, context, event_type, payload):
        self.sent.append((event_type, payload))


def test_notification_samples_have_the_notifier_fields():
    recorder = _Recorder()
    notifier = notifier_mod.Notifier(recorder)
    notifier.project('s', 'p', 'MAINTENANCE', 'url', [], 'url', None, None,
                     {})
    notifier.host('s', 'compute-0', 'IN_MAINTENANCE')
    notifier.session('s', 'MAINTENANCE_DONE', 100)
    fields = {event: set(payload) for event, payload in recorder.sent}
    prefixes = {'scheduled-': notifier_mod.PROJECT_EVENT,
                'host-': notifier_mod.HOST_EVENT,
                'session-': notifier_mod.SESSION_EVENT}
    samples = glob.glob(os.path.join(NOTIFICATION_SAMPLES, '*.json'))
    assert samples
    for path in samples:
        name = os.path.basename(path)
        event = [e for p, e in prefixes.items() if name.startswith(p)]
        assert len(event) == 1, name
        assert set(_json(path)) == fields[event[0]], name


# -- the release notes -------------------------------------------------------

def test_release_notes(tmp_path):
    """reno reads committed notes: build from a fresh repository of them.

    That way the notes of the working tree are checked whether or not they
    are committed yet.
    """
    repo = tmp_path / 'repo'
    shutil.copytree(os.path.join(ROOT, 'releasenotes'),
                    repo / 'releasenotes',
                    ignore=shutil.ignore_patterns('build'))
    git = ['git', '-c', 'user.name=docs', '-c', 'user.email=docs@example.com',
           '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false']
    for args in (['init', '-q'], ['add', '-A'], ['commit', '-qm', 'notes']):
        subprocess.run(git + args, cwd=repo, check=True, capture_output=True,
                       timeout=60)
    reno = os.path.join(os.path.dirname(sys.executable), 'reno')
    proc = subprocess.run([reno, 'lint'], cwd=repo, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    html = _sphinx(str(repo / 'releasenotes' / 'source'), tmp_path / 'html',
                   cwd=repo)
    page = _text(html / 'unreleased.html')
    notes = glob.glob(os.path.join(NOTES, '*.yaml'))
    preludes = [n for n in notes if 'prelude' in yaml.safe_load(_text(n))]
    assert len(preludes) == 1, preludes
    text = re.sub(r'\s+', ' ', re.sub(r'<[^>]+>', ' ', page))
    for section in ('Prelude', 'New Features', 'Upgrade Notes',
                    'Known Issues', 'Security Issues'):
        assert section in text, section
    for path in notes:
        # NOTE: the first words of each note, whatever the markup between.
        note = yaml.safe_load(_text(path))
        first = [v for v in note.values()][0]
        first = first if isinstance(first, str) else first[0]
        words = re.findall(r'[A-Za-z]+', first)[:8]
        assert re.search(r'[\W\d_]+'.join(words), text), (
            os.path.basename(path))
