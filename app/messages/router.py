from typing import Annotated

from fastapi import APIRouter, Header, Query

from app.deps import Offset, RequireScope, ServicesDep, SessionDep
from app.errors import NotFound, PayloadTooLarge, Unprocessable, error_responses
from app.gateways.base import GatewayError, GatewayTimeout, MessageTypeUnsupported, SessionNotConnected
from app.messages import chats, service
from app.messages.chats import ChatsDisabled
from app.messages.schemas import (ChatPage, MessageKey, MessagePage, MessagePublic, SendGif, SendMessage, SendPoll,
                                  SendResponse, SendResultBody, SendSticker)

router = APIRouter(prefix="/messages", tags=["Messages"])
MessagesSend = RequireScope("messages:send")
MessagesRead = RequireScope("messages:read")
Limit = Annotated[int, Query(ge=1, le=100)]
IDEMPOTENCY_HELP = "Retry-safe sending: the same key returns the first result instead of sending twice"
SessionFilter = Annotated[str | None, Query(max_length=32, description="Only this session's chats")]
IdempotencyKey = Annotated[str | None, Header(max_length=200, description=IDEMPOTENCY_HELP)]
SEND_ERRORS = error_responses(NotFound, SessionNotConnected, Unprocessable, PayloadTooLarge, GatewayError,
                              GatewayTimeout)


def _answer(result: service.SendResult) -> SendResponse:
    row = result.message
    return SendResponse(result=SendResultBody(key=MessageKey(id=result.message_id, remoteJid=result.remote_jid)),
                        id=row.id, chat_id=row.chat_id, wa_message_id=result.message_id,
                        message_type=row.message_type, content_preview=row.text[:100],
                        status=row.status, sent_at=row.updated_at if row.status != "queued" else None,
                        created_at=row.created_at)


@router.post("/send", response_model=SendResponse, responses=SEND_ERRORS)
def send_message(body: SendMessage, principal: MessagesSend, services: ServicesDep,
                 idempotency_key: IdempotencyKey = None):
    """Send a WhatsApp message."""
    to = body.recipient
    return _answer(service.send_message(services, principal.account_id, session_id=body.session_id,
                                        phone=to.phone or "", group_id=to.group_id, message=body.message,
                                        media_url=body.media_url, idempotency_key=idempotency_key))


@router.post("/send/poll", response_model=SendResponse,
             responses={**SEND_ERRORS, **error_responses(MessageTypeUnsupported)})
def send_poll(body: SendPoll, principal: MessagesSend, services: ServicesDep, idempotency_key: IdempotencyKey = None):
    """Send a poll (WAHA and sandbox sessions; the Cloud API has no polls)."""
    to = body.recipient
    return _answer(service.send_message(
        services, principal.account_id, session_id=body.session_id, phone=to.phone or "", group_id=to.group_id,
        message=body.title, kind="poll", payload={"options": body.options, "allow_multiple": body.allow_multiple},
        idempotency_key=idempotency_key))


@router.post("/send/sticker", response_model=SendResponse, responses=SEND_ERRORS)
def send_sticker(body: SendSticker, principal: MessagesSend, services: ServicesDep,
                 idempotency_key: IdempotencyKey = None):
    """Send a WebP image as a sticker."""
    to = body.recipient
    return _answer(service.send_message(services, principal.account_id, session_id=body.session_id,
                                        phone=to.phone or "", group_id=to.group_id, message="", kind="sticker",
                                        media_url=body.media_url, idempotency_key=idempotency_key))


@router.post("/send/gif", response_model=SendResponse, responses=SEND_ERRORS)
def send_gif(body: SendGif, principal: MessagesSend, services: ServicesDep, idempotency_key: IdempotencyKey = None):
    """Send an MP4 clip as a GIF, with an optional caption."""
    to = body.recipient
    return _answer(service.send_message(services, principal.account_id, session_id=body.session_id,
                                        phone=to.phone or "", group_id=to.group_id, message=body.caption,
                                        kind="gif", media_url=body.media_url, idempotency_key=idempotency_key))


@router.get("/chats", response_model=ChatPage, responses=error_responses(ChatsDisabled, NotFound))
def list_chats(principal: MessagesRead, session: SessionDep, session_id: SessionFilter = None, limit: Limit = 50,
               offset: Offset = 0):
    """List all chats (requires opt-in), newest first."""
    return chats.list_chats(session, principal.account_id, session_id=session_id, limit=limit, offset=offset)


@router.get("/chats/{chat_id}", response_model=MessagePage | ChatPage,
            responses=error_responses(ChatsDisabled, NotFound))
def get_chat(chat_id: str, principal: MessagesRead, session: SessionDep, session_id: SessionFilter = None,
             limit: Limit = 50, offset: Offset = 0):
    """Get messages from a chat, newest first; given a session id instead (MoltFlow's form), that session's chats."""
    if chats.normalize_chat_id(chat_id) is None and session_id is None:
        return chats.list_chats(session, principal.account_id, session_id=chat_id, limit=limit, offset=offset)
    return chats.chat_messages(session, principal.account_id, chat_id, session_id=session_id, limit=limit,
                               offset=offset)


@router.get("/chat/{session_id}/{chat_id}", response_model=MessagePage,
            responses=error_responses(ChatsDisabled, NotFound))
def get_session_chat(session_id: str, chat_id: str, principal: MessagesRead, session: SessionDep,
                     limit: Limit = 50, offset: Offset = 0):
    """Get messages from one session's chat, newest first (MoltFlow's path)."""
    return chats.chat_messages(session, principal.account_id, chat_id, session_id=session_id, limit=limit,
                               offset=offset)


@router.get("/{message_id}", response_model=MessagePublic, responses=error_responses(NotFound))
def get_message(message_id: str, principal: MessagesRead, session: SessionDep):
    """One message, by our id or its WhatsApp id."""
    return chats.get_message(session, principal.account_id, message_id)
