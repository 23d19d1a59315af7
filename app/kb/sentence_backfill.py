"""Sentence vectors for chunks stored before ingestion kept them (under the hand-tuned answer rules), computed in the
background. Until then a reply embeds such a chunk's sentences itself, every time.

Nothing is ingested again: the document stays searchable, and a chunk's text, vector and content hash stay as they
are, so the indexes are not touched. Read, commit, embed, write: no transaction is open while the model works."""

import logging
from functools import partial

import numpy as np
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.db import unit_of_work
from app.jobs.models import Job
from app.jobs.queue import enqueue
from app.kb.ingestion import give_way, stored_units
from app.kb.models import Chunk, Document
from app.state import Services
from ingest.chunking import Chunk as TextChunk

logger = logging.getLogger("replybase.kb")
KIND = "kb.sentences"


def queue_sentence_backfill(session: Session) -> int:
    """Queue one job per ready document whose chunks lack sentence vectors, unless one is queued already."""
    lacking = set(session.exec(select(Chunk.document_id).join(Document, Document.id == Chunk.document_id)
                               .where(col(Chunk.unit_vectors).is_(None), Document.status == "ready")).all())
    if not lacking:
        return 0
    active = session.exec(select(Job.payload).where(Job.kind == KIND, col(Job.status).in_(("queued", "running"))))
    waiting = lacking - {payload.get("document_id") for payload in active}
    owners = dict(session.exec(select(Document.id, Document.account_id).where(col(Document.id).in_(waiting))).all())
    for document_id in sorted(owners):
        enqueue(session, KIND, {"document_id": document_id}, account_id=owners[document_id])
    return len(owners)


def backfill_sentences(services: Services, document_id: str) -> int:
    """Split and embed the sentences of the document's chunks that have none stored; returns how many it stored."""
    with unit_of_work(services.session_factory, read_only=True) as session:
        rows = session.exec(select(Chunk.id, Chunk.text, Chunk.page, Chunk.section, Chunk.ordinal, Chunk.embedding,
                                   Chunk.content_hash)
                            .where(Chunk.document_id == document_id, col(Chunk.unit_vectors).is_(None))
                            .order_by(Chunk.ordinal)).all()
    if not rows:
        return 0
    pipeline = services.components["ingest_pipeline"]
    # The chunk vectors are known, so only the sentences are embedded.
    embedded = pipeline.embed([TextChunk(row.text, row.page, row.section, row.ordinal) for row in rows],
                              known_vectors={row.content_hash: np.frombuffer(row.embedding, dtype=np.float32)
                                             for row in rows},
                              pause=partial(give_way, services))
    stored = 0
    with unit_of_work(services.session_factory) as session:
        for row, chunk in zip(rows, embedded):
            # Only a chunk still as it was read: one corrected or ingested again meanwhile has its own.
            stored += session.execute(
                update(Chunk).where(Chunk.id == row.id, Chunk.content_hash == row.content_hash,
                                    col(Chunk.unit_vectors).is_(None))
                .values(units=stored_units(chunk.units),
                        unit_vectors=np.asarray(chunk.unit_vectors, dtype=np.float32).tobytes())).rowcount
    logger.info("stored the sentence vectors of %d chunks of document %s", stored, document_id)
    return stored
