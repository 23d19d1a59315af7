"""The inbound handler: every received message, from any gateway, goes through here once.

claim -> rules -> (debounce) -> retrieve -> decide -> draft -> guardrails -> send or store -> log and emit.
"""

import logging
import time
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.autoreply import policy
from app.autoreply.composer import Decision, compose
from app.autoreply.memory import combine_burst, to_turns
from app.autoreply.models import AutoReplySettings, ChatState, Reply
from app.autoreply.repository import ChatStateRepository, ConversationRepository, ReplyRepository
from app.autoreply.styles import style_for
from app.common import utcnow
from app.errors import ReplybaseError
from app.gateways.base import is_group_chat
from app.jobs.queue import enqueue
from app.messages.models import Message
from app.messages.service import send_message
from app.sessions.models import WhatsAppSession
from app.state import Services
from app.webhooks.service import emit_event

logger = logging.getLogger("replybase.autoreply")
OFF_HOURS_REPEAT = timedelta(hours=12)


def claim(session: Session, message: Message) -> Reply | None:
    """Record that the bot is considering this inbound message; None if it already was (duplicate delivery)."""
    reply = Reply(account_id=message.account_id, session_id=message.session_id, chat_id=message.chat_id,
                  phone=message.phone, inbound_message_id=message.id, inbound_text=message.text)
    try:
        with session.begin_nested():  # the unique (session, inbound message) makes a second claim fail here
            session.add(reply)
    except IntegrityError:
        return None
    return reply


def _finish(session: Session, reply: Reply, status: str, reason: str | None = None, **fields) -> Reply:
    reply.status, reply.reason, reply.updated_at = status, reason, utcnow()
    for name, value in fields.items():
        setattr(reply, name, value)
    session.add(reply)
    session.flush()
    return reply


def send_reply(session: Session, services: Services, reply: Reply, text: str) -> str:
    """Send into the chat the message came from: the customer's own chat, or the group they wrote in."""
    result = send_message(session, services, reply.account_id, session_id=reply.session_id, phone=reply.phone,
                          message=text, origin="autoreply",
                          group_id=reply.chat_id if is_group_chat(reply.chat_id) else None)
    return result.message_id


def _reply_event(reply: Reply) -> dict:
    return {"reply_id": reply.id, "session_id": reply.session_id, "chat_id": reply.chat_id, "phone": reply.phone,
            "inbound_message_id": reply.inbound_message_id, "inbound_text": reply.inbound_text,
            "reply_text": reply.reply_text, "status": reply.status, "reason": reply.reason,
            "confidence": reply.confidence, "sources": reply.sources}


def handle_inbound(session: Session, services: Services, message: Message) -> Reply | None:
    """Claim the message, apply the rules, then answer now or when the debounce window closes."""
    config = session.get(AutoReplySettings, message.session_id)
    if config is None or not config.enabled or message.direction != "in":
        return None
    reply = claim(session, message)
    if reply is None:
        return None
    now = utcnow()
    state = ChatStateRepository(session, message.account_id).get_or_create(message.session_id, message.chat_id)
    wa_session = session.get(WhatsAppSession, message.session_id)
    reason = policy.skip_reason(config, state, message,
                                conversation=ConversationRepository(session, message.account_id),
                                replies=ReplyRepository(session, message.account_id),
                                session_phone=wa_session.phone_number if wa_session else None, now=now)
    if reason:
        return _finish(session, reply, "skipped", reason)
    if not policy.within_business_hours(config, now):
        return _answer_off_hours(session, services, config, reply, now)
    if config.debounce_seconds <= 0:
        answer_chat(session, services, message.session_id, message.chat_id)
        return reply
    if is_group_chat(message.chat_id):  # a burst there would mix different members' questions
        answer_chat(session, services, message.session_id, message.chat_id, only=reply)
        return reply
    # A burst of messages becomes one question: every new message pushes the answer back.
    state.answer_after = now + timedelta(seconds=config.debounce_seconds)
    session.add(state)
    enqueue(session, "autoreply.answer", {"session_id": message.session_id, "chat_id": message.chat_id},
            run_at=state.answer_after)
    return reply


