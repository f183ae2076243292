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
"""Workflow ``default``: rolling maintenance host by host (DESIGN §6).

MAINTENANCE -> (PREPARE_MAINTENANCE) -> START_MAINTENANCE
<-> PLANNED_MAINTENANCE ... -> MAINTENANCE_COMPLETE -> MAINTENANCE_DONE

Progress that must survive a restart lives in rows (hosts maintained,
instances moved, projects notified and their replies, action runs) and in
``session.progress`` (which host is being emptied, when the current round of
notifications started).
"""

import bisect
from concurrent import futures
import dataclasses
import datetime
import socket
import time

from oslo_log import log as logging

from fenix.cloud import base as cloud_base
from fenix.common import states
from fenix.db import api as db
from fenix.subscription import base as subscription
from fenix.workflow import base

LOG = logging.getLogger(__name__)

MOVE_ACTIONS = (states.MIGRATE, states.LIVE_MIGRATE, states.OWN_ACTION,
                states.EVICTION)


def fit(instances, hosts):
    """Place ``instances`` on ``hosts`` by first fit decreasing.

    :param instances: list of (instance_id, vcpus, memory_mb) or
        (instance_id, vcpus, memory_mb, server_group_id).
    :param hosts: dict host -> [free_vcpus, free_memory_mb] or
        [free_vcpus, free_memory_mb, server groups on the host]; not
        changed.
    :returns: dict instance_id -> host, or None when they do not fit.

    NOTE: members of one server group are kept on different hosts, as
    anti-affinity wants; for an affinity group this plan is only stricter
    than needed, and the scheduler has the last word anyway.
    """
    free = {name: [room[0], room[1], set(room[2] if len(room) > 2 else ())]
            for name, room in hosts.items()}
    # Most free RAM first, like Nova's default weigher; kept sorted as
    # hosts fill, so that a placement costs a scan from the front rather
    # than a sort of every host.
    order = sorted((-room[1], name) for name, room in free.items())
    placement = {}
    for item in sorted(instances, key=lambda i: (-i[1], -i[2], i[0])):
        instance_id, vcpus, memory_mb = item[:3]
        group = item[3] if len(item) > 3 else None
        for index, (_, name) in enumerate(order):
            room = free[name]
            if room[1] < memory_mb:
                # The rest have even less RAM free.
                return None
            if room[0] >= vcpus and (group is None
                                     or group not in room[2]):
                break
        else:
            return None
        room[0] -= vcpus
        room[1] -= memory_mb
        if group is not None:
            room[2].add(group)
        placement[instance_id] = name
        del order[index]
        bisect.insort(order, (-room[1], name))
    return placement


