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
            engine = facade.writer.get_engine()
            _pool_sqlite_connections(engine, conf)
            _serialize_sqlite_writes(engine)


def _pool_sqlite_connections(engine, conf):
    """Keep the connections to a SQLite file open between transactions.

    NOTE: oslo.db gives a SQLite file a NullPool: every transaction opened
    a connection (its PRAGMAs, a fresh read of the schema) and closed it,
    which cost more CPU than most transactions. SQLAlchemy's own default
    for a file is a QueuePool (its pysqlite dialect turns
    check_same_thread off for files); a connection is used by one thread
    at a time, and the pool's reset on return rolls back what a failed
    transaction left. The pool keeps the listeners of the old one.
    """
    old = engine.pool
    if not isinstance(old, sa.pool.NullPool):
        return  # :memory: has a StaticPool: one shared connection
    engine.pool = sa.pool.QueuePool(
        old._creator,
        pool_size=conf.database.max_pool_size or 5,
        max_overflow=(conf.database.max_overflow
                      if conf.database.max_overflow is not None else 10),
        timeout=conf.database.pool_timeout or 30,
        recycle=old._recycle, echo=old.echo,
        logging_name=old._orig_logging_name,
        reset_on_return=old._reset_on_return, pre_ping=old._pre_ping,
        _dispatch=old.dispatch, dialect=old._dialect)
    old.dispose()


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


# NOTE: the hot paths use Core statements on the tables: the same SQL and
# the same dicts as through the ORM (a Core row has the column names, so
# "metadata" already), without building ORM objects or the ORM's
# bookkeeping of bulk UPDATEs, which cost more CPU than the statements.
_SESSIONS = models.Session.__table__
_HOSTS = models.Host.__table__
_PROJECTS = models.Project.__table__
_INSTANCES = models.Instance.__table__
_HISTORY = models.HistoryEvent.__table__
_PLUGINS = models.ActionPlugin.__table__
_RUNS = models.ActionPluginInstance.__table__

# NOTE: statements run for every request or wake-up are built once: building
# one costs about as much CPU as running it on SQLite.
_SESSION_ROW = sa.select(_SESSIONS).where(
    _SESSIONS.c.id == sa.bindparam('b_id'))
_SESSION_OWNER = sa.select(_SESSIONS.c.owner,
                           _SESSIONS.c.lease_expires_at).where(
    _SESSIONS.c.id == sa.bindparam('b_id'))
_PROJECT_LIST = (sa.select(_PROJECTS)
                 .where(_PROJECTS.c.session_id == sa.bindparam('b_session'))
                 .order_by(_PROJECTS.c.project_id))
_PROJECT_ROW = (sa.select(_PROJECTS)
                .where(_PROJECTS.c.session_id == sa.bindparam('b_session'))
                .where(_PROJECTS.c.project_id == sa.bindparam('b_project')))
_PROJECT_REPLIES = (
    sa.select(_PROJECTS.c.project_id, _PROJECTS.c.reply)
    .where(_PROJECTS.c.session_id == sa.bindparam('b_session'))
    .where(_PROJECTS.c.project_id.in_(
        sa.bindparam('b_projects', expanding=True))))
_PROJECT_REPLY = (
    sa.update(_PROJECTS)
    .where(_PROJECTS.c.id == sa.bindparam('b_id'))
    .where(_PROJECTS.c.generation == sa.bindparam('b_generation'))
    .values(reply=sa.bindparam('b_reply'), replied_at=sa.bindparam('b_now'),
            replied_by=sa.bindparam('b_by'),
            generation=_PROJECTS.c.generation + 1,
            updated_at=sa.bindparam('b_now')))


def _core_dicts(s, query, params=None):
    return [dict(r._mapping) for r in s.execute(query, params)]


def _core_dict(s, query, params=None):
    row = s.execute(query, params).first()
    return dict(row._mapping) if row is not None else None


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
        row = _core_dict(s, _SESSION_ROW, {'b_id': session_id})
        if row is None:
            raise exception.SessionNotFound(session_id=session_id)
        return row


def live_owner(session, now=None):
    """The engine holding a live lease on ``session`` (a row), or None."""
    if session is None or not session['owner'] or (
            session['lease_expires_at'] is None):
        return None
    now = now or timeutils.utcnow()
    return session['owner'] if session['lease_expires_at'] >= now else None


