"""Inbox: chats newest first, a conversation with who wrote what, the bot's state there, a person's reply."""

from typing import Annotated

from fastapi import APIRouter, Form, Request

from app.autoreply import service as autoreply_service
from app.common import utcnow
from app.dashboard import overview
from app.dashboard.login import User
from app.dashboard.web import DashboardRoute, redirect, render
from app.deps import Offset, ServicesDep, SessionDep
from app.messages import chats
from app.messages import service as messages_service
from app.sessions import service as sessions_service

router = APIRouter(prefix="/inbox", route_class=DashboardRoute, include_in_schema=False)
PAGE_SIZE = 50
# Messages written here are a person's, as the bot's policy needs to know (it stays quiet after one).
ORIGIN = "dashboard"


@router.get("")
def inbox(request: Request, user: User, session: SessionDep, session_id: str = "", offset: Offset = 0):
    page = chats.list_chats(session, user.account_id, session_id=session_id or None, limit=PAGE_SIZE,
                            offset=offset)
    name = "_chat_list.html" if request.query_params.get("part") else "inbox.html"
    return render(request, name, page=page, session_id=session_id,
                  sessions=sessions_service.list_sessions(session, user.account_id))


def bot_state(state, enabled: bool) -> str:
    if not enabled:
        return "off for this session"
    if state is not None and state.handoff_open:
        return "handed off"
    if state is not None and state.paused_until and state.paused_until > utcnow():
        return "paused"
    return "answering"


@router.get("/{session_id}/{chat_id}")
def conversation(request: Request, session_id: str, chat_id: str, user: User, session: SessionDep):
    page = chats.chat_messages(session, user.account_id, chat_id, session_id=session_id, limit=PAGE_SIZE, offset=0)
    state = overview.chat_state(session, user.account_id, session_id, page.chat_id)
    name = "_conversation_body.html" if request.query_params.get("part") else "conversation.html"
    customer = next((m for m in page.items if m.direction == "in"), None)
    return render(request, name, session_id=session_id, page=page, messages=list(reversed(page.items)),
                  state=state, customer=customer,
                  bot=bot_state(state, autoreply_service.get_settings(session, user.account_id, session_id).enabled),
                  origins=overview.message_origins(session, user.account_id, [m.id for m in page.items]))


@router.post("/{session_id}/{chat_id}/pause")
def pause(request: Request, session_id: str, chat_id: str, user: User, session: SessionDep,
          minutes: Annotated[int, Form(ge=1, le=30 * 24 * 60)] = 60):
    autoreply_service.pause_chat(session, user.account_id, session_id, chat_id, minutes)
    return redirect(f"/inbox/{session_id}/{chat_id}", request)


@router.post("/{session_id}/{chat_id}/resume")
def resume(request: Request, session_id: str, chat_id: str, user: User, session: SessionDep):
    autoreply_service.resume_chat(session, user.account_id, session_id, chat_id)
    return redirect(f"/inbox/{session_id}/{chat_id}", request)


@router.post("/{session_id}/{chat_id}/send")
def send(request: Request, session_id: str, chat_id: str, user: User, services: ServicesDep,
         phone: Annotated[str, Form()], message: Annotated[str, Form()]):
    """A person's reply, sent through the session like any other message."""
    group_id = chat_id if chat_id.endswith("@g.us") else None
    messages_service.send_message(services, user.account_id, session_id=session_id, phone=phone,
                                  message=message, origin=ORIGIN, group_id=group_id)
    return redirect(f"/inbox/{session_id}/{chat_id}", request)
