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
"""fenix-demo: a whole rolling maintenance in one process.

Runs, on the embedded default (SQLite in a temporary directory, the
in-process ``fake://`` message bus, noauth, the API on 127.0.0.1:12347):
the engine, the simulated cloud with the bundled inventory, and a sample
app manager per project. Without ``--serve`` it creates a session, shows
its progress as it goes and exits 0 at MAINTENANCE_DONE (1 with the reason
at MAINTENANCE_FAILED). With ``--serve`` it stays up without a session and
prints how to drive it with curl.
"""

import argparse
import datetime
import shutil
import sys
import tempfile
import threading
import time

from oslo_config import cfg
from oslo_log import log as logging

from fenix.common import service
from fenix.common import states
from fenix import embedded


class _Progress:
    """Prints admin and host notifications as they arrive."""

    def __init__(self, out):
        self.out = out
        self.ended = threading.Event()
        self.final = None
        self.t0 = time.monotonic()

    def _print(self, text):
        self.out.write('[%6.2fs] %s\n' % (time.monotonic() - self.t0,
                                          text))
        self.out.flush()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        if event_type == 'maintenance.session':
            line = 'session %-20s %3d%%' % (payload['state'],
                                            payload['percent_done'])
            if payload.get('reason'):
                line += '  reason: %s' % payload['reason']
            self._print(line)
            if payload['state'] in states.INACTIVE_SESSION_STATES:
                self.final = payload
                self.ended.set()
        elif event_type == 'maintenance.host':
            self._print('  host %-12s %s' % (payload['host'],
                                             payload['state']))
        elif event_type == 'maintenance.scheduled':
            ids = payload['instance_ids']
            what = (ids[0] if isinstance(ids, list) and ids
                    else 'its instances')
            self._print('    project %s: %s (%s)' % (
                payload['project_id'][:8], payload['state'], what))


def _snapshot_hosts(cloud):
    snapshot = cloud.snapshot()
    hosts = {h['name']: [] for h in snapshot['hosts']}
    for instance in snapshot['instances']:
        hosts.setdefault(instance['host'], []).append(instance['name'])
    return hosts


def _print_hosts(out, title, hosts):
    out.write('%s\n' % title)
    for name in sorted(hosts):
        out.write('  %-12s %s\n' % (name, ', '.join(sorted(hosts[name]))
                                    or '(empty)'))


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog='fenix-demo', description=__doc__.split('\n\n')[0])
    parser.add_argument('--serve', action='store_true',
                        help='start the service, cloud and app managers '
                             'without a session and stay up')
    parser.add_argument('--port', type=int, default=12347)
    parser.add_argument('--inventory',
                        help='simulated cloud inventory YAML (default: the '
                             'bundled demo inventory)')
    parser.add_argument('--time-scale', type=float, default=1.0,
                        help='multiplier on simulated durations')
    parser.add_argument('--timeout', type=float, default=120.0,
                        help='seconds to wait for the session to end')
    parser.add_argument('--keep', action='store_true',
                        help='keep the temporary directory (database)')
    return parser.parse_args(argv)


def _serve(fenix, out):
    ep = fenix.endpoint
    projects = ', '.join(v.project_id for v in fenix.vnfms)
    out.write('Fenix is up (noauth, simulated cloud, in-process bus).\n'
              '  API:         %s/v1\n'
              '  health:      %s/healthcheck\n'
              '  projects:    %s (each answered by a sample app manager)\n'
              '  database:    %s\n\n'
              'Try:\n'
              '  curl -s -XPOST %s/v1/maintenance -H "Content-Type: '
              'application/json" \\\n'
              '    -d \'{"hosts": [], "state": "MAINTENANCE", '
              '"maintenance_at": "%s", "metadata": {"openstack_version": '
              '"Zed"}, "actions": [{"plugin": "dummy", "type": "host"}]}\'\n'
              '  curl -s %s/v1/maintenance/<session_id>/detail\n'
              'or, with the openstack command:\n'
              '  export OS_AUTH_TYPE=none OS_MAINTENANCE_ENDPOINT=%s\n'
              '  openstack maintenance session create --action '
              'plugin=dummy,type=host\n'
              '  openstack maintenance session show <session_id> --watch\n'
              'Ctrl-C stops.\n' % (
                  ep, ep, projects, fenix.conf.database.connection, ep,
                  datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S'),
                  ep, ep))
    out.flush()
    service.wait_for_signal()
    return 0


def _run_session(fenix, progress, args, out):
    hosts_before = _snapshot_hosts(fenix.cloud)
    _print_hosts(out, 'Cloud before maintenance:', hosts_before)
    now = datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S')
    status, body = fenix.request('POST', '/v1/maintenance', {
        'hosts': [], 'state': states.MAINTENANCE, 'maintenance_at': now,
        'workflow': 'default',
        'metadata': {'openstack_version': 'Zed'},
        'actions': [{'plugin': 'dummy', 'type': 'host', 'order': 1}]})
    if status != 200:
        out.write('Could not create the session: %s %s\n' % (status, body))
        return 1
    session_id = body['session_id']
    out.write('Session %s created\n' % session_id)
    if not progress.ended.wait(args.timeout):
        out.write('The session did not end within %ss\n' % args.timeout)
        return 1
    status, detail = fenix.request(
        'GET', '/v1/maintenance/%s/detail' % session_id)
    hosts_after = _snapshot_hosts(fenix.cloud)
    _print_hosts(out, 'Cloud after maintenance:', hosts_after)
    state = progress.final['state']
    if state != states.MAINTENANCE_DONE:
        out.write('%s: %s\n' % (state, progress.final.get('reason')))
        return 1
    lost = (sum(len(v) for v in hosts_before.values())
            - sum(len(v) for v in hosts_after.values()))
    maintained = sorted(h['hostname'] for h in detail['hosts']
                        if h['maintained'])
    out.write('%s in %.1fs: %d hosts maintained (%s), %d steps, '
              'instances before/after %d/%d\n' % (
                  state, time.monotonic() - progress.t0, len(maintained),
                  ', '.join(maintained), len(detail['history']),
                  sum(len(v) for v in hosts_before.values()),
                  sum(len(v) for v in hosts_after.values())))
    if lost:
        out.write('%d instance(s) lost\n' % lost)
        return 1
    return 0


def main(argv=None):
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    out = sys.stdout
    workdir = tempfile.mkdtemp(prefix='fenix-demo-')
    conf = embedded.demo_conf(workdir, port=args.port,
                              inventory=args.inventory,
                              time_scale=args.time_scale, conf=cfg.CONF,
                              DEFAULT={'host': 'fenix-demo'})
    # NOTE: the demo's own output is the progress; the service logs go to
    # a file in the work directory.
    logging.setup(conf, 'fenix')
    fenix = embedded.Embedded(conf)
    progress = _Progress(out)
    try:
        fenix.start(observers=() if args.serve else (progress,))
        if args.serve:
            return _serve(fenix, out)
        return _run_session(fenix, progress, args, out)
    finally:
        fenix.stop()
        if args.keep:
            out.write('Database and log kept in %s\n' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
