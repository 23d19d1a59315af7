from datetime import datetime

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.common import UTCDateTime, new_id, utcnow


class Document(SQLModel, table=True):
    """An uploaded file or text snippet and where its ingestion stands."""

    __tablename__ = "kb_documents"
    __table_args__ = (UniqueConstraint("account_id", "content_hash", name="uq_kb_documents_account_hash"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: str = Field(foreign_key="accounts.id", index=True, max_length=32, ondelete="CASCADE")
    title: str = Field(max_length=300)
    source: str = Field(default="upload", max_length=10)  # upload (a file) or text (JSON snippet)
    filename: str | None = Field(default=None, max_length=300)
    content_type: str = Field(max_length=100)
    format: str | None = Field(default=None, max_length=20)
    size_bytes: int
    content_hash: str = Field(max_length=64)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="processing", max_length=20)  # processing, ready, failed
    error: str | None = None
    # What the background step is doing now, e.g. {"step": "embed", "done": 2, "total": 5}.
    progress: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    pages: int | None = None
    chunk_count: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    indexed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DocumentFile(SQLModel, table=True):
    """The uploaded bytes, kept apart so listing documents never loads them."""

    __tablename__ = "kb_document_files"

    document_id: str = Field(foreign_key="kb_documents.id", primary_key=True, max_length=32, ondelete="CASCADE")
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Chunk(SQLModel, table=True):
    """A searchable piece of a document with its vector: the source of truth the indexes are derived from."""

    __tablename__ = "kb_chunks"
    __table_args__ = (Index("ix_kb_chunks_account_document", "account_id", "document_id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(foreign_key="accounts.id", max_length=32, ondelete="CASCADE")
    document_id: str = Field(foreign_key="kb_documents.id", max_length=32, ondelete="CASCADE")
    ordinal: int
    text: str
    page: int | None = None
    section: str | None = Field(default=None, max_length=500)
    content_hash: str = Field(max_length=64, index=True)
    embedding: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    embedding_model: str = Field(max_length=200)
    # The sentences and list lines a reply may quote ([text, heading, is_heading]) and their vectors (float32 rows),
    # computed at ingestion so a reply embeds only the question. NULL for chunks stored before migration 0010.
    units: list | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    unit_vectors: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    # ISO 639-1 (ingest.language.SUPPORTED): the keyword index stems the text in it. NULL: English.
    language: str | None = Field(default=None, max_length=8)
    enabled: bool = True
    edited: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class IndexState(SQLModel, table=True):
    """Per-account index version: bumped with every indexed change so any process can tell its copy is stale."""

    __tablename__ = "kb_index_state"

    account_id: str = Field(foreign_key="accounts.id", primary_key=True, max_length=32, ondelete="CASCADE")
    version: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
