import json
from datetime import timedelta

import pytest
from sqlmodel import select

from app.common import utcnow
from app.gateways.base import InboundMessage, StatusUpdate
from app.jobs.models import Job
from app.messages.models import Message
from app.messages.service import SessionNotWorking, apply_status, record_inbound, send_message
from app.sessions.models import WhatsAppSession
from app.webhooks.models import Webhook, WebhookDelivery


@pytest.fixture
def wa_session(db, tenant):
    row = WhatsAppSession(account_id=tenant.account_id, name="Shop", gateway="sandbox", status="working",
                          phone_number="15550001111")
    db.add(row)
    db.flush()
    return row


@pytest.fixture
def hook(db, tenant):
    row = Webhook(account_id=tenant.account_id, url="http://127.0.0.1:9/hooks", secret="s",
                  events=["message.received", "message.sent", "message.status", "session.status"])
    db.add(row)
    db.flush()
    return row


def events_sent(db) -> list[tuple[str, dict]]:
    rows = db.exec(select(WebhookDelivery).order_by(WebhookDelivery.created_at)).all()
    return [(row.event, json.loads(row.body)["data"]) for row in rows]


def test_send_message_is_callable_by_other_areas(db, services, tenant, wa_session, hook):
    result = send_message(services, tenant.account_id, session_id=wa_session.id, phone="15551234567",
                          message="Your order shipped", origin="scheduled")
    assert result.message_id.startswith("wamid.")
    assert result.remote_jid == "15551234567@s.whatsapp.net"
    stored = db.exec(select(Message)).one()
    assert (stored.status, stored.origin, stored.direction) == ("sent", "scheduled", "out")
    assert [event for event, _ in events_sent(db)] == ["message.sent"]
    assert events_sent(db)[0][1]["message_id"] == result.message_id


def test_send_message_raises_clear_errors(db, services, tenant, wa_session):
    wa_session.status = "failed"
    db.flush()  # sending reads in a transaction of its own
    with pytest.raises(SessionNotWorking, match="restart"):
        send_message(services, tenant.account_id, session_id=wa_session.id, phone="15551234567",
                     message="hi")
    with pytest.raises(Exception, match="invalid phone '\\+1 555'"):
        send_message(services, tenant.account_id, session_id=wa_session.id, phone="+1 555", message="hi")


def inbound(message_id="wamid.IN1", **fields) -> InboundMessage:
    return InboundMessage(**{"gateway_message_id": message_id, "phone": "15551234567", "text": "Hi!",
                             "name": "Ana", **fields})


def test_record_inbound_stores_emits_and_enqueues_once(db, services, wa_session, hook):
    message = record_inbound(db, services, wa_session, inbound())
    assert message is not None and message.direction == "in"
    assert record_inbound(db, services, wa_session, inbound()) is None  # a duplicate delivery does nothing
    assert len(db.exec(select(Message)).all()) == 1
    assert [event for event, _ in events_sent(db)] == ["message.received"]
    assert events_sent(db)[0][1]["text"] == "Hi!"
    jobs = db.exec(select(Job).where(Job.kind == "messages.received")).all()
    assert [job.payload for job in jobs] == [{"message_id": message.id}]


def test_statuses_only_move_forward(db, services, tenant, wa_session, hook):
    sent = send_message(services, tenant.account_id, session_id=wa_session.id, phone="15551234567",
                        message="hi")
    assert apply_status(db, wa_session, StatusUpdate(sent.message_id, "read")).status == "read"
    assert apply_status(db, wa_session, StatusUpdate(sent.message_id, "delivered")) is None
    assert apply_status(db, wa_session, StatusUpdate(sent.message_id, "failed")) is None
    assert apply_status(db, wa_session, StatusUpdate("wamid.unknown", "read")) is None
    assert db.get(Message, sent.message.id).status == "read"
    assert [event for event, _ in events_sent(db)] == ["message.sent", "message.status"]


def test_failed_status_keeps_the_gateway_error(db, services, tenant, wa_session):
    sent = send_message(services, tenant.account_id, session_id=wa_session.id, phone="15551234567",
                        message="hi")
    apply_status(db, wa_session, StatusUpdate(sent.message_id, "failed", "Message undeliverable"))
    stored = db.get(Message, sent.message.id)
    assert (stored.status, stored.error) == ("failed", "Message undeliverable")


def test_inbound_keeps_the_gateway_timestamp(db, services, wa_session):
    earlier = utcnow() - timedelta(hours=3)
    message = record_inbound(db, services, wa_session, inbound(timestamp=earlier))
    assert abs((message.timestamp - earlier).total_seconds()) < 1
