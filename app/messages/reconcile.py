"""Settling sends a crash interrupted: a message still `queued` well after the gateway's timeout.

Its gateway call either went out or not, and the call itself is long over (it would have timed out). Per gateway:
- sandbox: nothing leaves the process, so it did not go out: it is sent now;
- WAHA: the chat's history on the WAHA server says: found -> `sent` with WAHA's id, not found -> sent now;
- Meta Cloud API: there is no way to ask, so it ends `unknown` and is never sent again (no silent duplicate).
A gateway that cannot be reached is asked again later; after GIVE_UP_AFTER the message ends `unknown`.
"""

import logging
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from app.common import utcnow
from app.db import unit_of_work
from app.errors import ReplybaseError
from app.gateways.base import SendLookupUnsupported, is_group_chat
from app.gateways.registry import get_gateway
from app.messages.media import media_for
from app.messages.models import Message
from app.messages.service import UNKNOWN, deliver, record_outcome
from app.sessions.models import WhatsAppSession
from app.state import Services

logger = logging.getLogger("replybase.messages")
# A send older than the gateway timeout plus this margin is over, one way or the other.
SETTLE_MARGIN = timedelta(seconds=5)
GIVE_UP_AFTER = timedelta(hours=24)
BATCH = 50


def claim_in_doubt(services: Services) -> list[str]:
    """Claim queued outbound messages older than the gateway timeout (compare-and-set on updated_at, so two
    workers never settle the same one)."""
    now = utcnow()
    cutoff = now - timedelta(seconds=services.settings.gateway_timeout_seconds) - SETTLE_MARGIN
    in_doubt = (Message.direction == "out", Message.status == "queued", Message.updated_at < cutoff)
    claimed = []
    with unit_of_work(services.session_factory) as session:
        for message_id in session.exec(select(Message.id).where(*in_doubt).limit(BATCH)).all():
            taken = session.execute(update(Message).where(Message.id == message_id, *in_doubt)
                                    .values(updated_at=now))
            if taken.rowcount == 1:
                claimed.append(message_id)
    return claimed


def settle_in_doubt(services: Services, message_id: str) -> str:
    """Settle one interrupted send; returns what happened (for the log)."""
    with unit_of_work(services.session_factory, read_only=True) as session:
        message = session.get(Message, message_id)
        wa_session = session.get(WhatsAppSession, message.session_id) if message else None
    if message is None or wa_session is None:
        return "gone"
    gateway = get_gateway(services, wa_session.gateway)
    to = message.chat_id if is_group_chat(message.chat_id) else message.phone
    try:
        found = gateway.find_sent(wa_session, to, message.text, since=message.created_at,
                                  kind=message.message_type)
    except SendLookupUnsupported as exc:
        record_outcome(services, message_id, status=UNKNOWN, error=exc.detail)
        return UNKNOWN
    except ReplybaseError as exc:
        if utcnow() - message.created_at < GIVE_UP_AFTER:
            return f"asked again later ({exc.detail})"
        record_outcome(services, message_id, status=UNKNOWN,
                       error=f"the send was interrupted and the gateway could not be asked for a day: {exc.detail}")
        return UNKNOWN
    if found is not None:
        record_outcome(services, message_id, status="sent", gateway_message_id=found.gateway_message_id)
        return "found sent"
    try:
        media = media_for(message.message_type, message.media_url, services.settings)
        deliver(services, gateway, wa_session, message, media)
    except ReplybaseError as exc:
        return f"sent again, failed: {exc.detail}"
    return "sent again"


def reconcile_sends(services: Services) -> int:
    settled = 0
    for message_id in claim_in_doubt(services):
        outcome = settle_in_doubt(services, message_id)
        logger.info("interrupted send %s: %s", message_id, outcome)
        settled += 1
    return settled
