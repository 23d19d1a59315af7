"""One send on behalf of a scheduled or bulk message: failures are returned, never raised, so one bad
recipient does not stop the rest."""

import logging
from dataclasses import dataclass

from app.errors import ReplybaseError
from app.gateways.base import GatewayTimeout, SessionNotConnected
from app.messages.service import SendInProgress, SessionNotWorking, send_message
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
    # An earlier attempt with the same key is still being settled (a crash interrupted it): ask again later.
    in_progress: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and not self.in_progress


def send_safely(services: Services, account_id: str, *, session_id: str, phone: str, message: str,
                media_url: str | None, idempotency_key: str, origin: str) -> SendOutcome:
    """Send one message; the idempotency key makes a repeat after a crash return the first send, never a second."""
    try:
        result = send_message(services, account_id, session_id=session_id, phone=phone, message=message,
                              media_url=media_url, idempotency_key=idempotency_key, origin=origin,
                              keep_if_not_connected=False)
    except (SessionNotWorking, SessionNotConnected) as exc:
        return SendOutcome(None, exc.detail, session_down=True)
    except (SendInProgress, GatewayTimeout) as exc:  # its outcome is settled by app/messages/reconcile.py
        return SendOutcome(None, exc.detail, in_progress=True)
    except ReplybaseError as exc:
        return SendOutcome(None, exc.detail)
    except Exception:
        logger.exception("unexpected error sending a %s message on session %s", origin, session_id)
        return SendOutcome(None, "internal error while sending; see the server log")
    return SendOutcome(result.message_id, None)
