"""Builds the knowledge base's long-lived parts (embedder, pipeline, indexes) onto Services."""

from pathlib import Path

from sqlmodel import Session, select

from app.jobs.models import Job
from app.jobs.priority import INGEST_NICENESS
from app.jobs.queue import enqueue
from app.kb.indexing import KnowledgeIndexes
from app.kb.models import Document
from app.state import Services
from ingest import language
from ingest.embedders import Embedder, build_embedder
from ingest.parsers import IngestLimits
from ingest.pipeline import IngestPipeline


INGEST_BATCH = 8


def attach_knowledge_base(services: Services) -> None:
    """Nothing loads here: the model loads on first use or in warm_up_knowledge_base()."""
    settings = services.settings

    def embedder_at(niceness: int) -> Embedder:
        return build_embedder(settings.embedding_provider, settings.embedding_model,
                              precision=settings.embedding_precision, base_url=settings.embedding_base_url,
                              api_key=settings.embedding_api_key, timeout=settings.embedding_timeout_seconds,
                              cache_dir=Path(settings.model_cache_dir) if settings.model_cache_dir else None,
                              niceness=niceness)

    embedder = embedder_at(0)  # questions, searches and replies
    services.components["embedder"] = embedder
    limits = IngestLimits(max_pages=settings.max_document_pages, max_characters=settings.max_document_characters,
                          max_unpacked_bytes=settings.max_unpacked_mb * 2**20,
                          max_part_bytes=settings.max_unpacked_part_mb * 2**20,
                          max_chunks=settings.max_document_chunks)
    # Ingestion embeds on threads of its own at low priority, so a busy machine runs replies first; and in small
    # batches: it gives way to replies between batches (app/jobs/priority.py), so a reply waits for at most one.
    services.components["ingest_pipeline"] = IngestPipeline(
        embedder_at(INGEST_NICENESS), limits=limits, batch_size=INGEST_BATCH)
    services.components["kb_indexes"] = KnowledgeIndexes(settings.data_dir, embedder)


def warm_up_knowledge_base(services: Services) -> None:
    embedder = services.components["embedder"]
    embedder.warm_up()
    # A first forward pass here, on the main thread: the compute threads it creates run at normal priority (not
    # the niced ingestion slot's), and the first customer does not pay for their start.
    embedder.embed(["warm up"])
    services.components["ingest_pipeline"].embedder.warm_up()
    language.warm_up()


def resume_interrupted_documents(session: Session) -> int:
    """Queue ingestion again for documents left `processing` with no job (e.g. after a crash)."""
    processing = set(session.exec(select(Document.id).where(Document.status == "processing")))
    if not processing:
        return 0
    active = session.exec(select(Job.payload).where(Job.kind == "kb.ingest", Job.status.in_(("queued", "running"))))
    orphans = processing - {payload.get("document_id") for payload in active}
    owners = dict(session.exec(select(Document.id, Document.account_id).where(Document.id.in_(orphans))).all())
    for document_id in sorted(orphans):
        enqueue(session, "kb.ingest", {"document_id": document_id}, account_id=owners[document_id])
    return len(orphans)
