"""Sending, inbound recording and delivery statuses: the one path every message takes. Flushes, never commits."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.common import utcnow
from app.errors import Conflict, ReplybaseError, Unprocessable
from app.gateways.base import (STATUS_RANK, WORKING, InboundMessage, OutsideCustomerWindow, StatusUpdate,
                               is_group_chat)
from app.gateways.registry import get_gateway
from app.jobs.queue import enqueue
from app.messages.media import check_media_url
from app.messages.models import Message
from app.messages.repository import MessageRepository
from app.messages.schemas import MAX_MESSAGE_LENGTH, check_phone
from app.sessions.models import WhatsAppSession
from app.sessions.repository import SessionRepository
from app.state import Services
from app.webhooks.service import emit_event

CUSTOMER_WINDOW = timedelta(hours=24)


class SessionNotWorking(Conflict):
    detail = "The session is not working"


class IdempotencyKeyReused(Conflict):
    detail = "This Idempotency-Key was already used for a different message; use a new key"


@dataclass(frozen=True)
class SendResult:
    message_id: str  # the gateway's id, "wamid..."
    remote_jid: str
    message: Message


def chat_id_for(phone: str) -> str:
    return f"{phone}@c.us"


def remote_jid_for(phone: str) -> str:
    return f"{phone}@s.whatsapp.net"


def _result(message: Message) -> SendResult:
    remote_jid = message.chat_id if is_group_chat(message.chat_id) else remote_jid_for(message.phone)
    return SendResult(message.gateway_message_id or "", remote_jid, message)


def _replay(existing: Message, session_id: str, chat_id: str, phone: str, text: str,
            media_url: str | None) -> SendResult:
    """The first result for a repeated Idempotency-Key, provided it names the same message."""
    first = (existing.session_id, existing.chat_id, existing.phone, existing.text, existing.media_url)
    if first != (session_id, chat_id, phone, text, media_url):
        raise IdempotencyKeyReused()
    if existing.gateway_message_id is None:
        raise Conflict("A request with this Idempotency-Key is still being sent; retry in a moment")
    return _result(existing)


def _validate(phone: str, message: str, group_id: str | None) -> None:
    try:
        check_phone(phone)
    except ValueError as exc:
        raise Unprocessable(str(exc)) from None
    if group_id is not None and not is_group_chat(group_id):
        raise Unprocessable(f"group_id must be a WhatsApp group chat id ending in @g.us (got {group_id!r})")
    if not 1 <= len(message) <= MAX_MESSAGE_LENGTH:
        raise Unprocessable(f"message must be 1 to {MAX_MESSAGE_LENGTH} characters (it is {len(message)})")


def _require_customer_window(repository: MessageRepository, wa_session: WhatsAppSession, phone: str) -> None:
    last = repository.last_inbound_at(wa_session.id, phone)
    if last is None or utcnow() - last > CUSTOMER_WINDOW:
        raise OutsideCustomerWindow()


def send_message(session: Session, services: Services, account_id: str, *, session_id: str, phone: str,
                 message: str, media_url: str | None = None, idempotency_key: str | None = None,
                 origin: str = "api", group_id: str | None = None) -> SendResult:
    """Validate, send through the session's gateway and store the outbound message with its status.

    With `group_id` the message goes into that group chat; `phone` is then the member it answers, kept on record.
    """
    _validate(phone, message, group_id)
    idempotency_key = (idempotency_key or "").strip() or None  # a blank header is no key
    chat_id = group_id or chat_id_for(phone)
    repository = MessageRepository(session, account_id)
    if idempotency_key and (existing := repository.by_idempotency_key(idempotency_key)):
        return _replay(existing, session_id, chat_id, phone, message, media_url)
    wa_session = SessionRepository(session, account_id).get_or_404(session_id)
    if wa_session.status != WORKING:
        raise SessionNotWorking(f"Session {wa_session.id} is {wa_session.status}, not working; "
                                f"restart it (POST /sessions/{wa_session.id}/restart) and try again")
    gateway = get_gateway(services, wa_session.gateway)
    if wa_session.gateway == "meta" and not group_id:  # refused here, before Meta is called
        _require_customer_window(repository, wa_session, phone)
    media = check_media_url(media_url, services.settings) if media_url else None

    to = group_id or phone
    row = Message(account_id=account_id, session_id=wa_session.id, chat_id=chat_id, direction="out", phone=phone,
                  text=message, media_url=media_url, media_type=media.mimetype if media else None,
                  idempotency_key=idempotency_key, origin=origin)
    try:
        with session.begin_nested():  # the unique key makes a racing retry wait, then fail, here
            session.add(row)
    except IntegrityError:
        existing = repository.by_idempotency_key(idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return _replay(existing, session_id, chat_id, phone, message, media_url)

    try:
        sent = (gateway.send_media(wa_session, to, media, message) if media
                else gateway.send_text(wa_session, to, message))
    except ReplybaseError as exc:
        # Keep the failed message, and free its key so that a retry really sends again.
        row.status, row.error, row.idempotency_key, row.updated_at = "failed", exc.detail, None, utcnow()
        session.add(row)
        session.flush()
        emit_event(session, account_id, "message.status", message_event(row))
        exc.keeps_changes = True
        raise
    row.status, row.gateway_message_id, row.updated_at = "sent", sent.gateway_message_id, utcnow()
    session.add(row)
    session.flush()
    emit_event(session, account_id, "message.sent", message_event(row))
    return _result(row)


def message_event(message: Message) -> dict:
    """A message as webhook receivers see it."""
    return {"id": message.id, "message_id": message.gateway_message_id, "session_id": message.session_id,
            "chat_id": message.chat_id, "direction": message.direction, "phone": message.phone,
            "name": message.name, "text": message.text, "media_url": message.media_url,
            "media_type": message.media_type, "status": message.status, "error": message.error,
            "origin": message.origin, "timestamp": message.timestamp.isoformat()}


def record_inbound(session: Session, services: Services, wa_session: WhatsAppSession,
                   event: InboundMessage) -> Message | None:
    """Store a customer's message once; a repeated delivery of the same message returns None and does nothing."""
    repository = MessageRepository(session, wa_session.account_id)
    if not event.gateway_message_id or repository.by_gateway_id(wa_session.id, event.gateway_message_id):
        return None
    row = Message(account_id=wa_session.account_id, session_id=wa_session.id,
                  chat_id=event.group_id or chat_id_for(event.phone), direction="in", phone=event.phone,
                  name=event.name, text=event.text, media_url=event.media_url, media_type=event.media_type,
                  status="delivered", gateway_message_id=event.gateway_message_id, origin=wa_session.gateway,
                  timestamp=event.timestamp or utcnow())
    try:
        with session.begin_nested():  # two concurrent deliveries of one message: the second loses here
            session.add(row)
    except IntegrityError:
        return None
    emit_event(session, wa_session.account_id, "message.received", message_event(row))
    enqueue(session, "messages.received", {"message_id": row.id})
    return row


def _moves_forward(current: str, new: str) -> bool:
    if current == "failed" or current == new:
        return False
    if new == "failed":  # a message already delivered or read cannot fail any more
        return STATUS_RANK[current] <= STATUS_RANK["sent"]
    return STATUS_RANK[new] > STATUS_RANK[current]


def apply_status(session: Session, wa_session: WhatsAppSession, update: StatusUpdate) -> Message | None:
    """Move a sent message's status forward (never back: read stays read); None when nothing changed."""
    message = MessageRepository(session, wa_session.account_id).by_gateway_id(wa_session.id,
                                                                               update.gateway_message_id)
    if message is None or message.direction != "out" or not _moves_forward(message.status, update.status):
        return None
    message.status, message.updated_at = update.status, utcnow()
    if update.status == "failed":
        message.error = update.error or "The gateway reported the message as failed"
    session.add(message)
    session.flush()
    emit_event(session, wa_session.account_id, "message.status", message_event(message))
    return message
