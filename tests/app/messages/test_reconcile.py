"""Sends a crash interrupted (stored `queued`, gateway call never recorded) are settled per gateway: found or sent
once on the sandbox and WAHA, `unknown` on Meta, which cannot be asked; never sent twice."""

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from app.common import utcnow
from app.gateways.waha import WahaGateway
from app.messages.models import Message
from app.messages.reconcile import reconcile_sends
from app.sessions.models import WhatsAppSession
from tests.app.gateways.test_meta import customer_writes, meta_session  # noqa: F401 - fixture
from tests.app.gateways.conftest import waha_session  # noqa: F401 - fixture
from tests.app.gateways.test_waha import PHONE


def interrupted_send(client, db, services, tenant, session_id: str, text: str = "Your order shipped") -> str:
    """A message stored queued before its gateway call, whose process then died (the call's outcome unknown)."""
    message = Message(account_id=tenant.account_id, session_id=session_id, chat_id=f"{PHONE}@c.us",
                      direction="out", phone=PHONE, text=text, idempotency_key="order-42", origin="api")
    db.add(message)
    db.flush()
    long_ago = utcnow() - timedelta(seconds=services.settings.gateway_timeout_seconds + 30)
    db.execute(update(Message).where(Message.id == message.id).values(updated_at=long_ago, created_at=long_ago))
    db.commit()
    return message.id


def stored(db, message_id: str) -> Message:
    db.expire_all()
    return db.exec(select(Message).where(Message.id == message_id)).one()


@pytest.fixture
def sandbox_session(client, tenant) -> str:
    return client.post("/api/v2/sessions", json={"name": "Sandbox"}, headers=tenant.headers).json()["id"]


def test_a_recent_send_is_left_alone(client, db, services, tenant, sandbox_session):
    message = Message(account_id=tenant.account_id, session_id=sandbox_session, chat_id=f"{PHONE}@c.us",
                      direction="out", phone=PHONE, text="in flight right now")
    db.add(message)
    db.commit()
    assert reconcile_sends(services) == 0  # its gateway call may still be under way
    assert stored(db, message.id).status == "queued"


def test_an_interrupted_sandbox_send_is_sent_once(client, db, services, tenant, sandbox_session):
    message_id = interrupted_send(client, db, services, tenant, sandbox_session)
    assert reconcile_sends(services) == 1
    message = stored(db, message_id)
    assert message.status == "sent" and message.gateway_message_id.startswith("wamid.")
    assert reconcile_sends(services) == 0
    # The client's retry with the same key now gets that one send.
    retry = client.post("/api/v2/messages/send", headers={**tenant.headers, "Idempotency-Key": "order-42"},
                        json={"session_id": sandbox_session, "phone": PHONE, "message": "Your order shipped"})
    assert retry.json()["result"]["key"]["id"] == message.gateway_message_id


def test_an_interrupted_waha_send_that_went_out_is_found_not_resent(client, db, services, tenant, fake_waha,
                                                                    waha_session):  # noqa: F811
    wa_session = db.get(WhatsAppSession, waha_session)
    went_out = WahaGateway(services.settings).send_text(wa_session, PHONE, "Your order shipped")  # before the crash
    message_id = interrupted_send(client, db, services, tenant, waha_session)
    reconcile_sends(services)
    message = stored(db, message_id)
    assert (message.status, message.gateway_message_id) == ("sent", went_out.gateway_message_id)
    assert len(fake_waha.requests_to("POST", "/api/sendText")) == 1
    lookup = fake_waha.requests_to("GET", f"/api/rb-{waha_session}/chats/{PHONE}%40c.us/messages")
    assert lookup and lookup[0].query["filter.fromMe"] == "true"


def test_an_interrupted_waha_send_that_never_left_is_sent_once(client, db, services, tenant, fake_waha,
                                                               waha_session):  # noqa: F811
    message_id = interrupted_send(client, db, services, tenant, waha_session)
    reconcile_sends(services)
    assert stored(db, message_id).status == "sent"
    assert [r.json()["text"] for r in fake_waha.requests_to("POST", "/api/sendText")] == ["Your order shipped"]


def test_an_interrupted_meta_send_ends_unknown_and_is_never_resent(client, db, services, tenant, fake_meta,
                                                                   meta_session):  # noqa: F811
    customer_writes(client, fake_meta)
    message_id = interrupted_send(client, db, services, tenant, meta_session)
    reconcile_sends(services)
    message = stored(db, message_id)
    assert message.status == "unknown" and "cannot be checked" in message.error
    assert fake_meta.sent == []
    retry = client.post("/api/v2/messages/send", headers={**tenant.headers, "Idempotency-Key": "order-42"},
                        json={"session_id": meta_session, "phone": PHONE, "message": "Your order shipped"})
    assert retry.status_code == 409 and "interrupted" in retry.json()["detail"]
    assert fake_meta.sent == []


def test_a_send_that_timed_out_is_settled_not_failed_and_not_resent(client, db, services, tenant, fake_waha,
                                                                   waha_session, settings):  # noqa: F811
    """WAHA sent it but answered too late: the 504 leaves it queued, and the lookup finds it (no second send)."""
    settings.gateway_timeout_seconds = 0.2
    fake_waha.slow_prefixes = {"Your order": 1.0}
    headers = {**tenant.headers, "Idempotency-Key": "order-7"}
    body = {"session_id": waha_session, "phone": PHONE, "message": "Your order shipped"}
    assert client.post("/api/v2/messages/send", json=body, headers=headers).status_code == 504
    retry = client.post("/api/v2/messages/send", json=body, headers=headers)
    assert retry.status_code == 409 and "still being sent" in retry.json()["detail"]

    [queued] = db.exec(select(Message).where(Message.direction == "out")).all()
    assert queued.status == "queued"
    db.execute(update(Message).where(Message.id == queued.id)
               .values(updated_at=utcnow() - timedelta(seconds=30)))  # the reconciler's wait has passed
    db.commit()
    fake_waha.slow_prefixes = {}
    reconcile_sends(services)
    [went_out] = fake_waha.sent_texts("Your order")
    assert stored(db, queued.id).status == "sent"
    assert len(fake_waha.requests_to("POST", "/api/sendText")) == 1
    assert client.post("/api/v2/messages/send", json=body, headers=headers).json()["result"]["key"]["id"] == (
        stored(db, queued.id).gateway_message_id)
