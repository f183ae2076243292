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
"""Initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 18:44:59.977950
"""

from alembic import op
from oslo_db.sqlalchemy import types as db_types
import sqlalchemy as sa

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def _session_fk():
    return sa.ForeignKeyConstraint(['session_id'], ['sessions.id'],
                                   ondelete='CASCADE')


def upgrade():
    op.create_table(
        'instance_constraints',
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('project_id', sa.String(length=64), nullable=False),
        sa.Column('group_id', sa.String(length=36), nullable=True),
        sa.Column('instance_name', sa.String(length=255), nullable=True),
        sa.Column('migration_type', sa.String(length=32), nullable=True),
        sa.Column('max_interruption_time', sa.Integer(), nullable=True),
        sa.Column('resource_mitigation', sa.Boolean(), nullable=True),
        sa.Column('lead_time', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('instance_id')
    )
    op.create_table(
        'instance_groups',
        sa.Column('group_id', sa.String(length=36), nullable=False),
        sa.Column('project_id', sa.String(length=64), nullable=False),
        sa.Column('group_name', sa.String(length=255), nullable=True),
        sa.Column('anti_affinity_group', sa.Boolean(), nullable=True),
        sa.Column('max_instances_per_host', sa.Integer(), nullable=True),
        sa.Column('max_impacted_members', sa.Integer(), nullable=True),
        sa.Column('recovery_time', sa.Integer(), nullable=True),
        sa.Column('resource_mitigation', sa.Boolean(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('group_id')
    )
    op.create_table(
        'sessions',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('state', sa.String(length=32), nullable=False),
        sa.Column('workflow', sa.String(length=64), nullable=False),
        sa.Column('maintenance_at', sa.DateTime(), nullable=False),
        sa.Column('requested_hosts', db_types.JsonEncodedList(),
                  nullable=False),
        sa.Column('metadata', db_types.JsonEncodedDict(), nullable=False),
        sa.Column('download', db_types.JsonEncodedList(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('percent_done', sa.Integer(), nullable=False),
        sa.Column('stop_requested', sa.Boolean(), nullable=False),
        sa.Column('owner', sa.String(length=255), nullable=True),
        sa.Column('lease_expires_at', sa.DateTime(), nullable=True),
        sa.Column('wait_until', sa.DateTime(), nullable=True),
        sa.Column('waiting_for', sa.String(length=255), nullable=True),
        sa.Column('progress', db_types.JsonEncodedDict(), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index('sessions_owner_idx', ['owner'],
                              unique=False)
        batch_op.create_index('sessions_state_idx', ['state'],
                              unique=False)

    op.create_table(
        'action_plugin_instances',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('session_id', sa.String(length=36), nullable=False),
        sa.Column('plugin', sa.String(length=255), nullable=False),
        sa.Column('type', sa.String(length=32), nullable=False),
        sa.Column('hostname', sa.String(length=255), nullable=False),
        sa.Column('state', sa.String(length=32), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('output', sa.Text(), nullable=True),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        _session_fk(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('session_id', 'plugin', 'hostname', 'type',
                            name='uniq_api0session0plugin0host0type')
    )
    op.create_table(
        'action_plugins',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('session_id', sa.String(length=36), nullable=False),
        sa.Column('plugin', sa.String(length=255), nullable=False),
        sa.Column('type', sa.String(length=32), nullable=False),
        sa.Column('order', sa.Integer(), nullable=False),
        sa.Column('metadata', db_types.JsonEncodedDict(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        _session_fk(),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_table(
        'history',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('session_id', sa.String(length=36), nullable=False),
        sa.Column('state', sa.String(length=32), nullable=False),
        sa.Column('step', sa.String(length=64), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=True),
        sa.Column('details', sa.Text(), nullable=True),
        sa.Column('engine', sa.String(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        _session_fk(),
        sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('history', schema=None) as batch_op:
        batch_op.create_index('history_session_idx', ['session_id', 'id'],
                              unique=False)

    op.create_table(
        'hosts',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('session_id', sa.String(length=36), nullable=False),
        sa.Column('hostname', sa.String(length=255), nullable=False),
        sa.Column('type', sa.String(length=32), nullable=False),
        sa.Column('vcpus', sa.Integer(), nullable=False),
        sa.Column('memory_mb', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=32), nullable=False),
        sa.Column('maintained', sa.Boolean(), nullable=False),
        sa.Column('disabled_by_us', sa.Boolean(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        _session_fk(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('session_id', 'hostname',
                            name='uniq_hosts0session_id0hostname')
    )
    with op.batch_alter_table('hosts', schema=None) as batch_op:
        batch_op.create_index('hosts_hostname_idx', ['hostname'],
                              unique=False)

    op.create_table(
        'instances',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('session_id', sa.String(length=36), nullable=False),
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('instance_name', sa.String(length=255), nullable=True),
        sa.Column('project_id', sa.String(length=64), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=True),
        sa.Column('vcpus', sa.Integer(), nullable=False),
        sa.Column('memory_mb', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=True),
        sa.Column('state', sa.String(length=32), nullable=False),
        sa.Column('project_state', sa.String(length=32), nullable=True),
        sa.Column('reply', sa.String(length=48), nullable=True),
        sa.Column('details', db_types.JsonEncodedDict(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        _session_fk(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('session_id', 'instance_id',
                            name='uniq_instances0session_id0instance_id')
    )
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.create_index('instances_session_host_idx',
                              ['session_id', 'host'],
                              unique=False)

    op.create_table(
        'projects',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('session_id', sa.String(length=36), nullable=False),
        sa.Column('project_id', sa.String(length=64), nullable=False),
        sa.Column('subscribed', sa.Boolean(), nullable=False),
        sa.Column('state', sa.String(length=32), nullable=True),
        sa.Column('instance_ids', db_types.JsonEncodedList(), nullable=False),
        sa.Column('notified_at', sa.DateTime(), nullable=True),
        sa.Column('reply_deadline', sa.DateTime(), nullable=True),
        sa.Column('reply', sa.String(length=48), nullable=True),
        sa.Column('replied_at', sa.DateTime(), nullable=True),
        sa.Column('replied_by', sa.String(length=255), nullable=True),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        _session_fk(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('session_id', 'project_id',
                            name='uniq_projects0session_id0project_id')
    )
