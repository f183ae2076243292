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
"""Database API: the only module that touches the ORM.

Every function is one transaction and returns plain dicts (never ORM rows),
so callers in any thread can keep and pass what they got. Writes retry on
deadlock.
"""

import threading

from oslo_db import api as oslo_db_api
from oslo_db.sqlalchemy import enginefacade
from oslo_log import log as logging
from oslo_utils import timeutils
import sqlalchemy as sa

from fenix.common import exception
from fenix.common import states
from fenix.db.sqlalchemy import models

LOG = logging.getLogger(__name__)

_LOCK = threading.Lock()
_FACADE = None


class _Context:
    """Holder the enginefacade attaches its session to."""


def configure(conf):
    """(Re)build the engine facade from ``[database]`` of ``conf``."""
    global _FACADE
    with _LOCK:
        facade = enginefacade.transaction_context()
        connection = conf.database.connection
        options = {'connection': connection,
                   'max_retries': conf.database.max_retries,
                   'connection_recycle_time':
                       conf.database.connection_recycle_time}
        if connection.startswith('sqlite'):
            # NOTE: SQLite enforces ON DELETE CASCADE only when asked.
            options['sqlite_fk'] = True
        else:
            options.update(max_pool_size=conf.database.max_pool_size,
                           max_overflow=conf.database.max_overflow,
                           pool_timeout=conf.database.pool_timeout)
        facade.configure(**options)
        if _FACADE is not None:
            dispose()
        _FACADE = facade
        if connection.startswith('sqlite'):
            _serialize_sqlite_writes(facade.writer.get_engine())


def _serialize_sqlite_writes(engine):
    """Make every SQLite transaction take the write lock when it begins.

    NOTE: a transaction that reads and then writes cannot wait for SQLite's
    lock once it holds a read lock ("database is locked" at once), which
    two replies arriving together would hit. Beginning IMMEDIATE makes the
    second one wait (busy timeout) instead. WAL keeps readers of other
    connections going meanwhile.
    """
    @sa.event.listens_for(engine, 'connect')
    def _connect(dbapi_connection, record):
        dbapi_connection.execute('PRAGMA journal_mode=WAL')
        dbapi_connection.execute('PRAGMA busy_timeout=30000')
        # NOTE: in WAL mode NORMAL still never corrupts the file; a
        # process killed loses nothing, only an OS crash may lose the last
        # transactions.
        dbapi_connection.execute('PRAGMA synchronous=NORMAL')

    # NOTE: oslo.db emits its own BEGIN on SQLite; make it IMMEDIATE.
    @sa.event.listens_for(engine, 'before_cursor_execute', retval=True)
    def _begin_immediate(conn, cursor, statement, parameters, context,
                         executemany):
        if statement == 'BEGIN':
            statement = 'BEGIN IMMEDIATE'
        return statement, parameters

    # Connections made before the listeners existed are replaced.
    engine.dispose()


def dispose():
    """Close every pooled connection of the current facade."""
    if _FACADE is not None:
        try:
            _FACADE.writer.get_engine().dispose()
        except Exception:  # noqa: not started yet
            pass


def get_engine():
    return _facade().writer.get_engine()


def _facade():
    if _FACADE is None:
        raise RuntimeError('fenix.db.api.configure() was not called')
    return _FACADE


def _reader():
    return _facade().reader.using(_Context())


def _writer():
    return _facade().writer.using(_Context())


_retry = oslo_db_api.wrap_db_retry(max_retries=5, retry_on_deadlock=True)


def _dict(row):
    return row.to_dict() if row is not None else None


def _meta_out(d):
    # NOTE: the ORM attribute is "meta" because "metadata" is reserved by
    # declarative models; the column and every API keep the name metadata.
    if d is not None and 'meta' in d:
        d['metadata'] = d.pop('meta')
    return d


def _meta_in(values):
    values = dict(values)
    if 'metadata' in values:
        values['meta'] = values.pop('metadata')
    return values


# -- sessions ---------------------------------------------------------------

def _active_hosts(s):
    """Map of host name to the active session holding it.

    A session holds the hosts it discovered, and those it asked for; one
    that asked for none (discover every host) and has not discovered yet
    holds every host: it appears under the key ``None``.
    """
    held = {}
    active = models.Session.state.not_in(states.INACTIVE_SESSION_STATES)
    for name, sid in s.execute(
            sa.select(models.Host.hostname, models.Host.session_id)
            .join(models.Session, models.Session.id == models.Host.session_id)
            .where(active)):
        held[name] = sid
    discovered = set(held.values())
    for sid, requested in s.execute(
            sa.select(models.Session.id, models.Session.requested_hosts)
            .where(active)):
        if sid in discovered:
            continue
        for name in requested or (None,):
            held.setdefault(name, sid)
    return held


