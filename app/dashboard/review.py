"""The review queue (open hand-offs first, then drafts to approve, edit or reject) and the reply log."""

from typing import Annotated

from fastapi import APIRouter, Form, Request

from app.autoreply import replies
from app.dashboard import overview
from app.dashboard.login import User
from app.dashboard.web import DashboardRoute, render
from app.deps import Offset, ServicesDep, SessionDep
from app.sessions import service as sessions_service

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)
PAGE_SIZE = 50
LOG_STATUSES = ("", "sent", "draft", "handoff", "skipped", "failed", "rejected", "sending", "pending")


def _queue(session, account_id: str) -> dict:
    drafts, total = replies.list_replies(session, account_id, session_id=None, chat_id=None, status="draft",
                                         limit=PAGE_SIZE, offset=0)
    return dict(handoffs=overview.open_handoffs(session, account_id), drafts=drafts, total=total)


@router.get("/review")
def review_page(request: Request, user: User, session: SessionDep):
    """Polls itself, so new drafts and hand-offs show up without reloading."""
    name = "_review_queue.html" if request.query_params.get("part") else "review.html"
    return render(request, name, **_queue(session, user.account_id))


@router.post("/review/{reply_id}/approve")
def approve(request: Request, reply_id: str, user: User, services: ServicesDep,
            text: Annotated[str | None, Form()] = None):
    """Send the draft; with its text changed, the edited text is sent."""
    reply = replies.approve(services, user.account_id, reply_id, (text or "").strip() or None)
    return render(request, "_review_done.html", r=reply)


@router.post("/review/{reply_id}/reject")
def reject(request: Request, reply_id: str, user: User, session: SessionDep):
    return render(request, "_review_done.html", r=replies.reject(session, user.account_id, reply_id))


@router.get("/replies")
def reply_log(request: Request, user: User, session: SessionDep, status: str = "", session_id: str = "",
              offset: Offset = 0):
    items, total = replies.list_replies(session, user.account_id, session_id=session_id or None, chat_id=None,
                                        status=status or None, limit=PAGE_SIZE, offset=offset)
    return render(request, "replies.html", items=items, total=total, status=status, session_id=session_id,
                  statuses=LOG_STATUSES, offset=offset, page_size=PAGE_SIZE,
                  sessions=sessions_service.list_sessions(session, user.account_id))
