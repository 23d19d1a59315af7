"""One send on behalf of a scheduled or bulk message: failures are returned, never raised, so one bad
recipient does not stop the rest."""

import logging
from dataclasses import dataclass

from sqlmodel import Session

from app.errors import ReplybaseError
from app.gateways.base import SessionNotConnected
from app.messages.service import SessionNotWorking, send_message
from app.state import Services

logger = logging.getLogger("replybase.outreach")
NAME_PLACEHOLDER = "{name}"


def personalize(message: str, name: str | None, fallback_name: str = "") -> str:
    """Fill `{name}`; a plain replace, so other braces in the text stay as written."""
    return message.replace(NAME_PLACEHOLDER, name or fallback_name)


@dataclass(frozen=True)
class SendOutcome:
    message_id: str | None
    error: str | None
    # The session itself could not send (stopped, logged out): nothing is wrong with this recipient.
    session_down: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


def send_safely(session: Session, services: Services, account_id: str, *, session_id: str, phone: str,
                message: str, media_url: str | None, idempotency_key: str, origin: str) -> SendOutcome:
    """Send one message in a savepoint; the idempotency key makes a repeat after a crash return the first send."""
    savepoint = session.begin_nested()
    try:
        result = send_message(session, services, account_id, session_id=session_id, phone=phone, message=message,
                              media_url=media_url, idempotency_key=idempotency_key, origin=origin)
    except (SessionNotWorking, SessionNotConnected) as exc:
        savepoint.rollback()  # not this recipient's failure: a retry once the session works must leave no trace
        return SendOutcome(None, exc.detail, session_down=True)
    except ReplybaseError as exc:
        # Some refusals record the failed message; keep it so it shows in chats with its error.
        savepoint.commit() if exc.keeps_changes else savepoint.rollback()
        return SendOutcome(None, exc.detail)
    except Exception:
        savepoint.rollback()
        logger.exception("unexpected error sending %s to %s", idempotency_key, phone)
        return SendOutcome(None, "internal error while sending; see the server log")
    savepoint.commit()
    return SendOutcome(result.message_id, None)
