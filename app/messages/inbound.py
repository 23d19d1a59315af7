"""Gateway callbacks -> stored messages, statuses and session statuses; every gateway's events come through here.

Each callback is one unit of work of its own, committed before the response is written: a burst of them queues for
SQLite's single writer, and a request-scoped transaction would hold it across the event loop's round trips.
"""

import hmac
import json

from sqlmodel import Session

from app.config import Settings
from app.db import unit_of_work
from app.errors import BadRequest, Forbidden, ServiceUnavailable, Unauthorized
from app.gateways import meta, waha
from app.gateways.base import GatewayEvents
from app.gateways.registry import get_gateway
from app.messages.service import apply_status, record_inbound
from app.sessions.models import WhatsAppSession
from app.sessions.repository import find_by_gateway_ref
from app.sessions.service import apply_gateway_status
from app.state import Services


def apply_events(session: Session, services: Services, wa_session: WhatsAppSession, events: GatewayEvents) -> dict:
    """Apply one batch to its session; returns counts of what changed."""
    received = sum(record_inbound(session, services, wa_session, message) is not None
                   for message in events.messages)
    updated = sum(apply_status(session, wa_session, status) is not None for status in events.statuses)
    if events.session_status:
        apply_gateway_status(session, wa_session, events.session_status)
    return {"received": received, "statuses": updated}


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
        for key, count in apply_events(session, services, wa_session, events).items():
            totals[key] += count
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


def receive_waha_callback(services: Services, raw: bytes, signature: str | None, algorithm: str | None) -> dict:
    """A WAHA webhook: check X-Webhook-Hmac (SHA-512 of the raw body), then apply its events.

    Sessions on the operator's WAHA server share REPLYBASE_WAHA_WEBHOOK_SECRET; a session on its own server has its
    own key, so that server can sign events for its session only.
    """
    with unit_of_work(services.session_factory) as session:
        return _receive_waha_callback(session, services, raw, signature, algorithm)


def _receive_waha_callback(session: Session, services: Services, raw: bytes, signature: str | None,
                           algorithm: str | None) -> dict:
    secret = waha.callback_secret(services.settings, _named_waha_session(session, raw))
    if not secret:
        raise CallbackNotConfigured("Set REPLYBASE_WAHA_WEBHOOK_SECRET and the same hmac key in WAHA's webhook "
                                    "config; unsigned WAHA events are refused")
    if not waha.verify_signature(secret, raw, signature, algorithm):
        raise InvalidSignature("Invalid X-Webhook-Hmac signature (expected HMAC-SHA512 of the body)")
    return handle_gateway_callback(session, services, "waha", _parse_json(raw))


def receive_meta_callback(services: Services, raw: bytes, signature: str | None) -> dict:
    """A Cloud API webhook: check X-Hub-Signature-256 with the app secret, then apply its events."""
    secret = services.settings.meta_app_secret
    if not secret:
        raise CallbackNotConfigured("Set REPLYBASE_META_APP_SECRET (your Meta app's secret); unsigned Cloud API "
                                    "events are refused")
    if not meta.verify_signature(secret, raw, signature):
        raise InvalidSignature("Invalid X-Hub-Signature-256 signature")
    payload = _parse_json(raw)
    with unit_of_work(services.session_factory) as session:
        return handle_gateway_callback(session, services, "meta", payload)


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
