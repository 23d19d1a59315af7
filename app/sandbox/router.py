from fastapi import APIRouter

from app.deps import RequireScope, ServicesDep, SessionDep
from app.errors import NotFound, Unprocessable, error_responses
from app.messages.service import SessionNotWorking
from app.sandbox import service
from app.sandbox.schemas import SandboxInbound, SandboxInboundResult, SandboxStatus, SandboxStatusResult

router = APIRouter(prefix="/sandbox", tags=["Sandbox"])
MessagesSend = RequireScope("messages:send")
SANDBOX_ERRORS = error_responses(NotFound, Unprocessable, SessionNotWorking)


@router.post("/inbound", response_model=SandboxInboundResult, responses=SANDBOX_ERRORS)
async def sandbox_inbound(body: SandboxInbound, principal: MessagesSend, services: ServicesDep):
    """Deliver a customer message to a sandbox session, as a real gateway event would (duplicates too)."""
    return await service.deliver_inbound(services, principal.account_id, body)


@router.post("/status", response_model=SandboxStatusResult, responses=SANDBOX_ERRORS)
def sandbox_status(body: SandboxStatus, principal: MessagesSend, session: SessionDep, services: ServicesDep):
    """Deliver a status callback (sent, delivered, read, failed) for a message sent from a sandbox session."""
    return service.deliver_status(session, services, principal.account_id, body)