@_retry
def session_create(values, actions=(), max_sessions=None):
    """Store a new session and its action plug-ins.

    Fails with ``TooManySessions`` past ``max_sessions`` active ones and with
    ``HostInUse`` when a requested host belongs to another active session.
    """
    with _writer() as s:
        if max_sessions is not None:
            count = s.scalar(
                sa.select(sa.func.count(models.Session.id)).where(
                    models.Session.state.not_in(
                        states.INACTIVE_SESSION_STATES)))
            if count >= max_sessions:
                raise exception.TooManySessions(count=count,
                                                limit=max_sessions)
        busy = _active_hosts(s)
        wanted = values.get('requested_hosts') or ()
        if None in busy:
            raise exception.HostInUse(
                hosts=', '.join(wanted) or 'all compute hosts',
                session_id=busy[None])
        taken = sorted(h for h in wanted if h in busy) if wanted else sorted(
            busy)
        if taken:
            raise exception.HostInUse(hosts=', '.join(taken),
                                      session_id=busy[taken[0]])
        row = models.Session(**_meta_in(values))
        row.percent_done = 0
        row.progress = row.progress or {}
        row.generation = 0
        s.add(row)
        # NOTE: the models have no ORM relationships, so the unit of work
        # does not order these inserts by foreign key: flush the parent.
        s.flush()
        for action in actions:
            s.add(models.ActionPlugin(session_id=row.id,
                                      **_meta_in(action)))
        s.flush()
        return _meta_out(_dict(row))


def session_get(session_id):
    with _reader() as s:
        row = s.get(models.Session, session_id)
        if row is None:
            raise exception.SessionNotFound(session_id=session_id)
        return _meta_out(_dict(row))


def session_owner(session_id, now=None):
    """The engine that holds a live lease on the session, or None."""
    now = now or timeutils.utcnow()
    with _reader() as s:
        row = s.execute(sa.select(models.Session.owner,
                                  models.Session.lease_expires_at)
                        .where(models.Session.id == session_id)).first()
    if row is None or row.owner is None or row.lease_expires_at is None:
        return None
    return row.owner if row.lease_expires_at >= now else None


def session_list():
    with _reader() as s:
        rows = s.execute(sa.select(models.Session.id)
                         .order_by(models.Session.created_at)).all()
        return [r[0] for r in rows]


def session_hosts_in_use():
    """Map of host name to the active session holding it."""
    with _reader() as s:
        return _active_hosts(s)


@_retry
def session_update(session_id, expected_generation=None, owner=None,
                   history=None, **values):
    """Update a session.

    :param expected_generation: compare-and-swap: fail with
        ``ConcurrentUpdate`` when the row changed since it was read.
    :param owner: only while this engine owns the session (else
        ``ConcurrentUpdate``: the session was taken over).
    """
    values = _meta_in(values)
    with _writer() as s:
        query = sa.update(models.Session).where(
            models.Session.id == session_id)
        if expected_generation is not None:
            query = query.where(
                models.Session.generation == expected_generation)
            values['generation'] = models.Session.generation + 1
        if owner is not None:
            query = query.where(models.Session.owner == owner)
        values['updated_at'] = timeutils.utcnow()
        result = s.execute(query.values(**values))
        if result.rowcount != 1:
            if s.get(models.Session, session_id) is None:
                raise exception.SessionNotFound(session_id=session_id)
            raise exception.ConcurrentUpdate(
                what='Maintenance session %s' % session_id)
        _add_history(s, session_id, history)
        return _meta_out(_dict(s.get(models.Session, session_id)))


@_retry
def session_delete(session_id):
    with _writer() as s:
        for model in (models.HistoryEvent, models.ActionPluginInstance,
                      models.ActionPlugin, models.Instance, models.Project,
                      models.Host):
            s.execute(sa.delete(model).where(
                model.session_id == session_id))
        result = s.execute(sa.delete(models.Session).where(
            models.Session.id == session_id))
        if result.rowcount != 1:
            raise exception.SessionNotFound(session_id=session_id)


