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
"""SQLAlchemy models: every piece of a session's state is a row.

The engine's memory is a cache of these rows; after a crash another engine
resumes from them. Times are naive UTC datetimes.
"""

from oslo_db.sqlalchemy import models
from oslo_db.sqlalchemy import types as db_types
import sqlalchemy as sa
from sqlalchemy import orm


class Base(models.TimestampMixin, models.ModelBase, orm.DeclarativeBase):
    """Base of every Fenix model (created_at / updated_at included)."""

    def to_dict(self):
        return {attr.key: getattr(self, attr.key)
                for attr in sa.inspect(self).mapper.column_attrs}


def _session_fk():
    return sa.ForeignKey('sessions.id', ondelete='CASCADE')


class Session(Base):
    """A maintenance session."""

    __tablename__ = 'sessions'
    __table_args__ = (
        sa.Index('sessions_state_idx', 'state'),
        sa.Index('sessions_owner_idx', 'owner'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    state = sa.Column(sa.String(32), nullable=False)
    workflow = sa.Column(sa.String(64), nullable=False)
    maintenance_at = sa.Column(sa.DateTime, nullable=False)
    # Host names the admin asked for; empty means discover compute hosts.
    requested_hosts = sa.Column(db_types.JsonEncodedList, nullable=False)
    meta = sa.Column('metadata', db_types.JsonEncodedDict, nullable=False)
    download = sa.Column(db_types.JsonEncodedList, nullable=False)
    reason = sa.Column(sa.Text)
    percent_done = sa.Column(sa.Integer, nullable=False, default=0)
    # Set by DELETE: the owner stops at a safe point and removes the rows.
    stop_requested = sa.Column(sa.Boolean, nullable=False, default=False)
    # Engine that runs the session, and until when it owns it.
    owner = sa.Column(sa.String(255))
    lease_expires_at = sa.Column(sa.DateTime)
    # Deadline of the wait the workflow is in, and what it waits for.
    wait_until = sa.Column(sa.DateTime)
    waiting_for = sa.Column(sa.String(255))
    # Workflow-private progress markers that must survive a restart.
    progress = sa.Column(db_types.JsonEncodedDict, nullable=False)
    # Bumped on every write through the API, for compare-and-swap.
    generation = sa.Column(sa.Integer, nullable=False, default=0)


class Host(Base):
    __tablename__ = 'hosts'
    __table_args__ = (
        sa.UniqueConstraint('session_id', 'hostname',
                            name='uniq_hosts0session_id0hostname'),
        sa.Index('hosts_hostname_idx', 'hostname'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    session_id = sa.Column(sa.String(36), _session_fk(), nullable=False)
    hostname = sa.Column(sa.String(255), nullable=False)
    type = sa.Column(sa.String(32), nullable=False, default='compute')
    vcpus = sa.Column(sa.Integer, nullable=False, default=0)
    memory_mb = sa.Column(sa.Integer, nullable=False, default=0)
    # PENDING, EMPTYING, IN_MAINTENANCE, MAINTAINED, FAILED
    state = sa.Column(sa.String(32), nullable=False, default='PENDING')
    maintained = sa.Column(sa.Boolean, nullable=False, default=False)
    # True while the host is disabled for scheduling by this session.
    disabled_by_us = sa.Column(sa.Boolean, nullable=False, default=False)
    started_at = sa.Column(sa.DateTime)
    finished_at = sa.Column(sa.DateTime)


class Project(Base):
    __tablename__ = 'projects'
    __table_args__ = (
        sa.UniqueConstraint('session_id', 'project_id',
                            name='uniq_projects0session_id0project_id'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    session_id = sa.Column(sa.String(36), _session_fk(), nullable=False)
    project_id = sa.Column(sa.String(64), nullable=False)
    subscribed = sa.Column(sa.Boolean, nullable=False, default=True)
    # The state last notified to the project, and what it concerned.
    state = sa.Column(sa.String(32))
    instance_ids = sa.Column(db_types.JsonEncodedList, nullable=False)
    notified_at = sa.Column(sa.DateTime)
    reply_deadline = sa.Column(sa.DateTime)
    # The project's answer to ``state``: ACK_<STATE> or NACK_<STATE>.
    reply = sa.Column(sa.String(48))
    replied_at = sa.Column(sa.DateTime)
    replied_by = sa.Column(sa.String(255))
    generation = sa.Column(sa.Integer, nullable=False, default=0)


class Instance(Base):
    __tablename__ = 'instances'
    __table_args__ = (
        sa.UniqueConstraint('session_id', 'instance_id',
                            name='uniq_instances0session_id0instance_id'),
        sa.Index('instances_session_host_idx', 'session_id', 'host'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    session_id = sa.Column(sa.String(36), _session_fk(), nullable=False)
    instance_id = sa.Column(sa.String(36), nullable=False)
    instance_name = sa.Column(sa.String(255))
    project_id = sa.Column(sa.String(64), nullable=False)
    host = sa.Column(sa.String(255))
    vcpus = sa.Column(sa.Integer, nullable=False, default=0)
    memory_mb = sa.Column(sa.Integer, nullable=False, default=0)
    # The action the project replied (MIGRATE, LIVE_MIGRATE, ...).
    action = sa.Column(sa.String(32))
    # PENDING, ACTING, DONE, FAILED, GONE
    state = sa.Column(sa.String(32), nullable=False, default='PENDING')
    # Per-instance notification state and reply (vnf workflow).
    project_state = sa.Column(sa.String(32))
    reply = sa.Column(sa.String(48))
    details = sa.Column(db_types.JsonEncodedDict, nullable=False)


class ActionPlugin(Base):
    """An action plug-in the admin asked for in the session."""

    __tablename__ = 'action_plugins'

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    session_id = sa.Column(sa.String(36), _session_fk(), nullable=False)
    plugin = sa.Column(sa.String(255), nullable=False)
    type = sa.Column(sa.String(32), nullable=False)
    order = sa.Column(sa.Integer, nullable=False, default=0)
    meta = sa.Column('metadata', db_types.JsonEncodedDict, nullable=False)


class ActionPluginInstance(Base):
    """One run of an action plug-in (on a host, or session-wide)."""

    __tablename__ = 'action_plugin_instances'
    __table_args__ = (
        sa.UniqueConstraint('session_id', 'plugin', 'hostname', 'type',
                            name='uniq_api0session0plugin0host0type'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    session_id = sa.Column(sa.String(36), _session_fk(), nullable=False)
    plugin = sa.Column(sa.String(255), nullable=False)
    type = sa.Column(sa.String(32), nullable=False)
    # Empty string for pre / post actions that concern no single host.
    hostname = sa.Column(sa.String(255), nullable=False, default='')
    # RUNNING, DONE, FAILED
    state = sa.Column(sa.String(32), nullable=False)
    reason = sa.Column(sa.Text)
    output = sa.Column(sa.Text)
    started_at = sa.Column(sa.DateTime)
    finished_at = sa.Column(sa.DateTime)


class HistoryEvent(Base):
    """One step of a session, in order."""

    __tablename__ = 'history'
    __table_args__ = (
        sa.Index('history_session_idx', 'session_id', 'id'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    session_id = sa.Column(sa.String(36), _session_fk(), nullable=False)
    state = sa.Column(sa.String(32), nullable=False)
    step = sa.Column(sa.String(64), nullable=False)
    # ok, failed, waiting, info
    outcome = sa.Column(sa.String(16), nullable=False)
    host = sa.Column(sa.String(255))
    details = sa.Column(sa.Text)
    engine = sa.Column(sa.String(255))


class InstanceConstraint(Base):
    """ETSI NFV FEAT03 constraints of one instance."""

    __tablename__ = 'instance_constraints'

    instance_id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(64), nullable=False)
    group_id = sa.Column(sa.String(36))
    instance_name = sa.Column(sa.String(255))
    migration_type = sa.Column(sa.String(32))
    max_interruption_time = sa.Column(sa.Integer)
    resource_mitigation = sa.Column(sa.Boolean)
    lead_time = sa.Column(sa.Integer)


class InstanceGroup(Base):
    """ETSI NFV FEAT03 constraints of a group of instances."""

    __tablename__ = 'instance_groups'

    group_id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(64), nullable=False)
    group_name = sa.Column(sa.String(255))
    anti_affinity_group = sa.Column(sa.Boolean)
    max_instances_per_host = sa.Column(sa.Integer)
    max_impacted_members = sa.Column(sa.Integer)
    recovery_time = sa.Column(sa.Integer)
    resource_mitigation = sa.Column(sa.Boolean)
