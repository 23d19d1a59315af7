"""Inbound group messages against the monitored groups' modes: a captured one is counted and sent as `group.message`.

Runs inside the inbound message's transaction (app/messages/service.py), so the event is queued with the message."""

import re

from sqlalchemy import update
from sqlmodel import Session

from app.autoreply.policy import mentions
from app.messages.models import Message
from app.messages.repository import MessageRepository
from app.monitoring.models import MonitoredGroup
from app.monitoring.repository import MonitoredGroupRepository
from app.phones import is_group_chat
from app.sessions.models import WhatsAppSession
from app.webhooks.events import GROUP_MESSAGE
from app.webhooks.service import emit_event


def matched_keywords(text: str, keywords: list[str]) -> list[str]:
    """The keywords (words or phrases) found whole in `text`, ignoring case and runs of spaces."""
    folded = " ".join(text.split()).casefold()
    return [keyword for keyword in keywords
            if re.search(rf"(?<!\w){re.escape(' '.join(keyword.split()).casefold())}(?!\w)", folded)]


def _captures(session: Session, group: MonitoredGroup, wa_session: WhatsAppSession,
              message: Message) -> tuple[bool, list[str]]:
    if group.monitor_mode == "all":
        return True, []
    if group.monitor_mode == "keywords":
        found = matched_keywords(message.text, group.monitor_keywords)
        return bool(found), found
    if group.monitor_mode == "mentions":
        return mentions(message.text, wa_session.phone_number), []
    return not MessageRepository(session, wa_session.account_id).wrote_before(message), []  # first_message


def watch_group_message(session: Session, wa_session: WhatsAppSession, message: Message, event: dict) -> bool:
    """Capture a newly stored inbound group message if its monitored group's mode wants it; True when captured.

    `event` is the message as webhook receivers see it; `group.message` adds the monitored group to it."""
    if message.direction != "in" or not is_group_chat(message.chat_id):
        return False
    group = MonitoredGroupRepository(session, wa_session.account_id).find(wa_session.id, message.chat_id)
    if group is None or not group.is_active:
        return False
    captured, keywords = _captures(session, group, wa_session, message)
    if not captured:
        return False
    # One UPDATE, so that two messages captured at once both count.
    session.execute(update(MonitoredGroup).where(MonitoredGroup.id == group.id).values(
        message_count=MonitoredGroup.message_count + 1, last_message_at=message.timestamp,
        last_message_id=message.id))
    emit_event(session, wa_session.account_id, GROUP_MESSAGE, {
        **event, "group_id": group.id, "wa_group_id": group.wa_group_id, "group_name": group.name,
        "monitor_mode": group.monitor_mode, "matched_keywords": keywords})
    return True
