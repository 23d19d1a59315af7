import socket
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from app.common import utcnow
from app.gateways.base import GatewayError
from app.gateways.sandbox import SandboxGateway
from app.jobs import liveness
from app.jobs.models import Job, WorkerProcess
from app.jobs.worker import drain
from app.scheduled import firing
from tests.app.jobs.test_liveness import dead_pid
from tests.app.scheduled.conftest import in_minutes, make_due, sent_messages

BASE = "/api/v2/scheduled-messages"


def schedule(client, tenant, wa_session, **body) -> dict:
    response = client.post(BASE, json={"session_id": wa_session, "message": "Hi {name}!",
                                       "scheduled_at": in_minutes(1)} | body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()


def group_of(client, tenant, contacts) -> str:
    response = client.post("/api/v2/custom-groups", json={"name": "VIP", "contacts": contacts},
                           headers=tenant.headers)
    return response.json()["id"]


def test_nothing_fires_before_its_time(client, tenant, wa_session, run_jobs, services):
    created = schedule(client, tenant, wa_session, phone="15551234567")
    run_jobs()
    assert client.get(f"{BASE}/{created['id']}", headers=tenant.headers).json()["status"] == "pending"
    assert sent_messages(services) == []


def test_a_due_message_is_sent_once(client, tenant, wa_session, run_jobs, services):
    created = schedule(client, tenant, wa_session, phone="15551234567", message="Your order is ready")
    make_due(services)
    run_jobs()
    run_jobs()
    [message] = sent_messages(services)
    assert (message.phone, message.text, message.status) == ("15551234567", "Your order is ready", "sent")
    fired = client.get(f"{BASE}/{created['id']}", headers=tenant.headers).json()
    assert fired["status"] == "sent" and fired["run_count"] == 1 and fired["last_sent"] == 1
    assert fired["next_run_at"] is None and fired["last_error"] is None


def test_two_workers_racing_fire_it_once(client, tenant, wa_session, services):
    created = schedule(client, tenant, wa_session, phone="15551234567")
    make_due(services)
    now = utcnow()
    with services.session_factory() as first, services.session_factory() as second:
        assert [row_id for row_id, _ in firing.claim(first, now)] == [created["id"]]
        first.commit()
        assert firing.claim(second, now) == []  # the first worker has it
        second.rollback()
    assert firing.enqueue_due(services) == 0  # held: the other worker's fire job is on it
    firing.fire(services, created["id"])
    assert firing.enqueue_due(services) == 0
    assert len(sent_messages(services)) == 1


def test_a_claim_takes_at_most_its_batch(client, tenant, wa_session, services):
    ids = [schedule(client, tenant, wa_session, phone="15551234567")["id"] for _ in range(3)]
    make_due(services)
    with services.session_factory() as session:
        first = firing.claim(session, utcnow(), limit=2)
        rest = firing.claim(session, utcnow(), limit=2)
    assert len(first) == 2 and len(rest) == 1 and sorted(row_id for row_id, _ in first + rest) == sorted(ids)


def test_a_worker_that_dies_mid_send_is_recovered_without_double_sends(client, tenant, wa_session, services,
                                                                       monkeypatch):
    group_id = group_of(client, tenant, [{"phone": "15550000001", "name": "Ana"},
                                         {"phone": "15550000002", "name": "Bo"},
                                         {"phone": "15550000003"}])
    created = schedule(client, tenant, wa_session, group_id=group_id)
    make_due(services)
    real_send, calls = firing.send_safely, []

    def dies_after_two(*args, **kwargs):
        if len(calls) == 2:
            raise KeyboardInterrupt("worker killed")
        calls.append(kwargs["phone"])
        return real_send(*args, **kwargs)

    monkeypatch.setattr(firing, "send_safely", dies_after_two)
    assert firing.enqueue_due(services) == 1
    with services.session_factory() as session:  # a worker process takes the fire job, then is killed mid-send
        job = session.exec(select(Job).where(Job.kind == firing.FIRE_JOB)).one()
        worker = WorkerProcess(id="killed", hostname=socket.gethostname(), pid=dead_pid(), lanes={"outreach": 1})
        job.status, job.attempts, job.locked_by = "running", 1, worker.id
        job.locked_until = utcnow() + timedelta(minutes=5)
        session.add_all([worker, job])
        session.commit()
    with pytest.raises(KeyboardInterrupt):
        firing.fire(services, created["id"])
    monkeypatch.setattr(firing, "send_safely", real_send)
    assert len(sent_messages(services)) == 2

    assert firing.enqueue_due(services) == 0  # still held by its fire job
    assert liveness.reap(services) == 1  # the next worker to start takes the job back at once, no lease to wait
    drain(services)

    messages = sent_messages(services)
    assert sorted(m.text for m in messages) == ["Hi !", "Hi Ana!", "Hi Bo!"]
    fired = client.get(f"{BASE}/{created['id']}", headers=tenant.headers).json()
    assert fired["status"] == "sent" and fired["run_count"] == 1 and fired["last_sent"] == 3


def test_one_failing_recipient_does_not_stop_the_rest(client, tenant, wa_session, services, monkeypatch):
    group_id = group_of(client, tenant, [{"phone": "15550000001", "name": "Ana"}, {"phone": "15550000002"}])
    real_send_text = SandboxGateway.send_text

    def flaky(self, wa_session, phone, text):
        if phone == "15550000001":
            raise GatewayError("The WhatsApp gateway failed: 500")
        return real_send_text(self, wa_session, phone, text)

    monkeypatch.setattr(SandboxGateway, "send_text", flaky)
    created = schedule(client, tenant, wa_session, group_id=group_id)
    make_due(services)
    drain(services)
    fired = client.get(f"{BASE}/{created['id']}", headers=tenant.headers).json()
    assert fired["status"] == "sent" and (fired["last_sent"], fired["last_failed"]) == (1, 1)
    assert fired["last_error"] == "15550000001: The WhatsApp gateway failed: 500"
    assert sorted((m.phone, m.status) for m in sent_messages(services)) == [
        ("15550000001", "failed"), ("15550000002", "sent")]


def test_a_stopped_session_marks_it_failed(client, tenant, wa_session, services):
    created = schedule(client, tenant, wa_session, phone="15551234567")
    client.post(f"/api/v2/sessions/{wa_session}/stop", headers=tenant.headers)
    make_due(services)
    drain(services)
    fired = client.get(f"{BASE}/{created['id']}", headers=tenant.headers).json()
    assert fired["status"] == "failed" and "not working" in fired["last_error"]


def test_a_recurring_message_fires_and_stays_pending(client, tenant, wa_session, services):
    created = schedule(client, tenant, wa_session, phone="15551234567", cron="0 9 * * *",
                       timezone="America/New_York")
    make_due(services)
    drain(services)
    fired = client.get(f"{BASE}/{created['id']}", headers=tenant.headers).json()
    assert fired["status"] == "pending" and fired["run_count"] == 1 and fired["last_sent"] == 1
    next_local = datetime.fromisoformat(fired["next_run_at"]).astimezone(ZoneInfo("America/New_York"))
    assert (next_local.hour, next_local.minute) == (9, 0)
    assert timedelta(0) < datetime.fromisoformat(fired["next_run_at"]) - utcnow() <= timedelta(days=1)
    drain(services)  # not due again until tomorrow
    assert len(sent_messages(services)) == 1

    make_due(services)
    drain(services)
    assert client.get(f"{BASE}/{created['id']}", headers=tenant.headers).json()["run_count"] == 2
    assert len(sent_messages(services)) == 2


def test_cancelled_messages_never_fire(client, tenant, wa_session, services):
    created = schedule(client, tenant, wa_session, phone="15551234567")
    client.delete(f"{BASE}/{created['id']}", headers=tenant.headers)
    make_due(services)
    drain(services)
    assert sent_messages(services) == []


def test_a_sent_message_cannot_be_cancelled_but_can_be_deleted(client, tenant, wa_session, services):
    created = schedule(client, tenant, wa_session, phone="15551234567")
    make_due(services)
    drain(services)
    response = client.post(f"{BASE}/{created['id']}/cancel", headers=tenant.headers)
    assert response.status_code == 409
    assert response.json() == {"detail": "This scheduled message is already sent; there is nothing left to cancel"}
    history = client.get(f"{BASE}/{created['id']}/history", headers=tenant.headers).json()
    assert [(run["run"], run["phone"], run["status"]) for run in history["items"]] == [(1, "15551234567", "sent")]
    assert client.delete(f"{BASE}/{created['id']}", headers=tenant.headers).status_code == 204
