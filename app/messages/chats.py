"""Chats: the conversation view over stored messages, for sessions that opted in. Read-only."""

from sqlmodel import Session

from app.errors import Forbidden, NotFound
from app.phones import GROUP_SUFFIX, is_group_chat, parse_chat_id
from app.messages.repository import MessageRepository
from app.messages.schemas import ChatPage, ChatPublic, MessagePage, MessagePublic
from app.sessions.repository import SessionRepository


class ChatsDisabled(Forbidden):
    detail = "Chats are off for this session"


def _require_chats(session: Session, account_id: str, session_id: str | None) -> None:
    if session_id is None:
        return
    wa_session = SessionRepository(session, account_id).get_or_404(session_id)
    if not wa_session.chats_enabled:
        raise ChatsDisabled(f"Chats are off for session {session_id}; turn them on with PATCH /sessions/"
                            f"{session_id} {{\"chats_enabled\": true}}")


def normalize_chat_id(chat_id: str) -> str | None:
    """Any form of a phone or chat id as the stored chat id; None when it is none of them."""
    try:
        return parse_chat_id(chat_id).chat_id
    except ValueError:
        return None


def list_chats(session: Session, account_id: str, *, session_id: str | None, limit: int, offset: int) -> ChatPage:
    """Chats newest first, each with its last message."""
    _require_chats(session, account_id, session_id)
    repository = MessageRepository(session, account_id)
    rows, total = repository.chats(session_id, limit, offset)
    items = []
    for chat_session_id, chat_id, phone, _last_at, count in rows:
        last = repository.last_in_chat(chat_session_id, chat_id)
        group = is_group_chat(chat_id)
        items.append(ChatPublic(chat_id=chat_id, session_id=chat_session_id, is_group=group,
                                phone=chat_id.removesuffix(GROUP_SUFFIX) if group else phone,
                                name=None if group else repository.last_name_in_chat(chat_session_id, chat_id),
                                last_message=last.text, last_message_direction=last.direction,
                                last_message_at=last.timestamp, message_count=count))
    return ChatPage(items=items, total=total, limit=limit, offset=offset)


def chat_messages(session: Session, account_id: str, chat_id: str, *, session_id: str | None, limit: int,
                  offset: int) -> MessagePage:
    """A chat's messages newest first; 404 when the chat has none."""
    _require_chats(session, account_id, session_id)
    chat_id = normalize_chat_id(chat_id)
    messages, total = (MessageRepository(session, account_id).in_chat(chat_id, session_id, limit, offset)
                       if chat_id else ([], 0))
    if total == 0:
        raise NotFound("Chat not found")
    return MessagePage(chat_id=chat_id, items=[MessagePublic.of(m) for m in messages], total=total, limit=limit,
                       offset=offset)


def get_message(session: Session, account_id: str, message_id: str) -> MessagePublic:
    """One message by our id or by its WhatsApp id (wamid...)."""
    message = MessageRepository(session, account_id).by_any_id(message_id)
    if message is None:
        raise NotFound("Message not found")
    return MessagePublic.of(message)
