"""Knowledge-base documents and chunks: accept, list, delete, reindex, correct. Flushes, never commits."""

from sqlmodel import Session

from app.accounts.plans import require_below_limit, require_feature
from app.auth.principal import Principal
from app.common import utcnow
from app.errors import Conflict, Unprocessable, UnsupportedMediaType
from app.jobs.queue import enqueue
from app.kb.indexing import KnowledgeIndexes
from app.kb.ingestion import stored_units
from app.kb.models import Chunk, Document, DocumentFile
from app.kb.repository import ChunkRepository, DocumentRepository
from app.kb.schemas import ChunkUpdate, TextDocumentCreate
from ingest.embedders import Embedder
from ingest.language import text_languages
from ingest.parsers import ParseError, UnsupportedFormat, detect_format
from ingest.pipeline import content_hash, document_hash
from ingest.sentences import split_units

CONTENT_TYPES = {"pdf": "application/pdf",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "markdown": "text/markdown", "text": "text/plain"}


class UnsupportedDocument(UnsupportedMediaType):
    pass


def _create(session: Session, principal: Principal, *, data: bytes, source: str, title: str,
            filename: str | None, content_type: str, doc_format: str, tags: list[str]) -> tuple[Document, bool]:
    require_feature(principal.plan, "knowledge_base", principal.account_id)
    documents = DocumentRepository(session, principal.account_id)
    digest = document_hash(data)
    existing = documents.by_hash(digest)
    if existing is not None:
        return existing, False
    require_below_limit(principal.plan, "documents", documents.count(), principal.account_id)
    document = documents.add(Document(
        account_id=principal.account_id, title=title, source=source, filename=filename, content_type=content_type,
        format=doc_format, size_bytes=len(data), content_hash=digest, tags=tags,
        progress={"step": "queued"}))
    session.add(DocumentFile(document_id=document.id, data=data))
    enqueue(session, "kb.ingest", {"document_id": document.id}, account_id=document.account_id)
    return document, True


def upload_document(session: Session, principal: Principal, *, data: bytes, filename: str | None,
                    title: str | None, tags: list[str]) -> tuple[Document, bool]:
    """Accept an uploaded file for background ingestion; identical content returns the existing document."""
    if not data:
        raise Unprocessable("the file is empty")
    try:
        doc_format = detect_format(data)
    except UnsupportedFormat as exc:
        raise UnsupportedDocument(str(exc)) from None
    except ParseError as exc:
        raise Unprocessable(str(exc)) from None
    return _create(session, principal, data=data, source="upload", title=title or filename or "Untitled",
                   filename=filename, content_type=CONTENT_TYPES[doc_format], doc_format=doc_format, tags=tags)


def add_text_document(session: Session, principal: Principal, body: TextDocumentCreate) -> tuple[Document, bool]:
    """Accept a JSON text snippet (FAQ entry, CRM export) for the same pipeline."""
    if not body.text.strip():
        raise Unprocessable("the text is empty")
    return _create(session, principal, data=body.text.encode("utf-8"), source="text", title=body.title,
                   filename=None, content_type="text/plain", doc_format="text", tags=body.tags)


def list_documents(session: Session, account_id: str, *, status: str | None, tag: str | None, limit: int,
                   offset: int) -> tuple[list[Document], int]:
    return DocumentRepository(session, account_id).page(status=status, tag=tag, limit=limit, offset=offset)


def get_document(session: Session, account_id: str, document_id: str) -> Document:
    return DocumentRepository(session, account_id).get_or_404(document_id)


def delete_document(session: Session, indexes: KnowledgeIndexes, account_id: str, document_id: str) -> None:
    """Delete a document; its chunks leave every index at once."""
    documents = DocumentRepository(session, account_id)
    document = documents.get_or_404(document_id)
    removed = ChunkRepository(session, account_id).ids_of_document(document.id)
    # Its file and chunks go with it (ON DELETE CASCADE).
    documents.delete(document)
    indexes.apply(session, account_id, remove=removed)


def reindex_document(session: Session, account_id: str, document_id: str) -> Document:
    """Run the pipeline again (e.g. after a model change or a failure); unchanged chunks keep their vectors."""
    document = get_document(session, account_id, document_id)
    if document.status == "processing":
        raise Conflict("The document is already being processed")
    document.status, document.error, document.progress = "processing", None, {"step": "queued"}
    document.updated_at = utcnow()
    session.add(document)
    enqueue(session, "kb.ingest", {"document_id": document.id}, account_id=document.account_id)
    session.flush()
    return document


def list_chunks(session: Session, account_id: str, document_id: str) -> list[Chunk]:
    get_document(session, account_id, document_id)
    return ChunkRepository(session, account_id).of_document(document_id)


def update_chunk(session: Session, indexes: KnowledgeIndexes, embedder: Embedder, account_id: str,
                 chunk_id: int, body: ChunkUpdate) -> Chunk:
    """Switch a chunk off or on, or correct its text (re-embedded at once)."""
    chunk = ChunkRepository(session, account_id).get_or_404(chunk_id)
    if body.text is not None and body.text != chunk.text:
        if embedder.count_tokens(body.text) > embedder.max_tokens:
            raise Unprocessable(f"the text is longer than the model reads ({embedder.max_tokens} word pieces); "
                                "shorten it or split it across chunks")
        session.commit()  # ends the read: the model runs outside any transaction (claim, commit, call, record)
        language = text_languages([body.text])[0] or chunk.language
        units = split_units(body.text, chunk.section, language)
        vectors = embedder.embed([body.text] + [unit.text for unit in units])
        chunk.text, chunk.content_hash, chunk.edited = body.text, content_hash(body.text), True
        chunk.language = language
        chunk.embedding = vectors[0].tobytes()
        chunk.units = stored_units(units)
        chunk.unit_vectors = vectors[1:].astype("float32").tobytes()
        chunk.embedding_model = embedder.name
    if body.enabled is not None:
        chunk.enabled = body.enabled
    session.add(chunk)
    session.flush()
    document = session.get(Document, chunk.document_id)
    if chunk.enabled and document.status == "ready":
        indexes.apply(session, account_id, add=[chunk])
    else:
        indexes.apply(session, account_id, remove=[chunk.id])
    return chunk