def _session_owner(s, session_id, now):
    row = s.execute(_SESSION_OWNER, {'b_id': session_id}).first()
    return live_owner(row._mapping if row is not None else None, now)


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
    if 'meta' in values:
        values['metadata'] = values.pop('meta')
    with _writer() as s:
        query = sa.update(_SESSIONS).where(_SESSIONS.c.id == session_id)
        if expected_generation is not None:
            query = query.where(
                _SESSIONS.c.generation == expected_generation)
            values['generation'] = _SESSIONS.c.generation + 1
        if owner is not None:
            query = query.where(_SESSIONS.c.owner == owner)
        values['updated_at'] = timeutils.utcnow()
        result = s.execute(query.values(**values))
        row = _core_dict(s, _SESSION_ROW, {'b_id': session_id})
        if result.rowcount != 1:
            if row is None:
                raise exception.SessionNotFound(session_id=session_id)
            raise exception.ConcurrentUpdate(
                what='Maintenance session %s' % session_id)
        _add_history(s, session_id, history)
        return row


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
        return _core_dicts(s, sa.select(_HOSTS)
                           .where(_HOSTS.c.session_id == session_id)
                           .order_by(_HOSTS.c.hostname))


@_retry
def host_update(session_id, hostname, history=None, **values):
    """Update a host row (and add ``history``, as in instances_update)."""
    with _writer() as s:
        values['updated_at'] = timeutils.utcnow()
        s.execute(sa.update(_HOSTS)
                  .where(_HOSTS.c.session_id == session_id)
                  .where(_HOSTS.c.hostname == hostname)
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
        return dict(s.execute(_PROJECT_REPLIES, {
            'b_session': session_id,
            'b_projects': list(project_ids)}).all())


def project_list(session_id):
    with _reader() as s:
        return _core_dicts(s, _PROJECT_LIST, {'b_session': session_id})


def _project_row(s, session_id, project_id):
    """The project's row, or the 404 that says what is missing."""
    row = _core_dict(s, _PROJECT_ROW, {'b_session': session_id,
                                       'b_project': project_id})
    if row is None:
        if s.get(models.Session, session_id) is None:
            raise exception.SessionNotFound(session_id=session_id)
        raise exception.ProjectNotFound(session_id=session_id,
                                        project_id=project_id)
    return row


def project_get(session_id, project_id):
    with _reader() as s:
        return _project_row(s, session_id, project_id)


@_retry
def project_update(session_id, project_id, **values):
    with _writer() as s:
        values['updated_at'] = timeutils.utcnow()
        s.execute(sa.update(_PROJECTS)
                  .where(_PROJECTS.c.session_id == session_id)
                  .where(_PROJECTS.c.project_id == project_id)
                  .values(**values))


@_retry
def projects_notify(session_id, project_ids, state, reply_deadline,
                    instance_ids=None, now=None):
    """Record that ``state`` was notified to the projects (reply cleared).

    :param instance_ids: dict project_id -> list of the instance ids the
        notification concerns.
    :returns: the session's project rows after the change (as
        :func:`project_list`).
    """
    now = now or timeutils.utcnow()
    instance_ids = instance_ids or {}
    with _writer() as s:
        if project_ids:
            s.execute(
                sa.update(_PROJECTS)
                .where(_PROJECTS.c.session_id == session_id)
                .where(_PROJECTS.c.project_id == sa.bindparam('b_project'))
                .values(state=state, notified_at=now,
                        reply_deadline=reply_deadline, reply=None,
                        replied_at=None, replied_by=None,
                        instance_ids=sa.bindparam(
                            'b_instances',
                            type_=_PROJECTS.c.instance_ids.type),
                        generation=_PROJECTS.c.generation + 1,
                        updated_at=now),
                [{'b_project': project_id,
                  'b_instances': instance_ids.get(project_id, [])}
                 for project_id in project_ids])
        return _core_dicts(s, _PROJECT_LIST, {'b_session': session_id})


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
    """Store a project's reply; the engine to wake (see live_owner).

    ``InvalidState`` (422) when it answers a state that is not the
    project's current one, ``ConcurrentUpdate`` (409) when a concurrent
    reply won.
    """
    now = now or timeutils.utcnow()
    with _writer() as s:
        project = _project_row(s, session_id, project_id)
        _check_reply(session_id, project, reply)
        result = s.execute(_PROJECT_REPLY, {
            'b_id': project['id'], 'b_generation': project['generation'],
            'b_reply': reply, 'b_now': now, 'b_by': replied_by})
        if result.rowcount != 1:
            raise exception.ConcurrentUpdate(
                what='The reply of project %s' % project_id)
        _set_actions(s, session_id, project_id, instance_actions or {}, now)
        return _session_owner(s, session_id, now)


def _set_actions(s, session_id, project_id, instance_actions, now):
    """Give instances of the project their replied actions.

    One UPDATE per action (and 500 instances); an instance that is not
    the project's in this session is an ``InstanceNotFound``.
    """
    by_action = {}
    for instance_id, action in instance_actions.items():
        by_action.setdefault(action, []).append(instance_id)
    complete = True
    for action, ids in sorted(by_action.items()):
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            updated = s.execute(
                sa.update(_INSTANCES)
                .where(_INSTANCES.c.session_id == session_id)
                .where(_INSTANCES.c.project_id == project_id)
                .where(_INSTANCES.c.instance_id.in_(chunk))
                .values(action=action, updated_at=now))
            complete = complete and updated.rowcount == len(chunk)
    if complete:
        return
    # The first unknown instance in the reply's order is the one named.
    ids = list(instance_actions)
    found = set()
    for start in range(0, len(ids), 500):
        found.update(r[0] for r in s.execute(
            sa.select(_INSTANCES.c.instance_id)
            .where(_INSTANCES.c.session_id == session_id)
            .where(_INSTANCES.c.project_id == project_id)
            .where(_INSTANCES.c.instance_id.in_(ids[start:start + 500]))))
    missing = [i for i in ids if i not in found] or ids
    raise exception.InstanceNotFound(session_id=session_id,
                                     instance_id=missing[0])


@_retry
def instance_reply(session_id, project_id, instance_id, reply, replied_by,
                   action=None, now=None):
    """Store a reply about one instance (as project_reply)."""
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
        return _session_owner(s, session_id, now)


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
                sa.select(_INSTANCES.c.instance_id, _INSTANCES.c.host)
                .where(_INSTANCES.c.session_id == session_id)
                .where(_INSTANCES.c.instance_id.in_(
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
            s.execute(sa.update(_INSTANCES)
                      .where(_INSTANCES.c.session_id == session_id)
                      .where(_INSTANCES.c.instance_id.in_(ids))
                      .values(host=host, updated_at=now))


def instance_list(session_id, host=None, project_id=None, state=None):
    with _reader() as s:
        query = (sa.select(_INSTANCES)
                 .where(_INSTANCES.c.session_id == session_id))
        if host is not None:
            query = query.where(_INSTANCES.c.host == host)
        if project_id is not None:
            query = query.where(_INSTANCES.c.project_id == project_id)
        if state is not None:
            query = query.where(_INSTANCES.c.state == state)
        return _core_dicts(s, query.order_by(_INSTANCES.c.instance_name,
                                             _INSTANCES.c.instance_id))


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
        s.execute(sa.update(_INSTANCES)
                  .where(_INSTANCES.c.session_id == session_id)
                  .where(_INSTANCES.c.instance_id.in_(instance_ids))
                  .values(**values))
        _add_history(s, session_id, history)


@_retry
def instances_done(session_id, moves, history=None):
    """Mark instances moved: ``moves`` is a list of (instance_id, host)."""
    now = timeutils.utcnow()
    with _writer() as s:
        if moves:
            s.execute(sa.update(_INSTANCES)
                      .where(_INSTANCES.c.session_id == session_id)
                      .where(_INSTANCES.c.instance_id
                             == sa.bindparam('b_instance'))
                      .values(host=sa.bindparam('b_host'),
                              state=states.INSTANCE_DONE, updated_at=now),
                      [{'b_instance': instance_id, 'b_host': host}
                       for instance_id, host in moves])
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
    s.execute(sa.insert(_HISTORY),
              [dict(e, session_id=session_id) for e in entries])


# -- action plug-ins --------------------------------------------------------

def action_plugin_list(session_id):
    with _reader() as s:
        return _core_dicts(s, sa.select(_PLUGINS)
                           .where(_PLUGINS.c.session_id == session_id)
                           .order_by(_PLUGINS.c.order, _PLUGINS.c.plugin))


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
def action_run_finish(run_id, state, reason=None, output=None, now=None,
                      session_id=None, history=None):
    """Record the end of a run (and ``history`` of ``session_id``)."""
    with _writer() as s:
        s.execute(sa.update(_RUNS)
                  .where(_RUNS.c.id == run_id)
                  .values(state=state, reason=reason, output=output,
                          finished_at=now or timeutils.utcnow()))
        _add_history(s, session_id, history)


def action_run_list(session_id, hostname=None):
    """Runs of the session (those on ``hostname`` only, when given)."""
    with _reader() as s:
        query = (sa.select(_RUNS)
                 .where(_RUNS.c.session_id == session_id))
        if hostname is not None:
            query = query.where(_RUNS.c.hostname == hostname)
        return _core_dicts(s, query.order_by(_RUNS.c.id))


# -- history ----------------------------------------------------------------

@_retry
def history_add(session_id, state, step, outcome, host=None, details=None,
                engine=None):
    with _writer() as s:
        s.execute(sa.insert(_HISTORY).values(
            session_id=session_id, state=state, step=step, outcome=outcome,
            host=host, details=details, engine=engine))


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
