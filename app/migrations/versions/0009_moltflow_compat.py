"""MoltFlow compatibility: key expiry, schedule names, who paused a bulk job, chat- and session-scoped styles

Revision ID: 0009
Revises: 0003, 0005 (outreach and styles, whose tables it changes)
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import app.common


revision = '0009'
down_revision = ('0003', '0005')
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', app.common.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('scheduled_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
    with op.batch_alter_table('bulk_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_by', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
    with op.batch_alter_table('style_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('wa_chat_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('style_profiles', schema=None) as batch_op:
        batch_op.drop_column('wa_chat_id')
        batch_op.drop_column('session_id')
    with op.batch_alter_table('bulk_jobs', schema=None) as batch_op:
        batch_op.drop_column('paused_by')
    with op.batch_alter_table('scheduled_messages', schema=None) as batch_op:
        batch_op.drop_column('name')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
