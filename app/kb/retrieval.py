"""Search the knowledge base: the retrieval test tool users debug answers with, and what auto-reply uses."""

import time

import numpy as np
from sqlmodel import Session, col, select

from app.drafters.base import Source
from app.kb.indexing import KnowledgeIndexes
from app.kb.models import Document
from app.kb.repository import ChunkRepository
from app.kb.schemas import SearchRequest, SearchResponse, SearchResult
from app.state import Services
from ingest.sentences import Unit


def embed_query(services: Services, query: str):
    return services.components["embedder"].embed([query])[0]


def retrieve(session: Session, services: Services, account_id: str, query: str, *, top_k: int = 5,
             mode: str = "hybrid", tags: list[str] | None = None, min_score: float | None = None,
             query_vector=None) -> list[SearchResult]:
    """The account's best chunks for `query`, best first, with the score breakdown.

    Pass `query_vector` (embed_query) to keep the model out of the caller's transaction."""
    indexes: KnowledgeIndexes = services.components["kb_indexes"]
    chunks = ChunkRepository(session, account_id)
    allowed = chunks.ids_with_tags(tags) if tags else None
    if allowed is not None and not allowed:
        return []
    if mode != "keyword" and query_vector is None:
        query_vector = embed_query(services, query)
    hits = indexes.search(session, account_id, query_vector=query_vector, query_text=query, k=top_k, mode=mode,
                          allowed_ids=allowed)
    rows = chunks.by_ids([hit.chunk_id for hit in hits])
    titles = dict(session.exec(select(Document.id, Document.title).where(
        Document.account_id == account_id, col(Document.id).in_({row.document_id for row in rows.values()}))).all())
    results = []
    for hit in hits:
        row = rows.get(hit.chunk_id)
        # A hit the database no longer has (deleted a moment ago) is never shown.
        if row is None or not row.enabled or (min_score is not None and hit.score < min_score):
            continue
        results.append(SearchResult(chunk_id=row.id, document_id=row.document_id,
                                    document_title=titles.get(row.document_id, ""), text=row.text, page=row.page,
                                    section=row.section, score=hit.score, semantic_score=hit.semantic_score,
                                    keyword_score=hit.keyword_score))
    return results


def quotable_units(session: Session, account_id: str, chunk_ids: list[int]) -> dict[int, tuple[list[Unit], np.ndarray]]:
    """The sentences and list lines stored with these chunks at ingestion, with their vectors (chunks stored before
    they were kept are left out: the drafter splits those itself)."""
    found = {}
    for chunk_id, (units, vectors) in ChunkRepository(session, account_id).units_of(chunk_ids).items():
        if units and vectors:
            found[chunk_id] = ([Unit(text, heading, i, bool(is_heading)) for i, (text, heading, is_heading)
                                in enumerate(units)],
                               np.frombuffer(vectors, dtype=np.float32).reshape(len(units), -1))
    return found


def retrieve_sources(session: Session, services: Services, account_id: str, query: str, query_vector, *,
                     top_k: int = 5, tags: list[str] | None = None) -> list[Source]:
    """The best chunks for `query` as a drafter reads them: with their stored sentences, vectors and cosine."""
    found = retrieve(session, services, account_id, query, top_k=top_k, tags=tags, query_vector=query_vector)
    stored = quotable_units(session, account_id, [c.chunk_id for c in found])
    return [Source(chunk_id=c.chunk_id, document_id=c.document_id, document_title=c.document_title, text=c.text,
                   page=c.page, section=c.section, score=c.score, units=stored.get(c.chunk_id, (None, None))[0],
                   unit_vectors=stored.get(c.chunk_id, (None, None))[1], semantic_score=c.semantic_score)
            for c in found]


def search(session: Session, services: Services, account_id: str, request: SearchRequest) -> SearchResponse:
    started = time.perf_counter()
    found = retrieve(session, services, account_id, request.query, top_k=request.top_k, mode=request.mode,
                     tags=request.tags, min_score=request.min_score)
    return SearchResponse(results=found, took_ms=round((time.perf_counter() - started) * 1000, 2))
