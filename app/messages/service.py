"""Sending, inbound recording and delivery statuses: the one path every message takes.

Sending opens its own short transactions around the gateway call; inbound recording and statuses flush into the
caller's transaction."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.common import utcnow
from app.db import insert_unless_exists, unit_of_work
from app.errors import Conflict, ReplybaseError, Unprocessable
from app.gateways.base import (STATUS_RANK, WORKING, GatewayTimeout, InboundMessage, MessageTypeUnsupported,
                               OutsideCustomerWindow, Poll, SessionNotConnected, StatusUpdate, is_group_chat)
from app.gateways.registry import GATEWAY_CLASSES, get_gateway
from app.jobs.queue import enqueue
from app.messages.media import media_for
from app.messages.models import Message
from app.messages.repository import MessageRepository
from app.messages.schemas import MAX_MESSAGE_LENGTH, check_phone
from app.monitoring.watch import watch_group_message
from app.sessions.models import WhatsAppSession
from app.sessions.repository import SessionRepository
from app.state import Services
from app.webhooks.service import emit_event

CUSTOMER_WINDOW = timedelta(hours=24)
# Kinds whose text may be empty: a sticker has none, a GIF's caption is optional.
CAPTION_OPTIONAL = ("sticker", "gif")


class SessionNotWorking(Conflict):
    detail = "The session is not working"


# A send interrupted by a crash whose gateway cannot say whether it went out (never sent again).
UNKNOWN = "unknown"


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


class SendInProgress(Conflict):
    detail = "A request with this Idempotency-Key is still being sent; retry in a moment"


class SendOutcomeUnknown(Conflict):
    detail = ("An earlier send with this Idempotency-Key was interrupted and its gateway cannot tell whether it went "
              "out; check the chat, then send again with a new key if needed")


def _replay(existing: Message, session_id: str, chat_id: str, phone: str, text: str,
            media_url: str | None, kind: str = "text", payload: dict | None = None) -> SendResult:
    """The first result for a repeated Idempotency-Key, provided it names the same message."""
    first = (existing.session_id, existing.chat_id, existing.phone, existing.text, existing.media_url,
             existing.message_type, existing.payload)
    if first != (session_id, chat_id, phone, text, media_url, kind, payload):
        raise IdempotencyKeyReused()
    if existing.status == UNKNOWN:
        raise SendOutcomeUnknown()
    if existing.gateway_message_id is None:
        raise SendInProgress()
    return _result(existing)


def _validate(phone: str, message: str, group_id: str | None, kind: str = "text") -> None:
    try:
        if group_id is None or phone:  # a message into a group answers no one in particular
            check_phone(phone)
    except ValueError as exc:
        raise Unprocessable(str(exc)) from None
    if group_id is not None and not is_group_chat(group_id):
        raise Unprocessable(f"group_id must be a WhatsApp group chat id ending in @g.us (got {group_id!r})")
    shortest = 0 if kind in CAPTION_OPTIONAL else 1
    if not shortest <= len(message) <= MAX_MESSAGE_LENGTH:
        raise Unprocessable(f"message must be 1 to {MAX_MESSAGE_LENGTH} characters (it is {len(message)})")


def _require_customer_window(repository: MessageRepository, wa_session: WhatsAppSession, phone: str) -> None:
    last = repository.last_inbound_at(wa_session.id, phone)
    if last is None or utcnow() - last > CUSTOMER_WINDOW:
        raise OutsideCustomerWindow()


def queue_message(session: Session, account_id: str, *, session_id: str, phone: str, message: str,
                  media=None, media_url: str | None = None, idempotency_key: str | None = None,
                  origin: str = "api", group_id: str | None = None, kind: str | None = None,
                  payload: dict | None = None) -> tuple[WhatsAppSession, Message]:
    """Check that the session can send, and store the message `queued` in the caller's transaction.

    `kind`: text or media (by default, from media_url), poll (`payload` holds its options), sticker or gif.
    Once that commits, `deliver` calls the gateway; a crash in between leaves a queued message that
    app/messages/reconcile.py settles."""
    kind = kind or ("media" if media_url else "text")
    _validate(phone, message, group_id, kind)
    repository = MessageRepository(session, account_id)
    wa_session = SessionRepository(session, account_id).get_or_404(session_id)
    if wa_session.status != WORKING:
        raise SessionNotWorking(f"Session {wa_session.id} is {wa_session.status}, not working; "
                                f"restart it (POST /sessions/{wa_session.id}/restart) and try again")
    if reason := GATEWAY_CLASSES[wa_session.gateway].unsupported_messages.get(kind):
        raise MessageTypeUnsupported(reason)  # refused before anything is stored: never a silent stand-in
    if wa_session.gateway == "meta" and not group_id:  # refused here, before Meta is called
        _require_customer_window(repository, wa_session, phone)
    row = Message(account_id=account_id, session_id=wa_session.id, chat_id=group_id or chat_id_for(phone),
                  direction="out", phone=phone, text=message, media_url=media_url,
                  media_type=media.mimetype if media else None, idempotency_key=idempotency_key, origin=origin,
                  message_type=kind, payload=payload)
    session.add(row)
    session.flush()  # the unique key makes a racing retry wait, then fail, here
    return wa_session, row


def send_message(services: Services, account_id: str, *, session_id: str, phone: str, message: str,
                 media_url: str | None = None, idempotency_key: str | None = None, origin: str = "api",
                 group_id: str | None = None, keep_if_not_connected: bool = True, kind: str | None = None,
                 payload: dict | None = None) -> SendResult:
    """Send through the session's gateway, exactly once: record, commit, call, record.

    The message is stored `queued` and committed before the gateway is called, so a crash during the call leaves a
    record that app/messages/reconcile.py settles. No transaction is open during the call or a media download.
    With `group_id` the message goes into that group chat; `phone` is then the member it answers, kept on record.
    A gateway saying the session is not connected leaves the message `failed`, or with `keep_if_not_connected`
    False no trace (bulk and scheduled sends wait for the session and send it then).
    `kind` and `payload` as in `queue_message`: polls, stickers and GIFs take this same path.
    """
    kind = kind or ("media" if media_url else "text")
    _validate(phone, message, group_id, kind)
    idempotency_key = (idempotency_key or "").strip() or None  # a blank header is no key
    chat_id = group_id or chat_id_for(phone)
    if idempotency_key:
        with unit_of_work(services.session_factory, read_only=True) as session:
            existing = MessageRepository(session, account_id).by_idempotency_key(idempotency_key)
        if existing is not None:
            return _replay(existing, session_id, chat_id, phone, message, media_url, kind, payload)
    media = media_for(kind, media_url, services.settings)
    try:
        with unit_of_work(services.session_factory) as session:
            wa_session, row = queue_message(session, account_id, session_id=session_id, phone=phone,
                                            message=message, media=media, media_url=media_url,
                                            idempotency_key=idempotency_key, origin=origin, group_id=group_id,
                                            kind=kind, payload=payload)
    except IntegrityError:
        if idempotency_key is None:
            raise
        with unit_of_work(services.session_factory, read_only=True) as session:
            existing = MessageRepository(session, account_id).by_idempotency_key(idempotency_key)
        if existing is None:
            raise
        return _replay(existing, session_id, chat_id, phone, message, media_url, kind, payload)
    return deliver(services, get_gateway(services, wa_session.gateway), wa_session, row, media,
                   keep_if_not_connected=keep_if_not_connected)


def deliver(services: Services, gateway, wa_session: WhatsAppSession, row: Message, media, *,
            keep_if_not_connected: bool = True) -> SendResult:
    """Call the gateway for a stored, queued message and record the outcome."""
    to = row.chat_id if is_group_chat(row.chat_id) else row.phone
    try:
        sent = _call_gateway(gateway, wa_session, row, to, media)
    except GatewayTimeout:
        # In doubt: the gateway may have sent it before the answer was lost. It stays queued, keeps its key, and
        # app/messages/reconcile.py settles it like a send a crash cut short.
        raise
    except SessionNotConnected as exc:
        if not keep_if_not_connected:
            forget_unsent(services, row.id)  # never left: a retry once the session works must find no trace
            raise
        record_outcome(services, row.id, status="failed", error=exc.detail)
        raise
    except ReplybaseError as exc:
        record_outcome(services, row.id, status="failed", error=exc.detail)
        raise
    settled = record_outcome(services, row.id, status="sent", gateway_message_id=sent.gateway_message_id)
    return _result(settled or row)


def _call_gateway(gateway, wa_session: WhatsAppSession, row: Message, to: str, media):
    if row.message_type == "poll":
        options = row.payload or {}
        return gateway.send_poll(wa_session, to, Poll(row.text, tuple(options.get("options", ())),
                                                      bool(options.get("allow_multiple"))))
    if row.message_type == "sticker":
        return gateway.send_sticker(wa_session, to, media)
    if row.message_type == "gif":
        return gateway.send_gif(wa_session, to, media, row.text)
    return gateway.send_media(wa_session, to, media, row.text) if media else gateway.send_text(wa_session, to, row.text)


def record_outcome(services: Services, message_id: str, *, status: str, error: str | None = None,
                   gateway_message_id: str | None = None) -> Message | None:
    """Settle a queued message (compare-and-set: only a still-queued one changes) and announce it.

    A failed send frees its Idempotency-Key, so that a retry really sends again."""
    values = {"status": status, "error": error, "updated_at": utcnow()}
    if gateway_message_id:
        values["gateway_message_id"] = gateway_message_id
    if status == "failed":
        values["idempotency_key"] = None
    with unit_of_work(services.session_factory) as session:
        changed = session.execute(update(Message).where(Message.id == message_id, Message.status == "queued")
                                  .values(**values))
        if changed.rowcount != 1:
            return None
        row = session.get(Message, message_id)
        session.refresh(row)
        emit_event(session, row.account_id, "message.sent" if status == "sent" else "message.status",
                   message_event(row))
    return row


def forget_unsent(services: Services, message_id: str) -> None:
    with unit_of_work(services.session_factory) as session:
        session.execute(delete(Message).where(Message.id == message_id, Message.status == "queued"))


def message_event(message: Message) -> dict:
    """A message as webhook receivers see it."""
    return {"id": message.id, "message_id": message.gateway_message_id, "session_id": message.session_id,
            "chat_id": message.chat_id, "direction": message.direction, "phone": message.phone,
            "name": message.name, "text": message.text, "message": message.text, "media_url": message.media_url,
            "media_type": message.media_type, "message_type": message.message_type, "status": message.status,
            "error": message.error, "origin": message.origin, "timestamp": message.timestamp.isoformat()}


def record_inbound(session: Session, services: Services, wa_session: WhatsAppSession,
                   event: InboundMessage) -> Message | None:
    """Store a customer's message once; a repeated delivery of the same message returns None and does nothing."""
    if not event.gateway_message_id:
        return None
    row = Message(account_id=wa_session.account_id, session_id=wa_session.id,
                  chat_id=event.group_id or chat_id_for(event.phone), direction="in", phone=event.phone,
                  name=event.name, text=event.text, media_url=event.media_url, media_type=event.media_type,
                  message_type="media" if event.media_url else "text",
                  status="delivered", gateway_message_id=event.gateway_message_id, origin=wa_session.gateway,
                  timestamp=event.timestamp or utcnow())
    # A gateway delivers a message again when it is unsure we got it, possibly at the same moment: the first wins.
    if not insert_unless_exists(session, row, ["session_id", "gateway_message_id"]):
        return None
    event = message_event(row)
    emit_event(session, wa_session.account_id, "message.received", event)
    watch_group_message(session, wa_session, row, event)
    enqueue(session, "messages.received", {"message_id": row.id}, account_id=row.account_id)
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