@_retry
def session_claim(session_id, engine, lease_until, now=None):
    """Take or keep ownership of a session; True when this engine owns it.

    A session can be claimed when nobody owns it, when this engine already
    does, or when its owner's lease ran out (the owner died).
    """
    now = now or timeutils.utcnow()
    with _writer() as s:
        result = s.execute(
            sa.update(models.Session)
            .where(models.Session.id == session_id)
            .where(sa.or_(models.Session.owner.is_(None),
                          models.Session.owner == engine,
                          models.Session.lease_expires_at < now))
            .values(owner=engine, lease_expires_at=lease_until))
        return result.rowcount == 1


@_retry
def session_renew_leases(engine, session_ids, lease_until):
    """Extend this engine's leases; return the ids it still owns."""
    if not session_ids:
        return []
    with _writer() as s:
        s.execute(sa.update(models.Session)
                  .where(models.Session.owner == engine)
                  .where(models.Session.id.in_(list(session_ids)))
                  .values(lease_expires_at=lease_until))
        rows = s.execute(sa.select(models.Session.id)
                         .where(models.Session.owner == engine)
                         .where(models.Session.id.in_(list(session_ids))))
        return [r[0] for r in rows]


@_retry
def session_release(session_id, engine):
    with _writer() as s:
        s.execute(sa.update(models.Session)
                  .where(models.Session.id == session_id)
                  .where(models.Session.owner == engine)
                  .values(owner=None, lease_expires_at=None))


def sessions_to_run(engine, now=None):
    """Ids of the sessions an engine should run.

    Those unfinished (or asked to stop) and not owned by a live engine
    other than ``engine``.
    """
    now = now or timeutils.utcnow()
    with _reader() as s:
        rows = s.execute(
            sa.select(models.Session.id)
            .where(sa.or_(models.Session.state.not_in(
                states.INACTIVE_SESSION_STATES),
                models.Session.stop_requested.is_(True)))
            .where(sa.or_(models.Session.owner.is_(None),
                          models.Session.owner == engine,
                          models.Session.lease_expires_at < now))
            .order_by(models.Session.created_at))
        return [r[0] for r in rows]


# -- hosts ------------------------------------------------------------------

@_retry
def hosts_create(session_id, hosts):
    """Add hosts (dicts) not yet in the session; return every host."""
    with _writer() as s:
        have = {r[0] for r in s.execute(
            sa.select(models.Host.hostname)
            .where(models.Host.session_id == session_id))}
        new = [dict(h, session_id=session_id) for h in hosts
               if h['hostname'] not in have]
        if new:
            s.execute(sa.insert(models.Host), new)
    return host_list(session_id)


def host_list(session_id):
    with _reader() as s:
        rows = s.scalars(sa.select(models.Host)
                         .where(models.Host.session_id == session_id)
                         .order_by(models.Host.hostname))
        return [_dict(r) for r in rows]


@_retry
def host_update(session_id, hostname, history=None, **values):
    """Update a host row (and add ``history``, as in instances_update)."""
    with _writer() as s:
        values['updated_at'] = timeutils.utcnow()
        s.execute(sa.update(models.Host)
                  .where(models.Host.session_id == session_id)
                  .where(models.Host.hostname == hostname)
                  .values(**values))
        _add_history(s, session_id, history)


# -- projects ---------------------------------------------------------------

@_retry
def projects_create(session_id, projects):
    with _writer() as s:
        have = {r[0] for r in s.execute(
            sa.select(models.Project.project_id)
            .where(models.Project.session_id == session_id))}
        new = [dict(p, session_id=session_id, instance_ids=[],
                    generation=0)
               for p in projects if p['project_id'] not in have]
        if new:
            s.execute(sa.insert(models.Project), new)


def project_replies(session_id, project_ids):
    """dict project_id -> its reply (None when it has not replied)."""
    with _reader() as s:
        return dict(s.execute(
            sa.select(models.Project.project_id, models.Project.reply)
            .where(models.Project.session_id == session_id)
            .where(models.Project.project_id.in_(list(project_ids)))).all())


def project_list(session_id):
    with _reader() as s:
        rows = s.scalars(sa.select(models.Project)
                         .where(models.Project.session_id == session_id)
                         .order_by(models.Project.project_id))
        return [_dict(r) for r in rows]


