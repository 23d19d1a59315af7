"""MoltFlow's knowledge routes (/ai/knowledge/...) over the knowledge base (app/kb)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, UploadFile, status
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.deps import RequireScope, ServicesDep, SessionDep
from app.errors import NotFound, PayloadTooLarge, Unprocessable, error_responses
from app.kb import retrieval, service
from app.kb.models import Document
from app.kb.repository import DocumentRepository
from app.kb.router import _read_capped
from app.kb.schemas import SearchRequest
from app.kb.service import UnsupportedDocument
from app.schema_base import RequestBody

router = APIRouter(prefix="/ai/knowledge", tags=["MoltFlow: knowledge"])
AiRead = RequireScope("ai:read")
AiWrite = RequireScope("ai:write")
STATUS = {"processing": "processing", "ready": "indexed", "failed": "failed"}  # ours -> MoltFlow's
PAGE = 200


class SourcePublic(BaseModel):
    id: str
    name: str
    source_type: str = Field(examples=["application/pdf"])
    chunk_count: int
    status: str = Field(description="processing, indexed or failed")
    error: str | None = None
    created_at: datetime
    indexed_at: datetime | None


class IngestResult(SourcePublic):
    task_id: str = Field(description="The source id: GET /ai/knowledge-base/documents/{id} shows its progress")


class SearchFilters(RequestBody):
    source_type: str | None = Field(default=None, examples=["application/pdf"])


class KnowledgeSearch(RequestBody):
    query: str = Field(min_length=1, max_length=2000, examples=["What is the return policy?"])
    top_k: int = Field(default=5, ge=1, le=50)
    filters: SearchFilters = Field(default_factory=SearchFilters)


class KnowledgeHit(BaseModel):
    source_id: str
    content_type: str
    content_preview: str
    metadata: dict
    similarity: float


class KnowledgeSearchResult(BaseModel):
    query: str
    results: list[KnowledgeHit]
    count: int


def _source(document: Document) -> SourcePublic:
    return SourcePublic(id=document.id, name=document.title, source_type=document.content_type,
                        chunk_count=document.chunk_count, status=STATUS[document.status], error=document.error,
                        created_at=document.created_at, indexed_at=document.indexed_at)


@router.post("/ingest", response_model=IngestResult,
             responses=error_responses(PayloadTooLarge, UnsupportedDocument, Unprocessable))
async def ingest(principal: AiWrite, session: SessionDep, services: ServicesDep,
                 file: Annotated[UploadFile, File(description="PDF, TXT, DOCX or Markdown")]):
    """Upload and index a document (in the background: `status` is processing until indexed)."""
    data = await _read_capped(file, services.settings.max_upload_mb * 2**20)
    document, _created = await run_in_threadpool(service.upload_document, session, principal, data=data,
                                                 filename=file.filename, title=None, tags=[])
    return IngestResult(**_source(document).model_dump(), task_id=document.id)


@router.post("/search", response_model=KnowledgeSearchResult)
def search(body: KnowledgeSearch, principal: AiRead, session: SessionDep, services: ServicesDep):
    """Hybrid search; `filters.source_type` keeps documents of that type."""
    wanted = body.filters.source_type
    # A type filter applies after ranking, so ask for more to still fill top_k.
    request = SearchRequest(query=body.query, top_k=min(50, body.top_k * 4) if wanted else body.top_k)
    found = retrieval.search(session, services, principal.account_id, request).results
    types = _content_types(session, principal.account_id, {hit.document_id for hit in found})
    hits = [KnowledgeHit(source_id=hit.document_id, content_type=types.get(hit.document_id, ""),
                         content_preview=hit.text[:500], similarity=round(hit.score, 4),
                         metadata={"page": hit.page, "section": hit.section, "chunk": hit.chunk_id,
                                   "title": hit.document_title})
            for hit in found if not wanted or types.get(hit.document_id) == wanted][:body.top_k]
    return KnowledgeSearchResult(query=body.query, results=hits, count=len(hits))


def _content_types(session: Session, account_id: str, ids: set[str]) -> dict[str, str]:
    repository = DocumentRepository(session, account_id)
    return {doc_id: document.content_type for doc_id in ids if (document := repository.get(doc_id))}


@router.get("/sources", response_model=list[SourcePublic])
def list_sources(principal: AiRead, session: SessionDep):
    """Every document, newest first (a bare list, as the guide shows)."""
    documents, offset = [], 0
    while True:
        items, total = service.list_documents(session, principal.account_id, status=None, tag=None, limit=PAGE,
                                              offset=offset)
        documents += items
        offset += PAGE
        if offset >= total:
            return [_source(document) for document in documents]


@router.delete("/{source_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound))
def delete_source(source_id: str, principal: AiWrite, session: SessionDep, services: ServicesDep) -> None:
    """Delete a document; its chunks leave search results at once."""
    service.delete_document(session, services.components["kb_indexes"], principal.account_id, source_id)
