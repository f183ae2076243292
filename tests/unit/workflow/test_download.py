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
"""Session downloads from real files and a real HTTP server on 127.0.0.1."""

import functools
import gzip
import http.server
import os
import socket
import threading
import time

from oslo_config import cfg
import pytest

from fenix import conf as fenix_conf
from fenix.workflow import download

SESSION = '5e55105e-0000-4000-8000-000000000002'
PAYLOAD = b'#!/bin/sh\necho upgrade\n' * 100
ARCHIVE = gzip.compress(PAYLOAD)


@pytest.fixture
def conf(tmp_path):
    c = cfg.ConfigOpts()
    fenix_conf.register_opts(c)
    c([], project='fenix', default_config_files=[])
    c.set_override('download_dir', str(tmp_path / 'downloads'),
                   group='actions')
    c.set_override('download_timeout', 5, group='actions')
    return c


@pytest.fixture
def source(tmp_path):
    """A directory of files to download, with PAYLOAD in upgrade.sh."""
    d = tmp_path / 'source'
    d.mkdir()
    (d / 'upgrade.sh').write_bytes(PAYLOAD)
    return d


class _Handler(http.server.SimpleHTTPRequestHandler):

    def do_GET(self):
        self.server.requests.append(self.path)
        if self.path.startswith('/no-length/'):
            # Close-delimited body: the size shows only while streaming.
            self.send_response(200)
            self.end_headers()
            self.wfile.write(PAYLOAD)
            self.close_connection = True
            return
        if self.path == '/archive.gz':
            # NOTE: like a web server that marks .gz files as gzip
            # encoded; a client that accepts gzip would unpack them.
            self.send_response(200)
            if 'gzip' in self.headers.get('Accept-Encoding', ''):
                self.send_header('Content-Encoding', 'gzip')
            self.send_header('Content-Length', str(len(ARCHIVE)))
            self.end_headers()
            self.wfile.write(ARCHIVE)
            return
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server(source):
    server = http.server.ThreadingHTTPServer(
        ('127.0.0.1', 0), functools.partial(_Handler,
                                            directory=str(source)))
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def url_of(server, name):
    return 'http://127.0.0.1:%d/%s' % (server.server_address[1], name)


def file_url(p):
    return 'file://%s' % p


def listing(conf):
    return sorted(os.listdir(download.path(conf, SESSION)))


def test_path_and_remove(conf, tmp_path, source):
    directory = download.path(conf, SESSION)
    assert directory == str(tmp_path / 'downloads' / SESSION)
    assert not os.path.exists(directory)
    download.remove(conf, SESSION)  # nothing there: no error
    download.fetch(conf, SESSION,
                   [{'url': file_url(source / 'upgrade.sh')}])
    assert os.path.isdir(directory)
    download.remove(conf, SESSION)
    assert not os.path.exists(directory)
    assert os.path.isdir(tmp_path / 'downloads')


@pytest.mark.parametrize('session_id', ['', '.', '..', '../x', 'a/b'])
def test_path_refuses_what_is_not_a_session_id(conf, session_id):
    with pytest.raises(ValueError):
        download.path(conf, session_id)


def test_fetch_a_file_url(conf, source):
    paths = download.fetch(conf, SESSION, [
        {'url': file_url(source / 'upgrade.sh'), 'size': len(PAYLOAD)}])
    assert paths == [os.path.join(download.path(conf, SESSION),
                                  'upgrade.sh')]
    with open(paths[0], 'rb') as f:
        assert f.read() == PAYLOAD
    assert listing(conf) == ['upgrade.sh']


def test_fetch_over_http(conf, http_server):
    paths = download.fetch(conf, SESSION, [
        {'url': url_of(http_server, 'upgrade.sh'), 'size': len(PAYLOAD)},
        {'url': url_of(http_server, 'upgrade.sh?again=1')}])
    assert [os.path.basename(p) for p in paths] == ['upgrade.sh',
                                                    'upgrade-2.sh']
    for p in paths:
        with open(p, 'rb') as f:
            assert f.read() == PAYLOAD
    assert http_server.requests == ['/upgrade.sh', '/upgrade.sh?again=1']


def test_http_file_is_stored_as_served(conf, http_server):
    path, = download.fetch(conf, SESSION, [
        {'url': url_of(http_server, 'archive.gz'), 'size': len(ARCHIVE)}])
    with open(path, 'rb') as f:
        assert f.read() == ARCHIVE


def test_nothing_to_fetch(conf):
    assert download.fetch(conf, SESSION, []) == []
    assert not os.path.exists(download.path(conf, SESSION))


def test_http_error(conf, http_server):
    url = url_of(http_server, 'missing.tar.gz')
    with pytest.raises(download.DownloadFailed) as e:
        download.fetch(conf, SESSION, [{'url': url}])
    assert e.value.reason == 'Cannot download %s: HTTP 404 File not found' % (
        url)
    assert listing(conf) == []


def test_http_announces_a_wrong_size(conf, http_server):
    url = url_of(http_server, 'upgrade.sh')
    with pytest.raises(download.DownloadFailed) as e:
        download.fetch(conf, SESSION, [{'url': url, 'size': 10}])
    assert e.value.reason == ('Download of %s has the wrong size: expected '
                              '10 bytes, got %d' % (url, len(PAYLOAD)))
    assert listing(conf) == []


