"""One delivery attempt: re-check the URL, POST the signed body, record the outcome, schedule the retry."""

import logging
from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlmodel import Session

from app.common import utcnow
from app.jobs.queue import enqueue
from app.jobs.claiming import backoff_seconds
from app.metrics import record_webhook_delivery
from app.net import UnsafeUrl, public_http_client
from app.state import Services
from app.webhooks.models import Webhook, WebhookDelivery
from app.webhooks.repository import get_delivery_unscoped
from app.webhooks.signing import signed_headers

logger = logging.getLogger("replybase.webhooks")
FIRST_RETRY_SECONDS = 2.0
MAX_RETRY_SECONDS = 3600.0
SNIPPET_CHARS = 500


def _read_snippet(response: httpx.Response) -> str:
    """The start of the answer, without reading all of a huge one."""
    head = b""
    for chunk in response.iter_bytes():
        head += chunk
        if len(head) >= SNIPPET_CHARS * 4:
            break
    text = head.decode(response.encoding or "utf-8", errors="replace")
    return text.replace("\x00", "")[:SNIPPET_CHARS]  # PostgreSQL text cannot hold NUL


def _post(services: Services, webhook: Webhook, delivery: WebhookDelivery) -> tuple[int | None, str | None, str]:
    """(status code, error, response snippet); an error means the attempt failed."""
    body = delivery.body.encode()
    try:
        headers = signed_headers(webhook.secret, event=delivery.event, delivery_id=delivery.id, body=body)
        # Checked again at connect time: the host may now resolve somewhere else (DNS rebinding).
        with public_http_client(timeout=services.settings.webhook_timeout_seconds,
                                allow_private=services.settings.allow_private_urls, what="webhook URL") as client:
            with client.stream("POST", webhook.url, content=body, headers=headers) as response:
                snippet = _read_snippet(response)
    except UnsafeUrl as exc:
        return None, exc.detail, ""
    except httpx.TimeoutException:
        return None, f"timed out after {services.settings.webhook_timeout_seconds:g} s", ""
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:1000], ""
    if 200 <= response.status_code < 300:
        return response.status_code, None, snippet
    return response.status_code, f"receiver answered HTTP {response.status_code}", snippet


def attempt_delivery(session: Session, services: Services, delivery_id: str) -> None:
    """Attempt one pending delivery; on failure schedule the next attempt or, past the retry window, give up."""
    delivery = get_delivery_unscoped(session, delivery_id)
    if delivery is None or delivery.status != "pending":
        return  # deleted with its webhook, or already settled by an earlier run of this job
    webhook = session.get(Webhook, delivery.webhook_id)
    # End the read transaction before the HTTP call: no lock or stale snapshot is held while the receiver thinks,
    # so recording the outcome afterwards cannot fail (and cause a second POST) because others wrote meanwhile.
    session.commit()
    started = utcnow()
    if webhook is None or not webhook.is_active:
        status_code, error, snippet = None, "webhook is disabled", ""
    else:
        status_code, error, snippet = _post(services, webhook, delivery)
    attempts = delivery.attempts + 1
    values = {"attempts": attempts, "last_attempt_at": started, "last_status_code": status_code,
              "last_error": error, "response_snippet": snippet or None}
    if error is None:
        values |= {"status": "delivered", "delivered_at": utcnow(), "next_attempt_at": None}
    elif started - delivery.created_at >= timedelta(hours=services.settings.webhook_retry_hours):
        values |= {"status": "failed", "next_attempt_at": None}
        logger.warning("webhook delivery %s gave up after %s attempts: %s", delivery.id, attempts, error)
    else:
        values["next_attempt_at"] = started + timedelta(
            seconds=backoff_seconds(attempts, FIRST_RETRY_SECONDS, MAX_RETRY_SECONDS))
    # A write first, so the transaction takes the write lock at once instead of upgrading a read.
    recorded = session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery.id,
                                                             WebhookDelivery.status == "pending").values(**values))
    if recorded.rowcount == 1:  # else another run of this job settled it first, and counted it
        record_webhook_delivery(values.get("status", "retry"))
        if "status" not in values:
            enqueue(session, "webhooks.deliver", {"delivery_id": delivery.id}, run_at=values["next_attempt_at"],
                    account_id=delivery.account_id)
    session.flush()
