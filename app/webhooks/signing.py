"""Webhook signatures: hex HMAC-SHA256 over f"{timestamp}.{raw_body}" with the webhook's secret."""

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "X-Webhook-Signature"
TIMESTAMP_HEADER = "X-Webhook-Timestamp"
EVENT_HEADER = "X-Webhook-Event"
DELIVERY_HEADER = "X-Webhook-Delivery"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a receiver recomputes: hex HMAC-SHA256 of `{timestamp}.{body}`."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance_seconds: int = 300,
           now: float | None = None) -> bool:
    """True when `signature` matches and `timestamp` is recent (the receiver side, used by tests and docs)."""
    try:
        age = abs((now if now is not None else time.time()) - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance_seconds and hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode())


def signed_headers(secret: str, *, event: str, delivery_id: str, body: bytes,
                   timestamp: int | None = None) -> dict[str, str]:
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    return {
        "Content-Type": "application/json",
        "User-Agent": "Replybase-Webhooks/2",
        SIGNATURE_HEADER: sign(secret, stamp, body),
        TIMESTAMP_HEADER: stamp,
        EVENT_HEADER: event,
        DELIVERY_HEADER: delivery_id,
    }
