"""auto-reply: hand-off keywords become phrases; the old one-word default ("human", "agent", ...) fired inside
ordinary questions, so settings still holding exactly it are emptied (the built-in phrases apply instead)

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-03
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0008'
branch_labels = None
depends_on = None

LEGACY = ["human", "agent", "person", "operator", "representative", "complaint"]


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT session_id, handoff_keywords FROM autoreply_settings")).fetchall()
    for session_id, keywords in rows:
        value = json.loads(keywords) if isinstance(keywords, str) else keywords
        if value == LEGACY:
            connection.execute(sa.text("UPDATE autoreply_settings SET handoff_keywords = :empty "
                                       "WHERE session_id = :id"),
                               {"empty": json.dumps([]), "id": session_id})


def downgrade() -> None:
    pass
