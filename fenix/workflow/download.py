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
"""The files a session lists in ``download``, fetched before its actions.

Each entry is ``{"url": ..., "size": ...}`` (size optional). The files land
in ``[actions] download_dir/<session_id>/`` named after the last segment of
their URL, where action plug-ins find them (the ``script`` action runs in
that directory). A file is written under a temporary name and renamed when
complete, so a file present under its own name is whole: fetching again
after a crash skips it (when its size is the expected one).
"""

import os
import re
import shutil
from urllib import parse
from urllib import request as urllib_request

from oslo_log import log as logging
import requests

LOG = logging.getLogger(__name__)

CHUNK = 64 * 1024
DEFAULT_NAME = 'download'
MAX_NAME = 200
_UNSAFE = re.compile(r'[^A-Za-z0-9._+-]')


class DownloadFailed(Exception):
    """A file could not be fetched; ``reason`` tells the admin why."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def path(conf, session_id):
    """The directory of the session's downloads (it may not exist)."""
    session_id = str(session_id)
    if (not session_id or session_id in ('.', '..')
            or '/' in session_id or os.sep in session_id):
        raise ValueError('Not a session id: %r' % session_id)
    return os.path.join(conf.actions.download_dir, session_id)


def remove(conf, session_id):
    """Delete the session's downloads; nothing to do when there are none."""
    shutil.rmtree(path(conf, session_id), ignore_errors=True)


def fetch(conf, session_id, entries):
    """Fetch every entry into :func:`path`; return the local paths in order.

    Raises DownloadFailed on the first entry that cannot be fetched whole
    (with the expected size, when the entry gives one).
    """
    directory = path(conf, session_id)
    timeout = conf.actions.download_timeout
    paths = []
    for entry, name in zip(entries, file_names(e['url'] for e in entries)):
        url, size = entry['url'], entry.get('size')
        target = os.path.join(directory, name)
        if _complete(target, size):
            LOG.debug('Session %s: %s already downloaded', session_id, url)
            paths.append(target)
            continue
        # NOTE: names never start with a dot, so the partial file cannot
        # take the name of another entry.
        partial = os.path.join(directory, '.%s.part' % name)
        try:
            os.makedirs(directory, exist_ok=True)
            with open(partial, 'wb') as out:
                _copy(url, size, out, timeout)
            os.replace(partial, target)
        except OSError as e:
            _unlink(partial)
            raise DownloadFailed('Cannot store %s in %s: %s' % (
                url, directory, e))
        except BaseException:
            _unlink(partial)
            raise
        LOG.info('Session %s: downloaded %s to %s', session_id, url,
                 target)
        paths.append(target)
    return paths


def file_names(urls):
    """Safe local names for ``urls``, in order; duplicates get a suffix."""
    names = []
    taken = set()
    for url in urls:
        name = _safe_name(url)
        candidate, n = name, 1
        while candidate in taken:
            n += 1
            stem, dot, ext = name.partition('.')
            candidate = '%s-%d%s%s' % (stem, n, dot, ext)
        taken.add(candidate)
        names.append(candidate)
    return names


def _safe_name(url):
    segment = parse.unquote(parse.urlsplit(url).path).rstrip('/')
    name = _UNSAFE.sub('_', segment.rsplit('/', 1)[-1]).lstrip('.')
    return name[-MAX_NAME:] or DEFAULT_NAME


def _complete(target, size):
    try:
        actual = os.path.getsize(target)
    except OSError:
        return False
    return size is None or actual == size


def _unlink(name):
    try:
        os.unlink(name)
    except OSError:
        pass


def _copy(url, size, out, timeout):
    scheme = parse.urlsplit(url).scheme.lower()
    if scheme in ('http', 'https'):
        _copy_http(url, size, out, timeout)
    elif scheme == 'file':
        _copy_file(url, size, out)
    else:
        raise DownloadFailed('Cannot download %s: unsupported URL scheme '
                             '%r (http, https or file)' % (url, scheme))


def _copy_http(url, size, out, timeout):
    try:
        # NOTE: ask for the file as it is: requests would undo a
        # Content-Encoding, and Content-Length counts encoded bytes.
        with requests.get(url, stream=True, timeout=timeout,
                          headers={'Accept-Encoding': 'identity'}
                          ) as response:
            if response.status_code != 200:
                raise DownloadFailed('Cannot download %s: HTTP %s %s' % (
                    url, response.status_code, response.reason))
            length = response.headers.get('Content-Length', '')
            encoded = response.headers.get('Content-Encoding', 'identity')
            if (size is not None and length.isdigit()
                    and encoded == 'identity' and int(length) != size):
                raise _size_error(url, size, int(length))
            _write(url, size, response.iter_content(CHUNK), out)
    except requests.RequestException as e:
        raise DownloadFailed('Cannot download %s: %s' % (url, e))


def _copy_file(url, size, out):
    parts = parse.urlsplit(url)
    if parts.netloc not in ('', 'localhost'):
        raise DownloadFailed('Cannot download %s: a file URL must name a '
                             'local file' % url)
    source = urllib_request.url2pathname(parts.path)
    try:
        with open(source, 'rb') as f:
            _write(url, size, iter(lambda: f.read(CHUNK), b''), out)
    except OSError as e:
        raise DownloadFailed('Cannot download %s: %s' % (url, e))


def _write(url, size, chunks, out):
    written = 0
    for chunk in chunks:
        written += len(chunk)
        if size is not None and written > size:
            # NOTE: stop at once: a wrong URL may name a huge file.
            raise _size_error(url, size, 'at least %d' % written)
        out.write(chunk)
    if size is not None and written != size:
        raise _size_error(url, size, written)


def _size_error(url, expected, actual):
    return DownloadFailed('Download of %s has the wrong size: expected %d '
                          'bytes, got %s' % (url, expected, actual))
