"""The background half of ingestion: run the pipeline on a stored document, then write chunks and indexes."""

import logging
import time
from functools import partial

import numpy as np
from sqlmodel import Session

from app.common import utcnow
from app.kb.indexing import IndexEntry, KnowledgeIndexes
from app.kb.models import Chunk, Document
from app.kb.repository import ChunkRepository, DocumentRepository
from app.state import Services
from app.webhooks.service import emit_event
from ingest.parsers import ParseError
from ingest.pipeline import IngestPipeline, IngestResult, KnownChunk, ProgressCallback
from ingest.sentences import Unit

logger = logging.getLogger("replybase.kb")
NO_TEXT = "no extractable text (scanned PDF?)"


def give_way(services: Services) -> None:
    """Ingestion's safe points (each page, chunk and embedding batch): waiting requests and replies go first."""
    services.request_priority.give_way()
    services.reply_priority.give_way()


def _progress_reporter(services: Services, document_id: str, also: ProgressCallback | None = None):
    """A progress callback that commits in its own short transaction, so clients see it while work runs."""

    def report(step: str, done: int, total: int) -> None:
        if also is not None:
            also(step, done, total)
        if step == "embed" and done < total:
            give_way(services)  # before the next batch
        with services.session_factory() as progress_session:
            document = progress_session.get(Document, document_id)
            if document is not None:
                document.progress = {"step": step, "done": done, "total": total}
                document.updated_at = utcnow()
                progress_session.add(document)
                progress_session.commit()

    return report


def _run_pipeline(services: Services, document: Document, data: bytes,
                  progress: ProgressCallback | None) -> IngestResult:
    pipeline: IngestPipeline = services.components["ingest_pipeline"]

    def stored_vectors(hashes: list[str]) -> dict[str, KnownChunk]:
        with services.session_factory() as session:
            stored = ChunkRepository(session, document.account_id).known_by_hash(hashes, pipeline.embedder.name)
        return {key: known_chunk(embedding, units, unit_vectors)
                for key, (embedding, units, unit_vectors) in stored.items()}

    report = _progress_reporter(services, document.id, progress)
    pause = partial(give_way, services)
    if document.source == "text":
        return pipeline.run_text(data.decode("utf-8"), document.title, known_vectors=stored_vectors,
                                 progress=report, pause=pause)
    return pipeline.run(data, known_vectors=stored_vectors, progress=report, pause=pause)


def stored_units(units) -> list[list]:
    """Units as the chunk row keeps them ([text, heading, is_heading]); known_chunk() reads them back."""
    return [[unit.text, unit.heading, unit.is_heading] for unit in units]


def known_chunk(embedding: bytes, units: list | None, unit_vectors: bytes | None) -> KnownChunk:
    """A stored chunk's vectors and units as the pipeline reuses them."""
    vector = np.frombuffer(embedding, dtype=np.float32)
    if units is None or unit_vectors is None:
        return KnownChunk(vector)
    if not units:
        return KnownChunk(vector, (), np.zeros((0, vector.shape[0]), dtype=np.float32))
    return KnownChunk(vector, tuple(Unit(text, heading, i, bool(is_heading))
                                    for i, (text, heading, is_heading) in enumerate(units)),
                      np.frombuffer(unit_vectors, dtype=np.float32).reshape(len(units), -1))


def _load(services: Services, document_id: str) -> tuple[Document, bytes] | None:
    with services.session_factory() as session:
        document = session.get(Document, document_id)
        if document is None or document.status != "processing":
            return None  # deleted meanwhile, or a duplicate job: nothing to do
        return document, DocumentRepository(session, document.account_id).file_bytes(document) or b""


def fail_document(services: Services, document_id: str, error: str) -> None:
    """A document still processing ends failed with `error` (announced as document.failed)."""
    with services.session_factory() as session:
        document = session.get(Document, document_id)
        if document is not None and document.status == "processing":
            document.status, document.error, document.progress = "failed", error, {"step": "failed"}
            document.updated_at = utcnow()
            session.add(document)
            emit_event(session, document.account_id, "document.failed", document_event(document))
            session.commit()


