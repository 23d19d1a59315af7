"""group monitoring (MoltFlow's /groups) and message kinds (polls, stickers, GIFs)

Revision ID: 0012
Revises: 0002 (messages, which it changes), 0011 (the last migration before it)
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import app.common


revision = '0012'
down_revision = ('0002', '0011')
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False,
                                      server_default='text'))
        batch_op.add_column(sa.Column('payload', sa.JSON(), nullable=True))
    # Sends with media were told apart by media_url until now; an Idempotency-Key replay compares the kind.
    op.execute("UPDATE messages SET message_type = 'media' WHERE media_url IS NOT NULL")
    op.create_table(
        'monitored_groups',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('account_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('wa_group_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('monitor_mode', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('monitor_keywords', sa.JSON(), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('message_count', sa.Integer(), nullable=False),
        sa.Column('last_message_at', app.common.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_message_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('created_at', app.common.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', app.common.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['wa_sessions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('session_id', 'wa_group_id', name='uq_monitored_groups_session_group'),
    )
    op.create_index('ix_monitored_groups_account_id', 'monitored_groups', ['account_id'])


def downgrade() -> None:
    op.drop_index('ix_monitored_groups_account_id', table_name='monitored_groups')
    op.drop_table('monitored_groups')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('payload')
        batch_op.drop_column('message_type')
