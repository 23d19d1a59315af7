"""The rules that decide whether the bot may answer a chat at all, before any retrieval or model call."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.autoreply.models import AutoReplySettings, ChatState
from app.autoreply.repository import SENT_BY_REPLYBASE, ConversationRepository, ReplyRepository
from app.autoreply.schemas import DAYS
from app.gateways.base import is_group_chat
from app.messages.models import Message


def _listed(entries: list[str], message: Message) -> bool:
    return message.phone in entries or message.chat_id in entries


def _mention_of(phone: str) -> re.Pattern:
    return re.compile(rf"@{re.escape(phone)}(?!\d)\s*")  # WhatsApp writes a mention as "@<number>" in the text


def mentions(text: str, phone: str | None) -> bool:
    return bool(phone) and _mention_of(phone).search(text) is not None


def without_mention(text: str, phone: str | None) -> str:
    return _mention_of(phone).sub("", text).strip() if phone else text


def within_business_hours(config: AutoReplySettings, now: datetime) -> bool:
    """True when no hours are set, or `now` falls in one of today's open ranges (in the configured zone)."""
    hours = config.business_hours or {}
    if not hours.get("days"):
        return True
    local = now.astimezone(ZoneInfo(hours.get("timezone", "UTC")))
    clock = local.strftime("%H:%M")
    return any(start <= clock < end for start, end in hours["days"].get(DAYS[local.weekday()], []))


def skip_reason(config: AutoReplySettings, state: ChatState, message: Message, *, conversation: ConversationRepository,
                replies: ReplyRepository, session_phone: str | None, now: datetime) -> str | None:
    """Why the bot must stay quiet on this message, or None when it may answer."""
    if _listed(config.block_list, message):
        return "blocked"
    if config.allow_list and not _listed(config.allow_list, message):
        return "not on the allow list"
    if is_group_chat(message.chat_id):
        # Groups are opt-in: by the allow list, by ignore_groups=false, or by mention-only mode.
        if config.mention_only and not mentions(message.text, session_phone):
            return "group message without a mention"
        if config.ignore_groups and not config.mention_only and message.chat_id not in config.allow_list:
            return "group chat"
    if state.handoff_open:
        return "handed off to a human"
    if state.paused_until and state.paused_until > now:
        return "paused"
    last_human = conversation.last_human_reply_at(message.session_id, message.chat_id)
    if last_human and config.human_pause_minutes and now - last_human < timedelta(minutes=config.human_pause_minutes):
        return "a person at the business replied recently"
    first = conversation.first(message.session_id, message.chat_id)
    # A campaign or notification the customer answers is a conversation the bot may take; a chat a person at the
    # business opened from the phone is theirs.
    started_by_business = first is not None and first.direction == "out" and first.origin not in SENT_BY_REPLYBASE
    if started_by_business and not (state.resumed_at and state.resumed_at >= first.timestamp):
        return "the business started this chat"
    sent_last_hour = replies.count_since(message.session_id, message.chat_id, ("sent", "sending", "handoff"),
                                         now - timedelta(hours=1))
    if sent_last_hour >= config.max_replies_per_chat_per_hour:
        return "reply limit for this chat reached"
    return None
