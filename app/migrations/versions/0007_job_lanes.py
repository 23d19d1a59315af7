"""jobs: lanes, owning account, the worker holding a job, and worker processes with heartbeats

Revision ID: 0007
Revises: 0001
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import app.common


revision = '0007'
down_revision = '0001'
branch_labels = ('jobs',)
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lane', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False,
                                      server_default='default'))
        batch_op.add_column(sa.Column('account_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('locked_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_index('ix_jobs_lane_due', ['lane', 'status', 'run_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_account_id'), ['account_id'], unique=False)
    op.create_table('worker_processes',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hostname', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('lanes', sa.JSON(), nullable=False),
    sa.Column('started_at', app.common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', app.common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', app.common.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('worker_processes')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_account_id'))
        batch_op.drop_index('ix_jobs_lane_due')
        batch_op.drop_column('locked_by')
        batch_op.drop_column('account_id')
        batch_op.drop_column('lane')
