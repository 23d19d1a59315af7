"""The sandbox's customer side: deliver inbound messages and status callbacks exactly as a gateway would."""

import secrets

from sqlmodel import Session

from app.errors import NotFound, Unprocessable
from app.gateways.base import WORKING
from app.gateways.registry import get_gateway
from app.gateways.sandbox import remember_group
from app.messages.inbound import apply_events
from app.messages.repository import MessageRepository
from app.messages.schemas import MessagePublic
from app.messages.service import SessionNotWorking
from app.sandbox.schemas import SandboxInbound, SandboxInboundResult, SandboxStatus, SandboxStatusResult
from app.sessions.models import WhatsAppSession
from app.sessions.repository import SessionRepository
from app.state import Services


class SandboxDisabled(NotFound):
    detail = "Not Found"


def _sandbox_session(session: Session, services: Services, account_id: str, session_id: str) -> WhatsAppSession:
    if not services.settings.sandbox:
        raise SandboxDisabled()  # as if the route did not exist (REPLYBASE_SANDBOX=false)
    wa_session = SessionRepository(session, account_id).get_or_404(session_id)
    if wa_session.gateway != "sandbox":
        raise Unprocessable(f"Session {session_id} uses the {wa_session.gateway} gateway; the sandbox only "
                            "delivers to sandbox sessions")
    if wa_session.status != WORKING:
        raise SessionNotWorking(f"Session {session_id} is {wa_session.status}; restart it to receive messages")
    return wa_session


async def deliver_inbound(services: Services, account_id: str, body: SandboxInbound) -> SandboxInboundResult:
    """Deliver a customer's message `deliveries` times through the gateway event path.

    Committed with the other deliveries and callbacks that arrive together, like a gateway callback
    (app/messages/inbound.py).
    """
    return await services.group_commit.run(lambda session: _deliver_inbound(session, services, account_id, body))


def _deliver_inbound(session: Session, services: Services, account_id: str, body: SandboxInbound
                     ) -> SandboxInboundResult:
    wa_session = _sandbox_session(session, services, account_id, body.session_id)
    if body.group_id and remember_group(wa_session, body.group_id, body.phone):
        session.add(wa_session)  # a group someone writes in is one of the number's groups (GET /groups/available)
    message_id = body.message_id or "wamid.SANDBOX" + secrets.token_hex(10).upper()
    event = {"session_id": wa_session.id,
             "message": {"gateway_message_id": message_id, "phone": body.phone, "text": body.message,
                         "name": body.name, "timestamp": body.timestamp, "group_id": body.group_id}}
    gateway = get_gateway(services, "sandbox")
    stored = []
    for _ in range(body.deliveries):
        for events in gateway.parse_event(event):
            stored += apply_events(session, services, wa_session, events).messages
    # A repeated delivery answers with the message stored earlier.
    message = stored[0] if stored else MessageRepository(session, account_id).by_gateway_id(wa_session.id, message_id)
    return SandboxInboundResult(message_id=message_id, deliveries=body.deliveries, stored=bool(stored),
                                message=MessagePublic.of(message) if message else None)


def deliver_status(session: Session, services: Services, account_id: str, body: SandboxStatus
                   ) -> SandboxStatusResult:
    """Deliver a delivery receipt for a message we sent, possibly late or out of order."""
    wa_session = _sandbox_session(session, services, account_id, body.session_id)
    message = MessageRepository(session, account_id).by_gateway_id(wa_session.id, body.message_id)
    if message is None or message.direction != "out":
        raise NotFound("No message sent from this session has that message_id")
    event = {"session_id": wa_session.id,
             "status": {"gateway_message_id": body.message_id, "status": body.status, "error": body.error}}
    applied = 0
    for events in get_gateway(services, "sandbox").parse_event(event):
        applied += apply_events(session, services, wa_session, events).statuses
    return SandboxStatusResult(applied=applied > 0, status=message.status)