def _project_row(s, session_id, project_id):
    """The project's row, or the 404 that says what is missing."""
    row = s.scalar(sa.select(models.Project)
                   .where(models.Project.session_id == session_id)
                   .where(models.Project.project_id == project_id))
    if row is None:
        if s.get(models.Session, session_id) is None:
            raise exception.SessionNotFound(session_id=session_id)
        raise exception.ProjectNotFound(session_id=session_id,
                                        project_id=project_id)
    return row


def project_get(session_id, project_id):
    with _reader() as s:
        return _dict(_project_row(s, session_id, project_id))


@_retry
def project_update(session_id, project_id, **values):
    with _writer() as s:
        values['updated_at'] = timeutils.utcnow()
        s.execute(sa.update(models.Project)
                  .where(models.Project.session_id == session_id)
                  .where(models.Project.project_id == project_id)
                  .values(**values))


@_retry
def projects_notify(session_id, project_ids, state, reply_deadline,
                    instance_ids=None, now=None):
    """Record that ``state`` was notified to the projects (reply cleared).

    :param instance_ids: dict project_id -> list of the instance ids the
        notification concerns.
    """
    now = now or timeutils.utcnow()
    instance_ids = instance_ids or {}
    with _writer() as s:
        for project_id in project_ids:
            s.execute(sa.update(models.Project)
                      .where(models.Project.session_id == session_id)
                      .where(models.Project.project_id == project_id)
                      .values(state=state, notified_at=now,
                              reply_deadline=reply_deadline, reply=None,
                              replied_at=None, replied_by=None,
                              instance_ids=instance_ids.get(project_id, []),
                              generation=models.Project.generation + 1,
                              updated_at=now))


def _check_reply(session_id, project, reply):
    answered = reply.split('_', 1)[1]
    if project['state'] != answered:
        raise exception.InvalidState(
            reason='Project %s of session %s is asked about %s now, not %s; '
                   'reply ACK_%s or NACK_%s.' % (
                       project['project_id'], session_id,
                       project['state'] or 'nothing', answered,
                       project['state'], project['state'])
            if project['state'] else
            'Project %s of session %s has not been asked anything yet.' % (
                project['project_id'], session_id))


@_retry
def project_reply(session_id, project_id, reply, replied_by,
                  instance_actions=None, now=None):
    """Store a project's reply.

    ``InvalidState`` (422) when it answers a state that is not the
    project's current one, ``ConcurrentUpdate`` (409) when a concurrent
    reply won.
    """
    now = now or timeutils.utcnow()
    with _writer() as s:
        project = _dict(_project_row(s, session_id, project_id))
        _check_reply(session_id, project, reply)
        result = s.execute(
            sa.update(models.Project)
            .where(models.Project.id == project['id'])
            .where(models.Project.generation == project['generation'])
            .values(reply=reply, replied_at=now, replied_by=replied_by,
                    generation=models.Project.generation + 1,
                    updated_at=now))
        if result.rowcount != 1:
            raise exception.ConcurrentUpdate(
                what='The reply of project %s' % project_id)
        for instance_id, action in (instance_actions or {}).items():
            updated = s.execute(
                sa.update(models.Instance)
                .where(models.Instance.session_id == session_id)
                .where(models.Instance.project_id == project_id)
                .where(models.Instance.instance_id == instance_id)
                .values(action=action, updated_at=now))
            if updated.rowcount != 1:
                raise exception.InstanceNotFound(session_id=session_id,
                                                 instance_id=instance_id)
        return project_id


@_retry
def instance_reply(session_id, project_id, instance_id, reply, replied_by,
                   action=None, now=None):
    """Store a reply about one instance (same outcomes as project_reply)."""
    now = now or timeutils.utcnow()
    with _writer() as s:
        row = s.scalar(sa.select(models.Instance)
                       .where(models.Instance.session_id == session_id)
                       .where(models.Instance.instance_id == instance_id))
        if row is None or row.project_id != project_id:
            if s.get(models.Session, session_id) is None:
                raise exception.SessionNotFound(session_id=session_id)
            raise exception.InstanceNotFound(session_id=session_id,
                                             instance_id=instance_id)
        project = _dict(s.scalar(
            sa.select(models.Project)
            .where(models.Project.session_id == session_id)
            .where(models.Project.project_id == project_id)))
        state = row.project_state or project['state']
        answered = reply.split('_', 1)[1]
        if state != answered:
            raise exception.InvalidState(
                reason='Instance %s of session %s is asked about %s now, '
                       'not %s.' % (instance_id, session_id,
                                    state or 'nothing', answered))
        values = {'reply': reply, 'updated_at': now}
        if action:
            values['action'] = action
        s.execute(sa.update(models.Instance)
                  .where(models.Instance.id == row.id).values(**values))
        s.execute(sa.update(models.Project)
                  .where(models.Project.id == project['id'])
                  .values(replied_by=replied_by, updated_at=now,
                          generation=models.Project.generation + 1))


