"""The inbound handler: every received message, from any gateway, goes through here once.

claim -> rules -> (debounce) -> retrieve -> decide -> draft -> guardrails -> send or store -> log and emit.

Each step that touches the database is a short transaction of its own, and none is open while the embedder, the
drafter or the gateway works: claim and decide what to ask (commit), compose the answer (no transaction), store the
decision together with the queued outbound message (commit), call the gateway (no transaction), record the outcome
(commit). A crash between the last two leaves a `sending` reply whose message app/messages/reconcile.py settles;
settle_interrupted_replies then gives the reply the message's outcome.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts.models import Account
from app.accounts.plans import PLANS
from app.autoreply import policy
from app.autoreply.composer import Decision, compose
from app.autoreply.memory import combine_burst, to_turns
from app.autoreply.models import AutoReplySettings, ChatState, Reply
from app.autoreply.repository import ChatStateRepository, ConversationRepository, ReplyRepository
from app.autoreply.styles import style_for
from app.common import utcnow
from app.db import unit_of_work
from app.drafters.base import StyleSpec, Turn, stand_in_min_confidence
from app.drafters.registry import build_drafter
from app.errors import ReplybaseError
from app.gateways.base import is_group_chat
from app.gateways.registry import get_gateway
from app.jobs.queue import enqueue
from app.messages.models import Message
from app.messages.service import UNKNOWN, deliver, queue_message
from app.metrics import record_autoreply_outcome
from app.sessions.models import WhatsAppSession
from app.state import Services
from app.webhooks.service import emit_event

logger = logging.getLogger("replybase.autoreply")
OFF_HOURS_REPEAT = timedelta(hours=12)
SENT_STATUSES = ("sent", "delivered", "read")


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
    if status in ("skipped", "merged"):
        logger.info("auto-reply %s %s: %s", reply.id, status, reason)
    if status != "sending":  # counted once it has an outcome
        record_autoreply_outcome(status)
    return reply


def _reply_event(reply: Reply) -> dict:
    return {"reply_id": reply.id, "session_id": reply.session_id, "chat_id": reply.chat_id, "phone": reply.phone,
            "inbound_message_id": reply.inbound_message_id, "inbound_text": reply.inbound_text,
            "reply_text": reply.reply_text, "status": reply.status, "reason": reply.reason,
            "confidence": reply.confidence, "sources": reply.sources}


def queue_reply(session: Session, reply: Reply, text: str) -> tuple[WhatsAppSession, Message]:
    """Queue `text` into the chat the message came from (the customer's own chat, or the group they wrote in), in
    the caller's transaction, and link it to the reply."""
    wa_session, outbound = queue_message(session, reply.account_id, session_id=reply.session_id, phone=reply.phone,
                                         message=text, origin="autoreply",
                                         group_id=reply.chat_id if is_group_chat(reply.chat_id) else None)
    reply.outbound_message_id = outbound.id
    session.add(reply)
    session.flush()
    return wa_session, outbound


def deliver_reply(services: Services, reply_id: str, wa_session: WhatsAppSession, outbound: Message) -> Reply:
    """Call the gateway for a reply's queued message (no transaction open), then record the outcome."""
    refusal = None
    try:
        deliver(services, get_gateway(services, wa_session.gateway), wa_session, outbound, None)
    except ReplybaseError as exc:
        logger.warning("auto-reply %s could not be sent: %s", reply_id, exc.detail)
        refusal = exc.detail
    with unit_of_work(services.session_factory) as session:
        return settle_reply(session, session.get(Reply, reply_id), refusal=refusal)


def settle_reply(session: Session, reply: Reply | None, refusal: str | None = None) -> Reply | None:
    """Give a `sending` (or handed-off) reply the outcome of its outbound message, once that is known."""
    if reply is None or reply.outbound_message_id is None or reply.status not in ("sending", "handoff"):
        return reply
    outbound = session.get(Message, reply.outbound_message_id)
    if outbound is None:  # the gateway said the session is not connected, so the message was never stored as sent
        return _finish(session, reply, "failed", refusal) if reply.status == "sending" else reply
    if outbound.status == "queued" or (reply.status == "handoff" and reply.sent_message_id):
        return reply  # still in flight
    sent = outbound.status in SENT_STATUSES
    reply.sent_message_id = outbound.gateway_message_id
    if reply.status == "handoff":
        session.add(reply)
        session.flush()
        return reply
    if sent:
        _finish(session, reply, "sent", reply.reason)
        emit_event(session, reply.account_id, "ai.reply.sent", _reply_event(reply))
    elif outbound.status == UNKNOWN:
        _finish(session, reply, UNKNOWN, outbound.error)
    else:
        _finish(session, reply, "failed", outbound.error or "the gateway refused the message")
    return reply


def handle_inbound(services: Services, message: Message) -> Reply | None:
    """Claim the message, apply the rules, then answer now or when the debounce window closes."""
    answer_now = only = None
    off_hours: tuple | None = None
    with unit_of_work(services.session_factory) as session:
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
        plan = session.get(Account, message.account_id).plan
        if "auto_reply" not in PLANS[plan].features:  # the plan changed since the bot was switched on
            reason = f"the {plan} plan does not include AI auto-reply"
        if reason:
            return _finish(session, reply, "skipped", reason)
        if not policy.within_business_hours(config, now):
            off_hours = _queue_off_hours(session, config, reply, now)
        elif config.debounce_seconds <= 0:
            answer_now = True
        elif is_group_chat(message.chat_id):  # a burst there would mix different members' questions
            answer_now, only = True, reply.id
        else:
            # A burst of messages becomes one question: every new message pushes the answer back.
            state.answer_after = now + timedelta(seconds=config.debounce_seconds)
            session.add(state)
            enqueue(session, "autoreply.answer", {"session_id": message.session_id, "chat_id": message.chat_id},
                    run_at=state.answer_after, account_id=message.account_id)
    if off_hours:
        deliver_reply(services, reply.id, *off_hours)
    elif answer_now:
        answer_chat(services, message.session_id, message.chat_id, only_reply_id=only)
    return reply


def _queue_off_hours(session: Session, config: AutoReplySettings, reply: Reply, now: datetime):
    replies = ReplyRepository(session, reply.account_id)
    already = replies.count_since(reply.session_id, reply.chat_id, ("sent", "sending"), now - OFF_HOURS_REPEAT,
                                  reason="outside business hours")
    if not config.off_hours_message or already:
        _finish(session, reply, "skipped", "outside business hours")
        return None
    try:
        queued = queue_reply(session, reply, config.off_hours_message)
    except ReplybaseError as exc:
        _finish(session, reply, "failed", exc.detail)
        return None
    _finish(session, reply, "sending", "outside business hours", reply_text=config.off_hours_message)
    return queued


@dataclass(frozen=True)
class Question:
    """Everything composing an answer needs, read in one short transaction."""

    account_id: str
    reply_id: str
    text: str
    history: list[Turn]
    style: StyleSpec
    customer_name: str | None
    received_at: datetime


def _take_question(session: Session, session_id: str, chat_id: str, only_reply_id: str | None) -> Question | None:
    state = session.get(ChatState, (session_id, chat_id))
    config = session.get(AutoReplySettings, session_id)
    if state is None or config is None:
        return None
    if state.answer_after and state.answer_after > utcnow():
        return None  # a later message moved the window; its own job answers
    replies = ReplyRepository(session, state.account_id)
    pending = [replies.get(only_reply_id)] if only_reply_id else replies.pending_in_chat(session_id, chat_id)
    burst = [reply for reply in pending if reply is not None and replies.claim_pending(reply.id)]
    if not burst:
        return None
    *merged, reply = burst
    for earlier in merged:
        _finish(session, earlier, "merged", f"answered together with message {reply.inbound_message_id}")
    texts = [r.inbound_text for r in burst]
    if is_group_chat(chat_id):  # "@<our number> question": the mention addresses the bot, it is not the question
        wa_session = session.get(WhatsAppSession, session_id)
        texts = [policy.without_mention(text, wa_session.phone_number) for text in texts]
    first_inbound = session.get(Message, burst[0].inbound_message_id)
    history = ConversationRepository(session, state.account_id).recent(session_id, chat_id, first_inbound.timestamp,
                                                                       config.memory_turns)
    return Question(account_id=state.account_id, reply_id=reply.id, text=combine_burst(texts),
                    history=to_turns(history), style=style_for(session, state.account_id, config.style_profile_id),
                    customer_name=first_inbound.name, received_at=first_inbound.created_at)


def answer_chat(services: Services, session_id: str, chat_id: str, only_reply_id: str | None = None) -> Reply | None:
    """Answer the chat's pending messages as one question, once the debounce window has closed.

    With `only_reply_id`, answer just that message (in a group, other pending messages are other people's
    questions).
    """
    with unit_of_work(services.session_factory) as session:
        question = _take_question(session, session_id, chat_id, only_reply_id)
        config = session.get(AutoReplySettings, session_id)
        plan = session.get(Account, config.account_id).plan if config else None
    if question is None:
        return None
    started = time.perf_counter()
    drafter, min_confidence = config.drafter, config.min_confidence
    if drafter == "openai" and "openai_drafter" not in PLANS[plan].features:
        drafter = "extractive"  # the plan changed since the drafter was chosen; noted on the reply below
        min_confidence = stand_in_min_confidence(min_confidence, build_drafter(services, drafter))
    decision = compose(services, question.account_id, question=question.text, history=question.history,
                       style=question.style, drafter_name=drafter, tags=config.tags,
                       min_confidence=min_confidence, handoff_keywords=config.handoff_keywords,
                       fallback_message=config.fallback_message, customer_name=question.customer_name)
    if drafter != config.drafter:
        decision.notes.append(f"the {plan} plan does not include the {config.drafter} drafter; used {drafter}")
    with unit_of_work(services.session_factory) as session:
        reply, queued = _record_decision(session, config, session.get(Reply, question.reply_id), decision,
                                         received_at=question.received_at)
    if queued is not None:
        reply = deliver_reply(services, reply.id, *queued)
    logger.info("auto-reply %s %s in %.0f ms of work%s", reply.id, reply.status,
                (time.perf_counter() - started) * 1000, f": {reply.reason}" if reply.reason else "")
    return reply


def _record_decision(session: Session, config: AutoReplySettings, reply: Reply, decision: Decision, *,
                     received_at: datetime):
    """Store the decision and, to send, the queued outbound message, in one transaction."""
    fields = {"reply_text": decision.text, "sources": decision.sources_json(), "confidence": decision.confidence,
              "drafter": decision.drafter, "notes": decision.notes,
              "latency_ms": round((utcnow() - received_at).total_seconds() * 1000, 1)}
    if not decision.handoff and not decision.text:  # "ok", "👍": nothing to say, and nothing to hand off
        return _finish(session, reply, "skipped", decision.reason, **fields), None
    if config.mode == "review" and not decision.handoff:
        _finish(session, reply, "draft", None, **fields)
        emit_event(session, reply.account_id, "ai.reply.drafted", _reply_event(reply))
        return reply, None
    queued = None
    if config.mode == "auto":
        try:
            queued = queue_reply(session, reply, decision.text)
        except ReplybaseError as exc:
            return _finish(session, reply, "failed", exc.detail, **fields), None
    if decision.handoff:
        state = session.get(ChatState, (reply.session_id, reply.chat_id))
        state.handoff_open, state.handoff_at = True, utcnow()
        session.add(state)
        _finish(session, reply, "handoff", decision.reason, **fields)
        emit_event(session, reply.account_id, "ai.handoff", _reply_event(reply))
        logger.info("auto-reply %s handed off: %s", reply.id, decision.reason)
        return reply, queued
    return _finish(session, reply, "sending", None, **fields), queued


def settle_interrupted_replies(services: Services) -> int:
    """Replies left `sending` by a crash take their message's outcome once the message is settled."""
    settled = 0
    with unit_of_work(services.session_factory) as session:
        waiting = session.exec(select(Reply).join(Message, Message.id == Reply.outbound_message_id).where(
            Reply.status == "sending", Message.status != "queued").limit(100)).all()
        for reply in waiting:
            settle_reply(session, reply)
            settled += 1
    return settled
