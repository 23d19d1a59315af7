"""Builds the knowledge base's long-lived parts (embedder, pipeline, indexes) onto Services."""

from sqlmodel import Session, select

from app.jobs.models import Job
from app.jobs.queue import enqueue
from app.kb.indexing import KnowledgeIndexes
from app.kb.models import Document
from app.state import Services
from ingest.embedders import build_embedder
from ingest.parsers import IngestLimits
from ingest.pipeline import IngestPipeline


def attach_knowledge_base(services: Services) -> None:
    """Nothing loads here: the model loads on first use or in warm_up_knowledge_base()."""
    settings = services.settings
    embedder = build_embedder(settings.embedding_provider, settings.embedding_model)
    services.components["embedder"] = embedder
    limits = IngestLimits(max_pages=settings.max_document_pages, max_characters=settings.max_document_characters,
                          max_unpacked_bytes=settings.max_unpacked_mb * 2**20,
                          max_part_bytes=settings.max_unpacked_part_mb * 2**20,
                          max_chunks=settings.max_document_chunks)
    services.components["ingest_pipeline"] = IngestPipeline(embedder, limits=limits)
    services.components["kb_indexes"] = KnowledgeIndexes(settings.data_dir, embedder)


def warm_up_knowledge_base(services: Services) -> None:
    services.components["embedder"].warm_up()


def resume_interrupted_documents(session: Session) -> int:
    """Queue ingestion again for documents left `processing` with no job (e.g. after a crash)."""
    processing = set(session.exec(select(Document.id).where(Document.status == "processing")))
    if not processing:
        return 0
    active = session.exec(select(Job.payload).where(Job.kind == "kb.ingest", Job.status.in_(("queued", "running"))))
    orphans = processing - {payload.get("document_id") for payload in active}
    for document_id in sorted(orphans):
        enqueue(session, "kb.ingest", {"document_id": document_id})
    return len(orphans)
