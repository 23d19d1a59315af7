"""Knowledge base: uploads with per-file status, documents, a document's chunks, re-index, delete, search."""

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from app.dashboard.login import User
from app.dashboard.web import DashboardRoute, redirect, render
from app.deps import Offset, RowId, ServicesDep, SessionDep
from app.errors import Unprocessable
from app.kb import retrieval, service
from app.kb.router import _read_capped  # the API's upload cap, the same for both doors
from app.kb.schemas import ChunkUpdate, SearchRequest, TextDocumentCreate, clean_tags

router = APIRouter(prefix="/kb", route_class=DashboardRoute, include_in_schema=False)
PAGE_SIZE = 50
# Tells the page's document list to reload itself (htmx event).
CHANGED = {"HX-Trigger": "kb-changed"}


@router.get("")
def kb_page(request: Request, user: User, session: SessionDep,
            status: Literal["processing", "ready", "failed", ""] = "", tag: str = "", offset: Offset = 0):
    documents, total = service.list_documents(session, user.account_id, status=status or None,
                                              tag=tag.strip().lower() or None, limit=PAGE_SIZE,
                                              offset=offset)
    name = "_kb_documents.html" if request.query_params.get("part") else "kb.html"
    return render(request, name, documents=documents, total=total, status=status, tag=tag,
                  offset=offset, page_size=PAGE_SIZE)


@router.post("/upload")
async def upload(request: Request, user: User, session: SessionDep, services: ServicesDep,
                 file: Annotated[UploadFile, File()], tags: Annotated[str, Form()] = ""):
    """One file of a drop; answers with its status line, which follows the processing by itself."""
    data = await _read_capped(file, services.settings.max_upload_mb * 2**20)
    try:
        tag_list = clean_tags(tags.split(","))
    except ValueError as exc:
        raise Unprocessable(str(exc)) from None
    document, created = await run_in_threadpool(service.upload_document, session, user, data=data,
                                                filename=file.filename, title=None, tags=tag_list)
    return render(request, "_doc_status.html", headers=CHANGED, d=document, duplicate=not created)


@router.post("/text")
def add_text(request: Request, user: User, session: SessionDep, title: Annotated[str, Form()],
             text: Annotated[str, Form()], tags: Annotated[str, Form()] = ""):
    """A snippet (an FAQ entry, a price list pasted in) through the same pipeline as files."""
    body = TextDocumentCreate(title=title, text=text, tags=tags.split(","))
    document, created = service.add_text_document(session, user, body)
    return render(request, "_upload_row.html", headers=CHANGED, d=document, duplicate=not created)


@router.get("/documents/{document_id}/status")
def document_status(request: Request, document_id: str, user: User, session: SessionDep, compact: bool = False):
    return render(request, "_doc_status.html", d=service.get_document(session, user.account_id, document_id),
                  duplicate=False, compact=compact)


@router.get("/documents/{document_id}")
def document_page(request: Request, document_id: str, user: User, session: SessionDep):
    document = service.get_document(session, user.account_id, document_id)
    return render(request, "document.html", d=document,
                  chunks=service.list_chunks(session, user.account_id, document_id))


@router.post("/documents/{document_id}/reindex")
def reindex(request: Request, document_id: str, user: User, session: SessionDep):
    service.reindex_document(session, user.account_id, document_id)
    return redirect(f"/kb/documents/{document_id}", request)


@router.post("/documents/{document_id}/delete")
def delete(request: Request, document_id: str, user: User, session: SessionDep, services: ServicesDep):
    service.delete_document(session, services.components["kb_indexes"], user.account_id, document_id)
    return redirect("/kb", request)


@router.post("/chunks/{chunk_id}")
def update_chunk(request: Request, chunk_id: RowId, user: User, session: SessionDep, services: ServicesDep,
                 enabled: Annotated[bool | None, Form()] = None, text: Annotated[str | None, Form()] = None):
    """Switch a chunk on or off, or save corrected text (embedded again)."""
    chunk = service.update_chunk(session, services.components["kb_indexes"], services.components["embedder"],
                                 user.account_id, chunk_id, ChunkUpdate(enabled=enabled, text=text))
    return render(request, "_chunk.html", c=chunk, saved=True)


@router.post("/search")
def search(request: Request, user: User, session: SessionDep, services: ServicesDep,
           query: Annotated[str, Form()], mode: Annotated[str, Form()] = "hybrid"):
    body = SearchRequest(query=query, mode=mode, top_k=8)
    return render(request, "_search_results.html", results=retrieval.search(session, services, user.account_id,
                                                                              body))