# -- instances --------------------------------------------------------------

@_retry
def instances_create(session_id, instances):
    """Add the instances the session does not know; move known ones.

    One transaction whatever the number: a known instance found on
    another host gets that host (``instances`` carry ``host``).
    """
    now = timeutils.utcnow()
    if not instances:
        return
    with _writer() as s:
        have = {}
        ids = [i['instance_id'] for i in instances]
        for start in range(0, len(ids), 500):
            have.update(s.execute(
                sa.select(models.Instance.instance_id, models.Instance.host)
                .where(models.Instance.session_id == session_id)
                .where(models.Instance.instance_id.in_(
                    ids[start:start + 500]))).all())
        new = [dict(i, session_id=session_id, details={})
               for i in instances if i['instance_id'] not in have]
        if new:
            s.execute(sa.insert(models.Instance), new)
        moved = {}
        for i in instances:
            if i['instance_id'] in have and 'host' in i and (
                    have[i['instance_id']] != i['host']):
                moved.setdefault(i['host'], []).append(i['instance_id'])
        for host, ids in moved.items():
            s.execute(sa.update(models.Instance)
                      .where(models.Instance.session_id == session_id)
                      .where(models.Instance.instance_id.in_(ids))
                      .values(host=host, updated_at=now))


def instance_list(session_id, host=None, project_id=None, state=None):
    with _reader() as s:
        query = (sa.select(models.Instance)
                 .where(models.Instance.session_id == session_id))
        if host is not None:
            query = query.where(models.Instance.host == host)
        if project_id is not None:
            query = query.where(models.Instance.project_id == project_id)
        if state is not None:
            query = query.where(models.Instance.state == state)
        rows = s.scalars(query.order_by(models.Instance.instance_name,
                                        models.Instance.instance_id))
        return [_dict(r) for r in rows]


@_retry
def instance_update(session_id, instance_id, history=None, **values):
    """Update one instance row.

    :param history: a history entry (the arguments of :func:`history_add`
        but ``session_id``) written in the same transaction.
    """
    instances_update(session_id, [instance_id], history=history, **values)


@_retry
def instances_update(session_id, instance_ids, history=None, **values):
    """Give the same values to several instance rows, in one transaction."""
    with _writer() as s:
        values['updated_at'] = timeutils.utcnow()
        s.execute(sa.update(models.Instance)
                  .where(models.Instance.session_id == session_id)
                  .where(models.Instance.instance_id.in_(instance_ids))
                  .values(**values))
        _add_history(s, session_id, history)


@_retry
def instances_done(session_id, moves, history=None):
    """Mark instances moved: ``moves`` is a list of (instance_id, host)."""
    now = timeutils.utcnow()
    with _writer() as s:
        for instance_id, host in moves:
            s.execute(sa.update(models.Instance)
                      .where(models.Instance.session_id == session_id)
                      .where(models.Instance.instance_id == instance_id)
                      .values(host=host, state=states.INSTANCE_DONE,
                              updated_at=now))
        _add_history(s, session_id, history)


def session_left(session_id):
    """What a session leaves: hosts maintained or not, hosts disabled."""
    with _reader() as s:
        hosts = s.execute(
            sa.select(models.Host.hostname, models.Host.maintained,
                      models.Host.disabled_by_us)
            .where(models.Host.session_id == session_id)).all()
        moved = s.scalar(
            sa.select(sa.func.count())
            .select_from(models.Instance)
            .where(models.Instance.session_id == session_id)
            .where(models.Instance.state == states.INSTANCE_DONE)
            .where(models.Instance.action.is_not(None)))
    hosts = sorted(hosts, key=lambda h: h.hostname)
    return {
        'hosts_maintained': [h.hostname for h in hosts if h.maintained],
        'hosts_not_maintained': [h.hostname for h in hosts
                                 if not h.maintained],
        'hosts_left_disabled': [h.hostname for h in hosts
                                if h.disabled_by_us],
        'instances_moved': moved,
    }


