"""Gateway callbacks: WAHA events and the Cloud API webhook. Authenticated by their signatures, not API keys."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import PlainTextResponse

from app.deps import ServicesDep
from app.errors import BadRequest, Forbidden, error_responses
from app.messages import inbound
from app.messages.inbound import CallbackNotConfigured, InvalidSignature
from app.throttling import AddressThrottle, TooManyAttempts

router = APIRouter(prefix="/gateways", tags=["Gateways"])
CALLBACK_ERRORS = error_responses(BadRequest, InvalidSignature, CallbackNotConfigured, TooManyAttempts)
# Per address only: which account a callback is for is known only after its signature is checked.
CALLBACK_THROTTLE = [Depends(AddressThrottle("gateway_callback", "gateway callbacks"))]


async def _raw_body(request: Request) -> bytes:
    # Signatures cover the exact bytes received, so the body is read raw, never re-serialized.
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]


@router.post("/waha/events", responses=CALLBACK_ERRORS, dependencies=CALLBACK_THROTTLE)
async def waha_events(
    raw: RawBody, services: ServicesDep,
    x_webhook_hmac: Annotated[str | None, Header()] = None,
    x_webhook_hmac_algorithm: Annotated[str | None, Header()] = None,
) -> dict:
    """Receive a WAHA webhook event (message, message.ack, session.status), signed with X-Webhook-Hmac."""
    return await inbound.receive_waha_callback(services, raw, x_webhook_hmac, x_webhook_hmac_algorithm)


@router.get("/meta/webhook", response_class=PlainTextResponse,
            responses=error_responses(Forbidden, CallbackNotConfigured))
def meta_verify(
    services: ServicesDep,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
) -> str:
    """Meta's subscription check: answers hub.challenge when hub.verify_token matches."""
    return inbound.verify_meta_subscription(services.settings, mode, token, challenge)


@router.post("/meta/webhook", responses=CALLBACK_ERRORS, dependencies=CALLBACK_THROTTLE)
async def meta_events(
    raw: RawBody, services: ServicesDep,
    x_hub_signature_256: Annotated[str | None, Header()] = None,
) -> dict:
    """Receive Cloud API messages and statuses, signed with X-Hub-Signature-256."""
    return await inbound.receive_meta_callback(services, raw, x_hub_signature_256)