def test_http_stream_larger_than_the_size_stops(conf, http_server):
    url = url_of(http_server, 'no-length/upgrade.sh')
    with pytest.raises(download.DownloadFailed) as e:
        download.fetch(conf, SESSION, [{'url': url, 'size': 10}])
    assert e.value.reason.startswith(
        'Download of %s has the wrong size: expected 10 bytes, got at '
        'least ' % url)
    got = int(e.value.reason.rsplit(' ', 1)[1])
    assert 10 < got <= len(PAYLOAD)
    assert listing(conf) == []
    # Without a size the same body is taken whole.
    path, = download.fetch(conf, SESSION, [{'url': url}])
    with open(path, 'rb') as f:
        assert f.read() == PAYLOAD


def test_file_smaller_than_the_size(conf, source):
    url = file_url(source / 'upgrade.sh')
    with pytest.raises(download.DownloadFailed) as e:
        download.fetch(conf, SESSION, [{'url': url,
                                        'size': len(PAYLOAD) + 1}])
    assert e.value.reason == (
        'Download of %s has the wrong size: expected %d bytes, got %d' % (
            url, len(PAYLOAD) + 1, len(PAYLOAD)))
    assert listing(conf) == []


def test_file_larger_than_the_size(conf, source):
    url = file_url(source / 'upgrade.sh')
    with pytest.raises(download.DownloadFailed) as e:
        download.fetch(conf, SESSION, [{'url': url, 'size': 0}])
    assert 'expected 0 bytes, got at least' in e.value.reason
    assert url in e.value.reason
    assert listing(conf) == []


def test_missing_file(conf, tmp_path):
    url = file_url(tmp_path / 'nope.sh')
    with pytest.raises(download.DownloadFailed) as e:
        download.fetch(conf, SESSION, [{'url': url}])
    assert e.value.reason.startswith('Cannot download %s: ' % url)
    assert 'No such file' in e.value.reason


@pytest.mark.parametrize('url', ['ftp://127.0.0.1/x.sh', 'x.sh',
                                 'file://example.com/etc/hosts'])
def test_urls_that_cannot_be_fetched(conf, url):
    with pytest.raises(download.DownloadFailed) as e:
        download.fetch(conf, SESSION, [{'url': url}])
    assert e.value.reason.startswith('Cannot download %s: ' % url)


def test_refetch_skips_complete_files(conf, source):
    entries = [{'url': file_url(source / 'upgrade.sh'),
                'size': len(PAYLOAD)},
               {'url': file_url(source / 'upgrade.sh')}]
    first = download.fetch(conf, SESSION, entries)
    stats = [os.stat(p) for p in first]
    # The sources are gone: fetching again must not read them.
    os.unlink(source / 'upgrade.sh')
    assert download.fetch(conf, SESSION, entries) == first
    assert [os.stat(p).st_ino for p in first] == [s.st_ino for s in stats]


def test_refetch_over_http_asks_nothing(conf, http_server):
    entries = [{'url': url_of(http_server, 'upgrade.sh'),
                'size': len(PAYLOAD)}]
    first = download.fetch(conf, SESSION, entries)
    assert download.fetch(conf, SESSION, entries) == first
    assert http_server.requests == ['/upgrade.sh']


def test_refetch_replaces_a_file_of_the_wrong_size(conf, source):
    directory = download.path(conf, SESSION)
    os.makedirs(directory)
    with open(os.path.join(directory, 'upgrade.sh'), 'wb') as f:
        f.write(b'truncated')
    # What a crash in the middle of a download leaves.
    with open(os.path.join(directory, '.upgrade.sh.part'), 'wb') as f:
        f.write(b'half')
    path, = download.fetch(conf, SESSION, [
        {'url': file_url(source / 'upgrade.sh'), 'size': len(PAYLOAD)}])
    with open(path, 'rb') as f:
        assert f.read() == PAYLOAD
    assert listing(conf) == ['upgrade.sh']


def test_failure_keeps_earlier_files(conf, source):
    good = file_url(source / 'upgrade.sh')
    bad = file_url(source / 'missing.sh')
    with pytest.raises(download.DownloadFailed):
        download.fetch(conf, SESSION, [{'url': good}, {'url': bad}])
    assert listing(conf) == ['upgrade.sh']


def test_server_that_never_answers_times_out(conf):
    conf.set_override('download_timeout', 0.3, group='actions')
    with socket.socket() as listener:
        # Connections complete in the backlog; nobody ever reads them.
        listener.bind(('127.0.0.1', 0))
        listener.listen(5)
        url = 'http://127.0.0.1:%d/x.sh' % listener.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(download.DownloadFailed) as e:
            download.fetch(conf, SESSION, [{'url': url}])
    assert time.monotonic() - started < 5
    assert e.value.reason.startswith('Cannot download %s: ' % url)
    assert 'timed out' in e.value.reason


def test_download_dir_that_cannot_be_made(conf, tmp_path, source):
    blocker = tmp_path / 'a-file'
    blocker.write_text('')
    conf.set_override('download_dir', str(blocker), group='actions')
    with pytest.raises(download.DownloadFailed) as e:
        download.fetch(conf, SESSION,
                       [{'url': file_url(source / 'upgrade.sh')}])
    assert e.value.reason.startswith('Cannot store %s in %s: ' % (
        file_url(source / 'upgrade.sh'), blocker / SESSION))


def test_file_names():
    assert download.file_names([
        'http://h/a/x.tar.gz', 'http://h/b/x.tar.gz', 'http://h/c/x.tar.gz',
        'http://h/..%2F..%2Fetc%2Fpasswd', 'http://h/', 'http://h',
        'http://h/dir/.hidden', 'http://h/a%20b;c.txt?q=1#frag',
        'file:///srv/pkg/', 'http://h/' + 'n' * 300,
    ]) == ['x.tar.gz', 'x-2.tar.gz', 'x-3.tar.gz', 'passwd', 'download',
           'download-2', 'hidden', 'a_b_c.txt', 'pkg', 'n' * 200]
