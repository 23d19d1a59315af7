"""styles: style profiles

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import app.common


revision = '0005'
down_revision = '0001'
branch_labels = ('styles',)
depends_on = None


def upgrade() -> None:
    op.create_table('style_profiles',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('account_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('tone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('formality', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('max_reply_length', sa.Integer(), nullable=False),
    sa.Column('emoji', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('greeting', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('sign_off', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('persona', sa.Text(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('examples', sa.JSON(), nullable=False),
    sa.Column('learned', sa.JSON(), nullable=True),
    sa.Column('created_at', app.common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.common.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'name', name='uq_style_profiles_account_name')
    )
    with op.batch_alter_table('style_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_style_profiles_account_id'), ['account_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('style_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_style_profiles_account_id'))
    op.drop_table('style_profiles')
