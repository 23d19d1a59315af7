"""knowledge base: each chunk's language, so the keyword index stems and drops stopwords in it; the chunks stored
before are detected here (lingua, about 1 ms a chunk)

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-03
"""
from itertools import groupby

from alembic import op
import sqlalchemy as sa
import sqlmodel

from ingest.language import text_languages


revision = '0013'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kb_chunks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, document_id, text FROM kb_chunks ORDER BY document_id, ordinal"))
    update = sa.text("UPDATE kb_chunks SET language = :language WHERE id = :id")
    for _, chunks in groupby(rows.fetchall(), key=lambda row: row.document_id):
        chunks = list(chunks)
        languages = text_languages([chunk.text for chunk in chunks])
        values = [{"id": chunk.id, "language": language} for chunk, language in zip(chunks, languages) if language]
        if values:
            connection.execute(update, values)


def downgrade() -> None:
    with op.batch_alter_table('kb_chunks', schema=None) as batch_op:
        batch_op.drop_column('language')
