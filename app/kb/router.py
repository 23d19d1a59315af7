from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile, status
from starlette.concurrency import run_in_threadpool

from app.deps import Offset, RequireScope, RowId, ServicesDep, SessionDep
from app.errors import Conflict, NotFound, PayloadTooLarge, Unprocessable, error_responses
from app.kb import retrieval, service
from app.kb.schemas import (ChunkPublic, ChunkUpdate, DocumentDetail, DocumentPage, DocumentPublic, SearchRequest,
                            SearchResponse, TextDocumentCreate, clean_tags)
from app.kb.service import UnsupportedDocument

router = APIRouter(prefix="/ai/knowledge-base", tags=["Knowledge base"])
AiRead = RequireScope("ai:read")
AiWrite = RequireScope("ai:write")
UPLOAD_ERRORS = error_responses(PayloadTooLarge, UnsupportedDocument, Unprocessable)


async def _read_capped(upload: UploadFile, max_bytes: int) -> bytes:
    """Read at most max_bytes; a larger upload is refused before anything is stored."""
    data = bytearray()
    while chunk := await upload.read(1 << 20):
        data += chunk
        if len(data) > max_bytes:
            raise PayloadTooLarge(f"The file is larger than {max_bytes // 2**20} MB "
                                  "(REPLYBASE_MAX_UPLOAD_MB); split it or raise the limit")
    return bytes(data)


def _created(response: Response, created: bool) -> None:
    # A new document is accepted for processing (202); a duplicate returns the existing one (200).
    response.status_code = status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK


@router.post("/upload", status_code=status.HTTP_202_ACCEPTED, response_model=DocumentPublic,
             responses=UPLOAD_ERRORS)
async def upload_document(
    request: Request, response: Response, principal: AiWrite, session: SessionDep, services: ServicesDep,
    file: Annotated[UploadFile, File(description="PDF, DOCX, TXT or Markdown")],
    title: Annotated[str | None, Form(max_length=300)] = None,
    tags: Annotated[str, Form(description="Comma-separated tags")] = "",
):
    """Upload a document to RAG; it is parsed, chunked, embedded and indexed in the background."""
    max_bytes = services.settings.max_upload_mb * 2**20
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes + 64 * 1024:
        raise PayloadTooLarge(f"The file is larger than {services.settings.max_upload_mb} MB "
                              "(REPLYBASE_MAX_UPLOAD_MB); split it or raise the limit")
    data = await _read_capped(file, max_bytes)
    try:
        tag_list = clean_tags(tags.split(","))
    except ValueError as exc:
        raise Unprocessable(str(exc)) from None
    # In the thread pool: on the event loop, a wait for SQLite's write lock would stall the request holding it.
    document, created = await run_in_threadpool(service.upload_document, session, principal, data=data,
                                                filename=file.filename, title=title, tags=tag_list)
    _created(response, created)
    return document


@router.post("/text", status_code=status.HTTP_202_ACCEPTED, response_model=DocumentPublic)
def add_text(body: TextDocumentCreate, response: Response, principal: AiWrite, session: SessionDep):
    """Add a text snippet (FAQ entry, CRM export) through the same pipeline."""
    document, created = service.add_text_document(session, principal, body)
    _created(response, created)
    return document


@router.get("/documents", response_model=DocumentPage)
def list_documents(
    principal: AiRead, session: SessionDep,
    status_filter: Annotated[Literal["processing", "ready", "failed"] | None, Query(alias="status")] = None,
    tag: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
):
    """List knowledge base documents, newest first."""
    items, total = service.list_documents(session, principal.account_id, status=status_filter,
                                          tag=tag.strip().lower() if tag else None, limit=limit, offset=offset)
    return DocumentPage(items=[DocumentPublic.model_validate(item) for item in items], total=total, limit=limit,
                        offset=offset)


@router.get("/documents/{document_id}", response_model=DocumentDetail, responses=error_responses(NotFound))
def get_document(document_id: str, principal: AiRead, session: SessionDep):
    """A document with its pages, chunk count, progress and error."""
    return service.get_document(session, principal.account_id, document_id)


@router.delete("/documents/{document_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses=error_responses(NotFound))
def delete_document(document_id: str, principal: AiWrite, session: SessionDep, services: ServicesDep) -> None:
    """Delete a document; its chunks leave search results at once."""
    service.delete_document(session, services.components["kb_indexes"], principal.account_id, document_id)


@router.post("/documents/{document_id}/reindex", status_code=status.HTTP_202_ACCEPTED,
             response_model=DocumentDetail, responses=error_responses(NotFound, Conflict))
def reindex_document(document_id: str, principal: AiWrite, session: SessionDep):
    """Process the document again."""
    return service.reindex_document(session, principal.account_id, document_id)


@router.get("/documents/{document_id}/chunks", response_model=list[ChunkPublic],
            responses=error_responses(NotFound))
def list_chunks(document_id: str, principal: AiRead, session: SessionDep):
    """What the index holds for a document, to check parsing."""
    return service.list_chunks(session, principal.account_id, document_id)


@router.patch("/chunks/{chunk_id}", response_model=ChunkPublic, responses=error_responses(NotFound, Unprocessable))
def update_chunk(chunk_id: RowId, body: ChunkUpdate, principal: AiWrite, session: SessionDep, services: ServicesDep):
    """Switch off or correct a chunk; edited text is embedded again."""
    return service.update_chunk(session, services.components["kb_indexes"], services.components["embedder"],
                                principal.account_id, chunk_id, body)


@router.post("/search", response_model=SearchResponse)
def search(body: SearchRequest, principal: AiRead, session: SessionDep, services: ServicesDep):
    """Hybrid, semantic or keyword search with a per-hit score breakdown."""
    return retrieval.search(session, services, principal.account_id, body)