def _store(session: Session, services: Services, document: Document, result: IngestResult) -> None:
    indexes: KnowledgeIndexes = services.components["kb_indexes"]
    repository = ChunkRepository(session, document.account_id)
    old_ids = repository.ids_of_document(document.id)
    repository.delete_of_document(document.id)
    model_name = services.components["ingest_pipeline"].embedder.name
    # Plain rows, not ORM objects: a large document has tens of thousands, at about 5 KB of ORM state each.
    rows = [Chunk(account_id=document.account_id, document_id=document.id, ordinal=c.ordinal, text=c.text,
                  page=c.page, section=c.section, content_hash=c.content_hash,
                  embedding=np.asarray(c.vector, dtype=np.float32).tobytes(),
                  # None when units were not embedded (a bench of the chunk embedding alone): a later ingestion
                  # with them on computes them instead of reusing an empty list.
                  units=stored_units(c.units) if c.units else None,
                  unit_vectors=np.asarray(c.unit_vectors, dtype=np.float32).tobytes() if c.units else None,
                  language=c.language, embedding_model=model_name).model_dump(exclude={"id"})
            for c in result.chunks]
    ids = repository.insert_rows(rows)
    new = [IndexEntry(id=chunk_id, text=row["text"], embedding=row["embedding"], content_hash=row["content_hash"],
                      language=row["language"]) for chunk_id, row in zip(ids, rows)]
    del rows
    document.status, document.error = "ready", None
    document.pages = result.document.page_count
    document.chunk_count = len(new)
    document.indexed_at = document.updated_at = utcnow()
    document.progress = {"step": "done", "embedded": result.embedded, "reused": result.reused}
    session.add(document)
    session.flush()
    indexes.apply(session, document.account_id, remove=old_ids, add=new)
    emit_event(session, document.account_id, "document.ready", document_event(document))


def document_event(document: Document) -> dict:
    """A document as webhook receivers see it."""
    return {"id": document.id, "title": document.title, "status": document.status, "error": document.error,
            "chunk_count": document.chunk_count, "pages": document.pages, "tags": document.tags}


def process_document(services: Services, document_id: str, *, final_attempt: bool,
                     progress: ProgressCallback | None = None) -> None:
    """Parse, chunk, embed and index one document; a bad file ends `failed` with a reason, never stuck.

    It opens its own short transactions: none is held while the model runs, so progress stays visible
    (SQLite would refuse those writes beside an open write transaction) and no lock is held for minutes.
    One INFO line per outcome carries ids, counts, seconds and the reason, never the document's text.
    """
    started = time.perf_counter()
    loaded = _load(services, document_id)
    if loaded is None:
        return
    document, data = loaded
    account_id = document.account_id

    def failed(reason: str) -> None:
        fail_document(services, document_id, reason)
        logger.info("ingestion failed: document=%s account=%s bytes=%d seconds=%.1f reason=%r",
                    document_id, account_id, document.size_bytes, time.perf_counter() - started, reason)

    try:
        result = _run_pipeline(services, document, data, progress)
    except ParseError as exc:  # the file itself is the problem: final, never retried
        failed(str(exc))
        return
    except Exception as exc:
        if not final_attempt:
            logger.info("ingestion will be retried: document=%s account=%s seconds=%.1f error=%s",
                        document_id, account_id, time.perf_counter() - started, type(exc).__name__)
            raise  # the job is retried with backoff
        logger.exception("ingestion of document %s failed", document_id)
        failed("indexing failed on the server; retry with POST .../reindex")
        return
    if not result.chunks:
        failed(NO_TEXT)
        return
    with services.session_factory() as session:
        document = session.get(Document, document_id)
        if document is None or document.status != "processing":
            return  # deleted while it was being embedded
        _store(session, services, document, result)
        session.commit()
    logger.info("ingestion ready: document=%s account=%s pages=%s chunks=%d embedded=%d reused=%d seconds=%.1f",
                document_id, account_id, result.document.page_count, len(result.chunks), result.embedded,
                result.reused, time.perf_counter() - started)