def _answer_off_hours(session: Session, services: Services, config: AutoReplySettings, reply: Reply, now):
    replies = ReplyRepository(session, reply.account_id)
    already = replies.count_since(reply.session_id, reply.chat_id, ("sent",), now - OFF_HOURS_REPEAT,
                                  reason="outside business hours")
    if not config.off_hours_message or already:
        return _finish(session, reply, "skipped", "outside business hours")
    sent_id = send_reply(session, services, reply, config.off_hours_message)
    return _finish(session, reply, "sent", "outside business hours", reply_text=config.off_hours_message,
                   sent_message_id=sent_id)


def answer_chat(session: Session, services: Services, session_id: str, chat_id: str,
                only: Reply | None = None) -> Reply | None:
    """Answer the chat's pending messages as one question, once the debounce window has closed.

    With `only`, answer just that message (in a group, other pending messages are other people's questions).
    """
    state = session.get(ChatState, (session_id, chat_id))
    config = session.get(AutoReplySettings, session_id)
    if state is None or config is None:
        return None
    if state.answer_after and state.answer_after > utcnow():
        return None  # a later message moved the window; its own job answers
    replies = ReplyRepository(session, state.account_id)
    pending = [only] if only else replies.pending_in_chat(session_id, chat_id)
    burst = [reply for reply in pending if replies.claim_pending(reply.id)]
    if not burst:
        return None
    *merged, reply = burst
    for earlier in merged:
        _finish(session, earlier, "merged", f"answered together with message {reply.inbound_message_id}")
    started = time.perf_counter()
    texts = [r.inbound_text for r in burst]
    if is_group_chat(chat_id):  # "@<our number> question": the mention addresses the bot, it is not the question
        wa_session = session.get(WhatsAppSession, session_id)
        texts = [policy.without_mention(text, wa_session.phone_number) for text in texts]
    question = combine_burst(texts)
    conversation = ConversationRepository(session, state.account_id)
    first_inbound = session.get(Message, burst[0].inbound_message_id)
    history = to_turns(conversation.recent(session_id, chat_id, first_inbound.timestamp, config.memory_turns))
    decision = compose(session, services, state.account_id, question=question, history=history,
                       style=style_for(session, state.account_id, config.style_profile_id),
                       drafter_name=config.drafter, tags=config.tags, min_confidence=config.min_confidence,
                       handoff_keywords=config.handoff_keywords, fallback_message=config.fallback_message,
                       customer_name=first_inbound.name)
    return _act(session, services, config, state, reply, decision, received_at=first_inbound.created_at,
                started=started)


def _act(session: Session, services: Services, config: AutoReplySettings, state: ChatState, reply: Reply,
         decision: Decision, *, received_at, started: float) -> Reply:
    fields = {"reply_text": decision.text, "sources": decision.sources_json(), "confidence": decision.confidence,
              "drafter": decision.drafter, "notes": decision.notes}
    if config.mode == "review" and not decision.handoff:
        _finish(session, reply, "draft", None, **fields)
        emit_event(session, reply.account_id, "ai.reply.drafted", _reply_event(reply))
        return reply
    try:
        sent_id = send_reply(session, services, reply, decision.text) if config.mode == "auto" else None
    except ReplybaseError as exc:
        logger.warning("auto-reply %s could not be sent: %s", reply.id, exc.detail)
        return _finish(session, reply, "failed", exc.detail, **fields)
    latency_ms = round((utcnow() - received_at).total_seconds() * 1000, 1)
    if decision.handoff:
        state.handoff_open, state.handoff_at = True, utcnow()
        session.add(state)
        _finish(session, reply, "handoff", decision.reason, sent_message_id=sent_id, latency_ms=latency_ms, **fields)
        emit_event(session, reply.account_id, "ai.handoff", _reply_event(reply))
        return reply
    _finish(session, reply, "sent", None, sent_message_id=sent_id, latency_ms=latency_ms, **fields)
    emit_event(session, reply.account_id, "ai.reply.sent", _reply_event(reply))
    logger.info("auto-reply %s sent in %.0f ms of work", reply.id, (time.perf_counter() - started) * 1000)
    return reply