class DefaultWorkflow(base.BaseWorkflow):

    handlers = {
        states.MAINTENANCE: 'maintenance',
        states.SCALE_IN: 'scale_in',
        states.PREPARE_MAINTENANCE: 'prepare_maintenance',
        states.START_MAINTENANCE: 'start_maintenance',
        states.PLANNED_MAINTENANCE: 'planned_maintenance',
        states.MAINTENANCE_COMPLETE: 'maintenance_complete',
    }
    # NOTE: a continued session asks its projects again (a NACK or a
    # missing reply of the failed attempt is not its answer) and gets
    # max_scale_in_rounds new SCALE_IN rounds.
    forget_on_continue = ('round', 'scale_in_rounds')

    #: Seconds the workflow plans on its own view of the cloud (kept up to
    #: date with the moves it makes) before it lists everything again.
    VIEW_MAX_AGE = 60.0

    def __init__(self, ctx):
        super().__init__(ctx)
        self._subscription_plugin = None
        # Projects the session has rows of.
        self._projects = None
        # hostname -> host row; only this thread writes host rows.
        self._host_rows = None
        self._view = None
        self._view_at = None
        # hostname -> its free room in the view (see _room).
        self._rooms = {}

    # -- helpers: hosts and capacity ------------------------------------

    def _hosts(self):
        if self._host_rows is None:
            self._host_rows = {h['hostname']: h
                               for h in db.host_list(self.session_id)}
        return self._host_rows

    def _host_update(self, hostname, history=None, **values):
        db.host_update(self.session_id, hostname, history=history, **values)
        rows = self._hosts()
        if hostname in rows:
            rows[hostname] = dict(rows[hostname], **values)

    def _cloud_state(self, refresh=False):
        """The session's hosts and their instances as the cloud sees them.

        Listing every instance of a big cloud is costly, so the workflow
        keeps this view, updates it with its own moves and lists again
        when asked to (after projects changed their instances) or when the
        view is older than :attr:`VIEW_MAX_AGE`. Used capacity is summed
        from the servers themselves: Nova's hypervisor statistics lag
        behind a migration.

        :returns: (dict name -> cloud Host, dict name -> list of Instance)
        """
        now = time.monotonic()
        if (refresh or self._view is None
                or now - self._view_at > self.VIEW_MAX_AGE):
            names = sorted(self._hosts())
            hosts = {h.name: h for h in self.cloud.list_hosts(names)}
            by_host = {name: [] for name in names}
            for instance in self.cloud.list_instances(hosts=names):
                if instance.host in by_host:
                    by_host[instance.host].append(instance)
            self._view = (hosts, by_host)
            self._view_at = now
            self._rooms = {}
        return self._view

    def _view_host(self, hostname, instances=None, enabled=None):
        """Tell the view what is now on ``hostname`` or whether enabled."""
        if self._view is None:
            return
        hosts, by_host = self._view
        self._rooms.pop(hostname, None)
        if instances is not None and hostname in by_host:
            by_host[hostname] = list(instances)
        if enabled is not None and hostname in hosts:
            hosts[hostname] = dataclasses.replace(hosts[hostname],
                                                  enabled=enabled)

    def _view_moved(self, instance_id, source, target):
        if self._view is None:
            return
        by_host = self._view[1]
        self._rooms.pop(source, None)
        self._rooms.pop(target, None)
        moving = [i for i in by_host.get(source, ()) if i.id == instance_id]
        by_host[source] = [i for i in by_host.get(source, ())
                           if i.id != instance_id]
        if moving and target in by_host:
            by_host[target].append(dataclasses.replace(moving[0],
                                                       host=target))

    @staticmethod
    def _free(host, instances):
        return [host.vcpus - sum(i.vcpus for i in instances),
                host.memory_mb - sum(i.memory_mb for i in instances),
                {i.server_group_id for i in instances if i.server_group_id}]

    def _room(self, name):
        """What ``_free`` says of a host in the view, kept until it changes.

        NOTE: summing every host's instances for every host to empty made
        the planning quadratic in the hosts. Callers must not change it.
        """
        room = self._rooms.get(name)
        if room is None:
            hosts, by_host = self._view
            room = self._rooms[name] = self._free(hosts[name], by_host[name])
        return room

    @staticmethod
    def _wanted(instances):
        return [(i.id, i.vcpus, i.memory_mb, i.server_group_id)
                for i in instances]

    def _sync_instances(self, instances):
        """Add instances (and their projects) the session does not know."""
        if self._projects is None:
            self._projects = {p['project_id']
                              for p in db.project_list(self.session_id)}
        projects = sorted({i.project_id for i in instances} - self._projects)
        if projects:
            subscribed = self._subscription().subscribed(projects)
            db.projects_create(self.session_id, [
                {'project_id': p, 'subscribed': p in subscribed}
                for p in projects])
            self._projects.update(projects)
        db.instances_create(self.session_id, [
            {'instance_id': i.id, 'instance_name': i.name,
             'project_id': i.project_id, 'host': i.host, 'vcpus': i.vcpus,
             'memory_mb': i.memory_mb, 'state': states.INSTANCE_PENDING}
            for i in instances])

    def _sync_host(self, hostname, instances):
        """Make the rows of ``hostname`` what the cloud has on it now.

        New instances are added; rows of instances gone from the host
        (deleted by their project, or moved by it) are detached from it.
        Returns the rows left on the host.
        """
        self._sync_instances(instances)
        self._view_host(hostname, instances)
        present = {i.id for i in instances}
        # NOTE: a row we were moving when the engine stopped stays:
        # move_instances asks the driver again, which finds the move done
        # (and confirms a cold migration left in VERIFY_RESIZE).
        rows = db.instance_list(self.session_id, host=hostname)
        gone = {row['instance_id'] for row in rows
                if row['instance_id'] not in present
                and row['state'] != states.INSTANCE_ACTING}
        if gone:
            db.instances_update(self.session_id, sorted(gone), host=None,
                                state=states.INSTANCE_GONE)
        return [row for row in rows if row['instance_id'] not in gone]

    def _subscription(self):
        """The plug-in telling which projects take part."""
        if self._subscription_plugin is None:
            self._subscription_plugin = subscription.load(self.conf,
                                                          self.cloud)
        return self._subscription_plugin

    def _update_percent(self):
        hosts = self._hosts()
        if hosts:
            done = sum(1 for h in hosts.values() if h['maintained'])
            self.ctx.set_percent(min(99, 100 * done // len(hosts)))

    def _disable(self, hostname, history=None, **values):
        """Disable the host for scheduling; store it with ``values``."""
        self.cloud.disable_host(hostname,
                                self.conf.workflow.host_disable_reason)
        self._view_host(hostname, enabled=False)
        row = self._hosts()[hostname]
        values['disabled_by_us'] = True
        if history or any(row.get(k) != v for k, v in values.items()):
            self._host_update(hostname, history=history, **values)

    # -- helpers: talking to projects -----------------------------------

    def _endpoint(self):
        endpoint = self.conf.api.public_endpoint
        if not endpoint:
            host = self.conf.api.host
            if host in ('0.0.0.0', '::'):
                host = socket.getfqdn()
            endpoint = 'http://%s:%s' % (host, self.conf.api.port)
        return endpoint.rstrip('/')

    def _project_url(self, project_id):
        return '%s/v1/maintenance/%s/%s' % (self._endpoint(),
                                            self.session_id, project_id)

    def _begin_round(self, key):
        """Start (or, when resumed, continue) a round of notifications.

        Returns when the round began; projects notified before that have
        not been asked in this round.
        """
        current = self.ctx.progress.get('round') or {}
        if current.get('key') != key:
            self.ctx.save_progress(round={'key': key,
                                          'at': self.ctx.now().isoformat()})
            current = self.ctx.progress['round']
        return datetime.datetime.fromisoformat(current['at'])

    def ask(self, state, instance_ids, timeout, allowed_actions=(),
            metadata=None, actions_at=None, round_key=None):
        """Notify projects of ``state`` and wait for their replies.

        :param instance_ids: dict project_id -> ids of its instances the
            state concerns; only subscribed projects are asked.
        :returns: dict project_id -> project row after the wait.
        :raises WorkflowFailed: on a NACK or a missing reply.
        """
        projects = {p['project_id']: p
                    for p in db.project_list(self.session_id)
                    if p['project_id'] in instance_ids and p['subscribed']}
        if not projects:
            return {}
        started = self._begin_round(round_key or state)
        now = self.ctx.now()
        deadline = self.ctx.seconds_from_now(timeout)
        fresh = [p for p in projects.values()
                 if p['state'] != state or p['notified_at'] is None
                 or p['notified_at'] < started]
        if fresh:
            listed = db.projects_notify(
                self.session_id, [p['project_id'] for p in fresh], state,
                deadline, instance_ids=instance_ids, now=now)
        else:
            listed = db.project_list(self.session_id)
        rows = {p['project_id']: p for p in listed
                if p['project_id'] in projects}
        deadline = max(p['reply_deadline'] for p in rows.values())
        # NOTE: the row is written before the notification is sent so that
        # a fast reply finds the state it answers. Unanswered projects are
        # told again when a restarted engine resumes here (at least once).
        for project_id, row in sorted(rows.items()):
            if row['reply'] is None:
                self.ctx.notifier.project(
                    self.session_id, project_id, state,
                    self._project_url(project_id), allowed_actions,
                    self._project_url(project_id), row['reply_deadline'],
                    actions_at or now, metadata or {})
        notified = self.ctx.entry('notify %s' % state, 'waiting',
                                  details='projects %s, reply by %s' % (
                                      ', '.join(sorted(rows)), deadline))

        def replied():
            return all(db.project_replies(self.session_id, rows).values())

        self.ctx.wait_for(replied, deadline, 'replies to %s' % state,
                          history=notified)
        current = {p['project_id']: p
                   for p in db.project_list(self.session_id)
                   if p['project_id'] in rows}
        nacks = sorted(p for p, row in current.items()
                       if row['reply'] and row['reply'].startswith('NACK'))
        missing = sorted(p for p, row in current.items() if not row['reply'])
        if nacks:
            raise base.WorkflowFailed('Project(s) %s replied NACK_%s' % (
                ', '.join(nacks), state))
        if missing:
            raise base.WorkflowFailed(
                'No reply to %s from project(s) %s by %s' % (
                    state, ', '.join(missing), deadline))
        self.ctx.record('replies to %s' % state,
                        details='ACK from %s' % ', '.join(sorted(current)))
        return current

    # -- helpers: moving instances --------------------------------------

    def _action_for(self, instance, projects):
        if instance['action'] in MOVE_ACTIONS and (
                instance['project_id'] in projects):
            return instance['action']
        default = self.conf.workflow.default_instance_action
        if default == 'FAIL':
            raise base.WorkflowFailed(
                'Project %s gave no action for instance %s and '
                '[workflow] default_instance_action is FAIL' % (
                    instance['project_id'], instance['instance_id']))
        return default

    def move_instances(self, hostname, state, targets=None):
        """Move every instance off ``hostname`` by its replied action.

        :param targets: dict instance_id -> target host (None: let the
            scheduler choose).
        """
        targets = targets or {}
        subscribed = {p['project_id'] for p in db.project_list(
            self.session_id) if p['subscribed']}
        timeout = self.conf.workflow.migration_timeout
        # NOTE: every row still on the host moves, whatever its state: an
        # instance moved here while emptying another host moves again.
        rows = db.instance_list(self.session_id, host=hostname)
        actions = {row['instance_id']: self._action_for(row, subscribed)
                   for row in rows}
        for action in sorted(set(actions.values())):
            db.instances_update(
                self.session_id,
                [i for i, a in actions.items() if a == action],
                action=action, state=states.INSTANCE_ACTING)
        # NOTE: moves done are written in batches (at least once a
        # second): a move done but not yet written is found done by the
        # driver when a restarted engine asks for it again.
        done = []
        flushed = [time.monotonic()]

        def flush():
            if done:
                db.instances_done(self.session_id,
                                  [(iid, host) for iid, host, _ in done],
                                  history=[e for _, _, e in done])
                del done[:]
            flushed[0] = time.monotonic()

        for row in rows:
            if time.monotonic() - flushed[0] >= 1.0:
                flush()
            try:
                self.ctx.checkpoint()
            except Exception:
                flush()
                raise
            iid = row['instance_id']
            action = actions[iid]
            try:
                new_host = self._act(row, action, hostname,
                                     targets.get(iid), timeout)
            except (cloud_base.CloudError, base.WorkflowFailed) as e:
                flush()
                reason = (e.reason if isinstance(e, base.WorkflowFailed)
                          else e.message)
                db.instance_update(
                    self.session_id, iid, state=states.INSTANCE_FAILED,
                    details={'reason': reason},
                    history=self.ctx.entry(action, 'failed', host=hostname,
                                           details='%s: %s' % (iid, reason)))
                if isinstance(e, base.WorkflowFailed):
                    raise
                raise base.WorkflowFailed(
                    '%s of instance %s (%s) of project %s off host %s '
                    'failed: %s' % (action, iid, row['instance_name'],
                                    row['project_id'], hostname, reason))
            done.append((iid, new_host, self.ctx.entry(
                action, host=hostname, details='%s (%s) -> %s' % (
                    iid, row['instance_name'], new_host or 'gone'))))
            self._view_moved(iid, hostname, new_host)
            if row['project_id'] in subscribed:
                self.ctx.notifier.project(
                    self.session_id, row['project_id'],
                    states.INSTANCE_ACTION_DONE, [iid], [],
                    self._project_url(row['project_id']), None,
                    self.ctx.now(), {'action': action, 'state': state})
        flush()

    def _act(self, row, action, hostname, target, timeout):
        iid = row['instance_id']
        if action == states.MIGRATE:
            return self.cloud.migrate(iid, hostname, target,
                                      timeout=timeout)
        if action == states.LIVE_MIGRATE:
            return self.cloud.live_migrate(iid, hostname, target,
                                           timeout=timeout)
        if action == states.EVICTION:
            self.cloud.delete_instance(iid)
            return None
        return self._own_action(row, hostname)

    def _own_action(self, row, hostname):
        """Wait for the project to move or re-create the instance.

        A re-created instance is one of the same project with the same
        name on another host; its row records the new id.
        """
        iid = row['instance_id']
        timeout = self.conf.workflow.own_action_timeout
        deadline = self.ctx.seconds_from_now(timeout)

        def gone():
            try:
                return self.cloud.get_instance(iid).host != hostname
            except cloud_base.InstanceNotFound:
                return True

        if not self.ctx.wait_for(gone, deadline,
                                 'instance %s off %s' % (iid, hostname)):
            raise base.WorkflowFailed(
                'Project %s did not move or re-create instance %s (%s) '
                'off host %s within %d s of its OWN_ACTION reply' % (
                    row['project_id'], iid, row['instance_name'], hostname,
                    timeout))
        try:
            return self.cloud.get_instance(iid).host
        except cloud_base.InstanceNotFound:
            pass
        for other in self.cloud.list_instances(project_id=row['project_id']):
            if (other.id != iid and other.name == row['instance_name']
                    and other.host and other.host != hostname):
                db.instance_update(
                    self.session_id, iid,
                    details={'replaced_by': other.id,
                             'replaced_on': other.host},
                    history=self.ctx.entry(
                        're-created instance found', host=other.host,
                        details='%s (%s) replaced by %s' % (
                            iid, row['instance_name'], other.id)))
                # NOTE: the row stays the old instance's: it is on no host
                # now; the new instance gets a row of its own.
                return None
        return None

    @staticmethod
    def _by_project(rows):
        result = {}
        for row in rows:
            result.setdefault(row['project_id'], []).append(
                row['instance_id'])
        return result

    # -- states -----------------------------------------------------------

    def maintenance(self):
        if not self.ctx.progress.get('discovered'):
            names = self.ctx.session['requested_hosts'] or None
            try:
                hosts = self.cloud.list_hosts(names)
            except cloud_base.HostNotFound as e:
                raise base.WorkflowFailed(e.message)
            if not hosts:
                raise base.WorkflowFailed('The cloud has no compute hosts')
            db.hosts_create(self.session_id, [
                {'hostname': h.name, 'type': h.type, 'vcpus': h.vcpus,
                 'memory_mb': h.memory_mb, 'state': states.HOST_PENDING}
                for h in hosts])
            self._host_rows = None
            self._sync_instances(self.cloud.list_instances(
                hosts=[h.name for h in hosts]))
            self.ctx.save_progress(discovered=True)
            self.ctx.record('discover', details='%d hosts' % len(hosts))
        instances = {}
        for row in db.instance_list(self.session_id):
            instances.setdefault(row['project_id'], []).append(
                row['instance_id'])
        self._check_outsiders(instances)
        maintenance_at = self.ctx.session['maintenance_at']
        self.ask(states.MAINTENANCE, instances,
                 self.conf.workflow.reply_timeout,
                 metadata=self.ctx.session['metadata'],
                 actions_at=maintenance_at)
        if maintenance_at > self.ctx.now():
            self.ctx.record('wait', 'waiting',
                            details='until maintenance_at %s' %
                            maintenance_at)
            self.ctx.wait_for(lambda: False, maintenance_at,
                              'maintenance_at')
        self.fetch_downloads()
        self.run_actions(('pre',))
        return self._next_state()

    def _check_outsiders(self, instances):
        """Fail now when projects that do not take part must not be moved.

        With ``[workflow] default_instance_action = FAIL`` nothing may move
        the instances of a project that is not asked about them.
        """
        if self.conf.workflow.default_instance_action != 'FAIL':
            return
        outsiders = sorted(p['project_id']
                           for p in db.project_list(self.session_id)
                           if not p['subscribed']
                           and instances.get(p['project_id']))
        if outsiders:
            raise base.WorkflowFailed(
                'Project(s) %s do not take part in the maintenance (not '
                'subscribed) and [workflow] default_instance_action is '
                'FAIL: their instances cannot be moved without them' %
                ', '.join(outsiders))

    def _next_state(self):
        """Where the session goes once the hosts are known.

        An empty host not yet maintained is maintained first; else one that
        the other hosts can take the instances of is emptied; else projects
        are asked to scale in.
        """
        hosts, by_host = self._cloud_state(refresh=True)
        maintained = {n for n, h in self._hosts().items() if h['maintained']}
        pending = [n for n in hosts if n not in maintained]
        if not pending:
            return states.MAINTENANCE_COMPLETE
        if any(not by_host[n] for n in pending):
            return states.START_MAINTENANCE
        if self._pick_host_to_empty(hosts, by_host, maintained) is not None:
            return (states.PLANNED_MAINTENANCE if maintained
                    else states.PREPARE_MAINTENANCE)
        return states.SCALE_IN

    def _pick_host_to_empty(self, hosts, by_host, maintained):
        """The not yet maintained host cheapest to empty onto the others.

        Cheapest: fewest vCPUs, then least RAM, then fewest instances to
        move. Only a host whose instances fit on the other enabled hosts
        (vCPUs and RAM, server group members apart) is picked.
        """
        def cost(n):
            room = self._room(n)
            return (hosts[n].vcpus - room[0], hosts[n].memory_mb - room[1],
                    len(by_host[n]), n)

        candidates = sorted((n for n in hosts if n not in maintained),
                            key=cost)
        for name in candidates:
            others = {n: self._room(n) for n, h in hosts.items()
                      if n != name and h.enabled and h.up}
            if fit(self._wanted(by_host[name]), others) is not None:
                return name
        return None

    def scale_in(self):
        """Ask the projects to free capacity, then look again."""
        rounds = self.ctx.progress.get('scale_in_rounds', 0)
        limit = self.conf.workflow.max_scale_in_rounds
        if rounds >= limit:
            raise base.WorkflowFailed(
                'No host can be emptied: the other hosts lack the vCPUs or '
                'RAM for its instances, and %d SCALE_IN round(s) did not '
                'free enough ([workflow] max_scale_in_rounds = %d). Add '
                'capacity or have projects scale in, then continue the '
                'session from %s.' % (rounds, limit,
                                      states.PREPARE_MAINTENANCE))
        hosts, by_host = self._cloud_state(refresh=True)
        maintained = {n for n, h in self._hosts().items() if h['maintained']}
        instances = {}
        for name in sorted(hosts):
            if name in maintained:
                continue
            self._sync_instances(by_host[name])
            for instance in by_host[name]:
                instances.setdefault(instance.project_id, []).append(
                    instance.id)
        asked = self.ask(states.SCALE_IN, instances,
                         self.conf.workflow.scale_in_reply_timeout,
                         metadata=self.ctx.session['metadata'],
                         round_key='%s:%d' % (states.SCALE_IN, rounds + 1))
        if not asked:
            raise base.WorkflowFailed(
                'No host can be emptied: the other hosts lack the vCPUs or '
                'RAM for its instances, and no project taking part has '
                'instances to scale in. Add capacity and continue the '
                'session from %s.' % states.PREPARE_MAINTENANCE)
        self.ctx.save_progress(scale_in_rounds=rounds + 1)
        return self._next_state()

    def prepare_maintenance(self):
        return self._empty_next_host(states.PREPARE_MAINTENANCE)

    def start_maintenance(self):
        """Maintain every empty host not yet maintained.

        Up to ``[workflow] max_parallel_hosts`` of them at a time.
        """
        hosts, by_host = self._cloud_state()
        empty = [row for name, row in sorted(self._hosts().items())
                 if not row['maintained'] and not by_host.get(name)]
        width = min(self.conf.workflow.max_parallel_hosts, len(empty))
        if width <= 1:
            for row in empty:
                self.maintain_host(row)
        else:
            with futures.ThreadPoolExecutor(
                    max_workers=width,
                    thread_name_prefix='hosts-%s' % self.session_id[:8]
            ) as pool:
                runs = [pool.submit(self.maintain_host, row)
                        for row in empty]
            for run in runs:
                run.result()
        if all(h['maintained'] for h in self._hosts().values()):
            return states.MAINTENANCE_COMPLETE
        return states.PLANNED_MAINTENANCE

    def maintain_host(self, row):
        hostname = row['hostname']
        self.ctx.checkpoint()
        if row['state'] != states.HOST_IN_MAINTENANCE:
            self._disable(hostname, state=states.HOST_IN_MAINTENANCE,
                          started_at=self.ctx.now(),
                          history=self.ctx.entry('host in maintenance',
                                                 host=hostname))
            self.ctx.notifier.host(self.session_id, hostname,
                                   states.IN_MAINTENANCE)
        self.run_actions(('host', row['type']), host=hostname)
        self.ctx.notifier.host(self.session_id, hostname,
                               states.HOST_MAINTENANCE_COMPLETE)
        self.cloud.enable_host(hostname)
        self._view_host(hostname, enabled=True)
        self._host_update(hostname, maintained=True, disabled_by_us=False,
                          state=states.HOST_MAINTAINED,
                          finished_at=self.ctx.now(),
                          history=self.ctx.entry('host maintained',
                                                 host=hostname))
        self._update_percent()

    def planned_maintenance(self):
        return self._empty_next_host(states.PLANNED_MAINTENANCE)

    def _empty_next_host(self, state):
        """Empty the host cheapest to empty, asking its projects first.

        PREPARE_MAINTENANCE (no host maintained yet) and
        PLANNED_MAINTENANCE differ only in what they tell the projects;
        instances go to maintained hosts when they fit there.
        """
        hostname = self.ctx.progress.get('emptying')
        hosts, by_host = self._cloud_state()
        maintained = {n for n, h in self._hosts().items() if h['maintained']}
        if not hostname:
            pending = [n for n in hosts if n not in maintained]
            if not pending:
                return states.MAINTENANCE_COMPLETE
            if any(not by_host[n] for n in pending):
                return states.START_MAINTENANCE
            hostname = self._pick_host_to_empty(hosts, by_host, maintained)
            if hostname is None:
                return states.SCALE_IN
            self.ctx.save_progress(
                emptying=hostname,
                history=self.ctx.entry('pick host to empty', host=hostname))
        self._disable(hostname, state=states.HOST_EMPTYING)
        rows = self._sync_host(hostname,
                               self.cloud.list_instances(hosts=[hostname]))
        self.ask(state, self._by_project(rows),
                 self.conf.workflow.reply_timeout,
                 allowed_actions=list(MOVE_ACTIONS),
                 metadata=self.ctx.session['metadata'],
                 round_key='%s:%s' % (state, hostname))
        self.move_instances(hostname, state,
                            self._targets(hostname, maintained))
        self.ctx.save_progress(emptying=None)
        return states.START_MAINTENANCE

    def _targets(self, hostname, maintained):
        """Target hosts for the instances still on ``hostname``.

        Hosts already maintained first, so that no instance moves twice;
        when the instances do not all fit there, every other enabled host
        takes part in the plan (the scheduler alone, placing one instance
        after the other, may miss a placement that exists). The room of a
        host is the smaller of what the view and the cloud's own
        accounting say, so that instances the projects created meanwhile
        are counted.
        """
        hosts, by_host = self._cloud_state()
        others = [n for n in hosts if n != hostname]
        reported = {h.name: h for h in self.cloud.list_hosts(others)}
        room = {}
        for name in others:
            host = reported.get(name) or hosts[name]
            if not (host.enabled and host.up):
                continue
            free = list(self._room(name))
            if name in reported:
                free[0] = min(free[0], host.free_vcpus)
                free[1] = min(free[1], host.free_memory_mb)
            room[name] = free
        leaving = self._wanted(self.cloud.list_instances(hosts=[hostname]))
        return (fit(leaving, {n: r for n, r in room.items()
                              if n in maintained})
                or fit(leaving, room) or {})

    def maintenance_complete(self):
        self.run_actions(('post',))
        instances = {}
        for instance in self.cloud.list_instances(
                hosts=sorted(self._hosts())):
            instances.setdefault(instance.project_id, []).append(
                instance.id)
        for project in db.project_list(self.session_id):
            instances.setdefault(project['project_id'], [])
        try:
            self.ask(states.MAINTENANCE_COMPLETE, instances,
                     self.conf.workflow.complete_reply_timeout,
                     metadata=self.ctx.session['metadata'])
        except base.WorkflowFailed as e:
            # NOTE: every host is maintained by now; a project that does
            # not acknowledge the end cannot undo that. Keep it on record.
            self.ctx.record('replies to MAINTENANCE_COMPLETE', 'failed',
                            details=e.reason)
        return states.MAINTENANCE_DONE
