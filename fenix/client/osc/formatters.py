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
"""How the parts of a session read in a table.

Each column shows a line per item in table and value formats
(``human_readable``) and the structure as the API gave it in json and
yaml (``machine_readable``).
"""

import json

from cliff import columns

#: characters of a free text (reason, details) shown on one line.
TEXT_LIMIT = 100


def shorten(text, limit=TEXT_LIMIT):
    text = ' '.join(str(text).split())
    if len(text) > limit:
        return text[:limit - 3] + '...'
    return text


def _clock(timestamp):
    """``HH:MM:SS`` of an API time (``YYYY-MM-DD HH:MM:SS``)."""
    if not timestamp:
        return '--:--:--'
    return str(timestamp).rsplit(' ', 1)[-1][:8]


def host_line(host):
    line = '%s  %s' % (host.get('hostname'), host.get('state'))
    if host.get('disabled_by_us'):
        line += ', disabled by Fenix'
    if host.get('finished_at'):
        line += ', done %s' % _clock(host['finished_at'])
    return line


def project_line(project):
    line = '%s  %s' % (project.get('project_id'),
                       project.get('state') or '-')
    if project.get('reply'):
        line += ', replied %s' % project['reply']
    if not project.get('subscribed', True):
        line += ', not subscribed'
    return line


def instance_line(instance):
    name = instance.get('instance_name') or instance.get('instance_id')
    line = '%s on %s  %s' % (name, instance.get('host') or '-',
                             instance.get('state'))
    if instance.get('action'):
        line += ', %s' % instance['action']
    return line


def action_line(action):
    line = '%s  %s, order %s' % (action.get('plugin'), action.get('type'),
                                 action.get('order', 0))
    if action.get('metadata'):
        line += '  %s' % shorten(json.dumps(action['metadata'],
                                            sort_keys=True))
    return line


def action_run_line(run):
    line = '%s  %s%s  %s' % (
        run.get('plugin'), run.get('type'),
        ' on %s' % run['hostname'] if run.get('hostname') else '',
        run.get('state'))
    if run.get('reason'):
        line += ': %s' % shorten(run['reason'])
    return line


def history_line(event):
    line = '%s  %-20s %s' % (_clock(event.get('created_at')),
                             event.get('state'), event.get('step'))
    if event.get('host'):
        line += ' %s' % event['host']
    line += '  [%s]' % event.get('outcome')
    if event.get('details'):
        line += ' %s' % shorten(event['details'], 60)
    return line


class _Lines(columns.FormattableColumn):
    """A list of dicts: a line each for people, the list for machines."""

    @staticmethod
    def line(item):
        raise NotImplementedError

    def human_readable(self):
        return '\n'.join(self.line(item) for item in self._value or ())

    def machine_readable(self):
        return self._value


class HostsColumn(_Lines):
    line = staticmethod(host_line)


class ProjectsColumn(_Lines):
    line = staticmethod(project_line)


class InstancesColumn(_Lines):
    line = staticmethod(instance_line)


class ActionsColumn(_Lines):
    line = staticmethod(action_line)


class ActionRunsColumn(_Lines):
    line = staticmethod(action_run_line)


class HistoryColumn(_Lines):
    line = staticmethod(history_line)


class SummaryColumn(columns.FormattableColumn):
    """A dict of counts and lists: ``key: a, b`` a line each."""

    def human_readable(self):
        lines = []
        for key, value in sorted((self._value or {}).items()):
            if isinstance(value, (list, tuple)):
                value = ', '.join(str(v) for v in value) or '-'
            lines.append('%s: %s' % (key, value))
        return '\n'.join(lines)

    def machine_readable(self):
        return self._value
