"""Gateway callbacks -> stored messages, statuses and session statuses; every gateway's events come through here.

Each callback is committed before the response is written, in a transaction it shares with the callbacks that
arrive at the same moment (app/group_commit.py): a burst writes in a few transactions instead of queueing one by one
for SQLite's single writer, and no request-scoped transaction holds it across the event loop's round trips.
"""

import hmac
import json
from dataclasses import dataclass, field

from sqlmodel import Session

from app.config import Settings
from app.errors import BadRequest, Forbidden, ServiceUnavailable, Unauthorized
from app.gateways import meta, waha
from app.gateways.base import GatewayEvents
from app.gateways.registry import get_gateway
from app.messages.models import Message
from app.messages.service import apply_status, record_inbound
from app.sessions.models import WhatsAppSession
from app.sessions.repository import find_by_gateway_ref
from app.sessions.service import apply_gateway_status
from app.state import Services


@dataclass
class Applied:
    """What one batch of gateway events changed."""

    messages: list[Message] = field(default_factory=list)  # stored now (a repeated delivery is not)
    statuses: int = 0  # delivery receipts that moved a message's status forward


def apply_events(session: Session, services: Services, wa_session: WhatsAppSession, events: GatewayEvents
                 ) -> Applied:
    """Apply one batch to its session."""
    applied = Applied()
    for message in events.messages:
        if (row := record_inbound(session, services, wa_session, message)) is not None:
            applied.messages.append(row)
    applied.statuses = sum(apply_status(session, wa_session, status) is not None for status in events.statuses)
    if events.session_status:
        apply_gateway_status(session, wa_session, events.session_status)
    return applied


def handle_gateway_callback(session: Session, services: Services, gateway_kind: str, payload: dict) -> dict:
    """Parse an authenticated gateway webhook body and apply it to the sessions it names (unknown ones ignored)."""
    totals = {"received": 0, "statuses": 0}
    try:
        batches = get_gateway(services, gateway_kind).parse_event(payload)
    except (AttributeError, TypeError, KeyError, ValueError, OverflowError):  # signed, but not the gateway's shapes
        raise BadRequest(f"The {gateway_kind} callback body does not have the shape that gateway sends") from None
    for events in batches:
        wa_session = find_by_gateway_ref(session, gateway_kind, events.session_ref) if events.session_ref else None
        if wa_session is None:
            continue  # e.g. a WAHA session this installation does not manage; answering 2xx stops retries
        applied = apply_events(session, services, wa_session, events)
        totals["received"] += len(applied.messages)
        totals["statuses"] += applied.statuses
    return totals


class InvalidSignature(Unauthorized):
    detail = "Invalid webhook signature"


class CallbackNotConfigured(ServiceUnavailable):
    detail = "This gateway callback is not configured"


def _parse_json(raw: bytes) -> dict:
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise BadRequest("The callback body is not JSON") from None
    if not isinstance(payload, dict):
        raise BadRequest("The callback body must be a JSON object")
    return payload


def _named_waha_session(session: Session, raw: bytes) -> WhatsAppSession | None:
    """The session an (unverified) WAHA event names: it decides which key the signature is checked with."""
    try:
        ref = json.loads(raw).get("session")
    except (ValueError, AttributeError, RecursionError):
        return None
    return find_by_gateway_ref(session, "waha", ref) if isinstance(ref, str) else None


async def receive_waha_callback(services: Services, raw: bytes, signature: str | None, algorithm: str | None
                                ) -> dict:
    """A WAHA webhook: check X-Webhook-Hmac (SHA-512 of the raw body), then apply its events.

    Sessions on the operator's WAHA server share REPLYBASE_WAHA_WEBHOOK_SECRET; a session on its own server has its
    own key, so that server can sign events for its session only.
    """
    return await services.group_commit.run(
        lambda session: _receive_waha_callback(session, services, raw, signature, algorithm))


def _receive_waha_callback(session: Session, services: Services, raw: bytes, signature: str | None,
                           algorithm: str | None) -> dict:
    secret = waha.callback_secret(services.settings, _named_waha_session(session, raw))
    if not secret:
        raise CallbackNotConfigured("Set REPLYBASE_WAHA_WEBHOOK_SECRET and the same hmac key in WAHA's webhook "
                                    "config; unsigned WAHA events are refused")
    if not waha.verify_signature(secret, raw, signature, algorithm):
        raise InvalidSignature("Invalid X-Webhook-Hmac signature (expected HMAC-SHA512 of the body)")
    return handle_gateway_callback(session, services, "waha", _parse_json(raw))


async def receive_meta_callback(services: Services, raw: bytes, signature: str | None) -> dict:
    """A Cloud API webhook: check X-Hub-Signature-256 with the app secret, then apply its events."""
    secret = services.settings.meta_app_secret
    if not secret:
        raise CallbackNotConfigured("Set REPLYBASE_META_APP_SECRET (your Meta app's secret); unsigned Cloud API "
                                    "events are refused")
    if not meta.verify_signature(secret, raw, signature):
        raise InvalidSignature("Invalid X-Hub-Signature-256 signature")
    payload = _parse_json(raw)
    return await services.group_commit.run(lambda session: handle_gateway_callback(session, services, "meta", payload))


def verify_meta_subscription(settings: Settings, mode: str | None, token: str | None, challenge: str | None) -> str:
    """Meta's webhook verification: echo hub.challenge when hub.verify_token matches ours."""
    expected = settings.meta_verify_token
    if not expected:
        raise CallbackNotConfigured("Set REPLYBASE_META_VERIFY_TOKEN to the verify token entered in Meta's app "
                                    "dashboard")
    token_matches = bool(token) and hmac.compare_digest(token.encode(), expected.encode())  # bytes: any text
    if mode != "subscribe" or not token_matches or challenge is None:
        raise Forbidden("Webhook verification failed: hub.mode must be subscribe and hub.verify_token must match "
                        "REPLYBASE_META_VERIFY_TOKEN")
    return challenge
