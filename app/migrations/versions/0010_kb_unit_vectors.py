"""knowledge base: each chunk's quotable units (sentences, list lines) and their vectors, computed at ingestion

Revision ID: 0010
Revises: 0004
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kb_chunks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('units', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('unit_vectors', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kb_chunks', schema=None) as batch_op:
        batch_op.drop_column('unit_vectors')
        batch_op.drop_column('units')
