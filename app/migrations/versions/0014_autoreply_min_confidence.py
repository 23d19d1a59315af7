"""auto-reply: min_confidence may be left to the drafter (NULL). Before, the extractive drafter declined below its
own 0.5 whatever the setting, so a setting could only raise the bar; now the setting is the bar. Settings whose
behaviour the drafter's own rule keeps exactly become NULL: the old default 0.35 (the openai drafter keeps 0.35 as
its own default), and, on the extractive drafter, any value below 0.5 (it acted as 0.5)

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0011'
branch_labels = None
depends_on = None

OLD_DEFAULT = 0.35
EXTRACTIVE_THRESHOLD = 0.5  # app/drafters/answer_model.json's threshold when this migration was written


def upgrade() -> None:
    with op.batch_alter_table('autoreply_settings', schema=None) as batch_op:
        batch_op.alter_column('min_confidence', existing_type=sa.Float(), nullable=True)
    op.get_bind().execute(
        sa.text("UPDATE autoreply_settings SET min_confidence = NULL WHERE min_confidence = :old_default "
                "OR (drafter = 'extractive' AND min_confidence < :threshold)"),
        {"old_default": OLD_DEFAULT, "threshold": EXTRACTIVE_THRESHOLD})


def downgrade() -> None:
    op.get_bind().execute(sa.text("UPDATE autoreply_settings SET min_confidence = :old_default "
                                  "WHERE min_confidence IS NULL"), {"old_default": OLD_DEFAULT})
    with op.batch_alter_table('autoreply_settings', schema=None) as batch_op:
        batch_op.alter_column('min_confidence', existing_type=sa.Float(), nullable=False)
