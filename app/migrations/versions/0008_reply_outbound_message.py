"""auto-reply: the outbound message a reply is sent as, stored before the gateway call

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ai_replies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outbound_message_id', sqlmodel.sql.sqltypes.AutoString(length=32),
                                      nullable=True))
        batch_op.create_index(batch_op.f('ix_ai_replies_outbound_message_id'), ['outbound_message_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ai_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ai_replies_outbound_message_id'))
        batch_op.drop_column('outbound_message_id')