def _add_history(s, session_id, history):
    """Add history entries (a dict or a list of them) in session s."""
    if not history:
        return
    entries = history if isinstance(history, list) else [history]
    s.execute(sa.insert(models.HistoryEvent),
              [dict(e, session_id=session_id) for e in entries])


# -- action plug-ins --------------------------------------------------------

def action_plugin_list(session_id):
    with _reader() as s:
        rows = s.scalars(sa.select(models.ActionPlugin)
                         .where(models.ActionPlugin.session_id == session_id)
                         .order_by(models.ActionPlugin.order,
                                   models.ActionPlugin.plugin))
        return [_meta_out(_dict(r)) for r in rows]


@_retry
def action_run_start(session_id, plugin, type_, hostname='', now=None):
    """Record (or restart) a run; return it."""
    now = now or timeutils.utcnow()
    with _writer() as s:
        row = s.scalar(
            sa.select(models.ActionPluginInstance)
            .where(models.ActionPluginInstance.session_id == session_id)
            .where(models.ActionPluginInstance.plugin == plugin)
            .where(models.ActionPluginInstance.type == type_)
            .where(models.ActionPluginInstance.hostname == hostname))
        if row is None:
            row = models.ActionPluginInstance(
                session_id=session_id, plugin=plugin, type=type_,
                hostname=hostname)
            s.add(row)
        row.state = 'RUNNING'
        row.reason = None
        row.output = None
        row.started_at = now
        row.finished_at = None
        s.flush()
        return _dict(row)


@_retry
def action_run_finish(run_id, state, reason=None, output=None, now=None):
    with _writer() as s:
        s.execute(sa.update(models.ActionPluginInstance)
                  .where(models.ActionPluginInstance.id == run_id)
                  .values(state=state, reason=reason, output=output,
                          finished_at=now or timeutils.utcnow()))


def action_run_list(session_id, hostname=None):
    """Runs of the session (those on ``hostname`` only, when given)."""
    with _reader() as s:
        query = (sa.select(models.ActionPluginInstance)
                 .where(models.ActionPluginInstance.session_id == session_id))
        if hostname is not None:
            query = query.where(
                models.ActionPluginInstance.hostname == hostname)
        rows = s.scalars(query.order_by(models.ActionPluginInstance.id))
        return [_dict(r) for r in rows]


# -- history ----------------------------------------------------------------

@_retry
def history_add(session_id, state, step, outcome, host=None, details=None,
                engine=None):
    with _writer() as s:
        s.add(models.HistoryEvent(session_id=session_id, state=state,
                                  step=step, outcome=outcome, host=host,
                                  details=details, engine=engine))


def history_list(session_id):
    with _reader() as s:
        rows = s.scalars(sa.select(models.HistoryEvent)
                         .where(models.HistoryEvent.session_id == session_id)
                         .order_by(models.HistoryEvent.id))
        return [_dict(r) for r in rows]


# -- instance and group constraints -----------------------------------------

def _put(model, key, values):
    with _writer() as s:
        row = s.get(model, values[key])
        if row is None:
            row = model(**values)
            s.add(row)
        else:
            for name, value in values.items():
                setattr(row, name, value)
        s.flush()
        return _dict(row)


def _get(model, key, not_found):
    with _reader() as s:
        row = s.get(model, key)
        if row is None:
            raise not_found
        return _dict(row)


def _delete(model, key, not_found):
    with _writer() as s:
        row = s.get(model, key)
        if row is None:
            raise not_found
        s.delete(row)


@_retry
def instance_constraint_put(values):
    return _put(models.InstanceConstraint, 'instance_id', values)


def instance_constraint_get(instance_id):
    return _get(models.InstanceConstraint, instance_id,
                exception.InstanceConstraintNotFound(
                    instance_id=instance_id))


@_retry
def instance_constraint_delete(instance_id):
    _delete(models.InstanceConstraint, instance_id,
            exception.InstanceConstraintNotFound(instance_id=instance_id))


@_retry
def instance_group_put(values):
    return _put(models.InstanceGroup, 'group_id', values)


def instance_group_get(group_id):
    return _get(models.InstanceGroup, group_id,
                exception.InstanceGroupNotFound(group_id=group_id))


@_retry
def instance_group_delete(group_id):
    _delete(models.InstanceGroup, group_id,
            exception.InstanceGroupNotFound(group_id=group_id))
