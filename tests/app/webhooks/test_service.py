from typing import get_args

import pytest
from sqlmodel import select

from app.jobs.models import Job
from app.webhooks.events import EVENTS, WebhookEvent
from app.webhooks.models import Webhook, WebhookDelivery
from app.webhooks.service import emit_event


def add_webhook(session, account_id, events, *, active=True) -> Webhook:
    webhook = Webhook(account_id=account_id, url="http://127.0.0.1:9/h", events=events, secret="whsec_x",
                      is_active=active)
    session.add(webhook)
    session.flush()
    return webhook


def test_emit_writes_one_delivery_per_subscribed_active_webhook(db, tenant, other_tenant):
    subscribed = add_webhook(db, tenant.account_id, ["message.received", "message.sent"])
    add_webhook(db, tenant.account_id, ["message.sent"])
    add_webhook(db, tenant.account_id, ["message.received"], active=False)
    add_webhook(db, other_tenant.account_id, ["message.received"])

    emit_event(db, tenant.account_id, "message.received", {"phone": "15551234567", "message": "hi"})

    deliveries = db.exec(select(WebhookDelivery)).all()
    assert [d.webhook_id for d in deliveries] == [subscribed.id]
    jobs = db.exec(select(Job).where(Job.kind == "webhooks.deliver")).all()
    assert [j.payload for j in jobs] == [{"delivery_id": deliveries[0].id}]


def test_nothing_is_queued_when_the_callers_transaction_rolls_back(services, tenant):
    with services.session_factory() as session:
        add_webhook(session, tenant.account_id, ["message.received"])
        session.commit()
    with services.session_factory() as session:
        emit_event(session, tenant.account_id, "message.received", {})
        session.rollback()
    with services.session_factory() as session:
        assert session.exec(select(WebhookDelivery)).all() == []
        assert session.exec(select(Job).where(Job.kind == "webhooks.deliver")).all() == []


def test_no_webhooks_means_no_rows(db, tenant):
    emit_event(db, tenant.account_id, "document.ready", {"id": "d1"})
    assert db.exec(select(WebhookDelivery)).all() == []


def test_unknown_event_is_a_programming_error(db, tenant):
    with pytest.raises(ValueError, match="unknown webhook event"):
        emit_event(db, tenant.account_id, "message.recieved", {})


def test_the_event_list_covers_every_area():
    assert set(EVENTS) == {"message.received", "message.sent", "message.status", "session.status",
                           "ai.reply.sent", "ai.reply.drafted", "ai.handoff", "document.ready", "document.failed",
                           # MoltFlow's names (derived from ours; lead.detected is accepted, never sent)
                           "session.connected", "session.disconnected", "message.delivered", "message.read",
                           "group.message", "lead.detected"}
    assert set(EVENTS) == set(get_args(WebhookEvent))
