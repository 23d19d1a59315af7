from datetime import timedelta

from sqlmodel import select

from app.common import utcnow
from app.gateways.base import GatewayError
from app.gateways.sandbox import SandboxGateway
from app.jobs.models import Job
from app.messages.models import Message
from tests.jobs import fast_forward

BASE = "/api/v2/messages/bulk"


def start(client, tenant, **body) -> dict:
    response = client.post(BASE, json={"message": "Hi {name}!"} | body, headers=tenant.headers)
    assert response.status_code == 202, response.text
    return response.json()


def run_until_finished(client, tenant, run_jobs, job_id: str) -> dict:
    for _ in range(50):
        run_jobs()
        detail = client.get(f"{BASE}/{job_id}", headers=tenant.headers).json()
        if detail["status"] in ("completed", "cancelled"):
            return detail
    raise AssertionError(f"bulk job still {detail['status']}")


def bulk_messages(services) -> list[Message]:
    with services.session_factory() as session:
        return list(session.exec(select(Message).where(Message.origin == "bulk").order_by(Message.created_at)))


def queued_steps(services) -> list[Job]:
    with services.session_factory() as session:
        return list(session.exec(select(Job).where(Job.kind == "bulk.send_next", Job.status == "queued")))


def test_sends_to_everyone_with_names(client, growth_tenant, wa_session, run_jobs, services, fast_pace):
    job = start(client, growth_tenant, session_id=wa_session, fallback_name="friend",
                contacts=[{"phone": "15550000001", "name": "Ana"}, {"phone": "15550000002"}])
    detail = run_until_finished(client, growth_tenant, run_jobs, job["id"])
    assert (detail["status"], detail["sent"], detail["failed"], detail["pending"]) == ("completed", 2, 0, 0)
    assert detail["started_at"] and detail["finished_at"]
    assert all(r["status"] == "sent" and r["message_id"].startswith("wamid.") for r in detail["recipients"])
    assert [(m.phone, m.text, m.status) for m in bulk_messages(services)] == [
        ("15550000001", "Hi Ana!", "sent"), ("15550000002", "Hi friend!", "sent")]


def test_one_failed_recipient_does_not_stop_the_rest(client, growth_tenant, wa_session, run_jobs, services,
                                                     fast_pace, monkeypatch):
    real_send_text = SandboxGateway.send_text

    def flaky(self, wa_session, phone, text):
        if phone == "15550000002":
            raise GatewayError("The WhatsApp gateway failed: number is not on WhatsApp")
        return real_send_text(self, wa_session, phone, text)

    monkeypatch.setattr(SandboxGateway, "send_text", flaky)
    job = start(client, growth_tenant, session_id=wa_session, phones=["15550000001", "15550000002", "15550000003"])
    detail = run_until_finished(client, growth_tenant, run_jobs, job["id"])
    assert (detail["status"], detail["sent"], detail["failed"]) == ("completed", 2, 1)
    assert [(r["phone"], r["status"]) for r in detail["recipients"]] == [
        ("15550000001", "sent"), ("15550000002", "failed"), ("15550000003", "sent")]
    assert detail["recipients"][1]["error"] == "The WhatsApp gateway failed: number is not on WhatsApp"


def test_sends_are_paced_per_session(client, growth_tenant, wa_session, run_jobs, services):
    # One every ~30 s: far beyond what a slow machine spends in one run_jobs(), so the next step is never due yet.
    services.settings.bulk_messages_per_minute = 2
    first = start(client, growth_tenant, session_id=wa_session, phones=["15550000001", "15550000002"])
    run_jobs()
    progress = client.get(f"{BASE}/{first['id']}", headers=growth_tenant.headers).json()
    assert (progress["status"], progress["sent"], progress["pending"]) == ("running", 1, 1)
    [step] = queued_steps(services)
    # 80-120% of the interval after the first step was due (a metronome: the step's own time is not added).
    assert timedelta(seconds=20) <= step.run_at - utcnow() <= timedelta(seconds=36)

    # A second job on the same session waits its turn too.
    second = start(client, growth_tenant, session_id=wa_session, phones=["15550000003"])
    run_jobs()
    assert client.get(f"{BASE}/{second['id']}", headers=growth_tenant.headers).json()["sent"] == 0
    assert len(bulk_messages(services)) == 1
    assert all(step.run_at > utcnow() + timedelta(seconds=1) for step in queued_steps(services))


def test_cancel_stops_the_rest(client, growth_tenant, wa_session, run_jobs, services):
    services.settings.bulk_messages_per_minute = 20
    job = start(client, growth_tenant, session_id=wa_session, phones=["15550000001", "15550000002",
                                                                      "15550000003"])
    run_jobs()
    client.post(f"{BASE}/{job['id']}/cancel", headers=growth_tenant.headers)
    services.settings.bulk_messages_per_minute = 60_000_000
    with services.session_factory() as session:  # let the waiting step run now
        for step in session.exec(select(Job).where(Job.kind == "bulk.send_next", Job.status == "queued")):
            step.run_at = utcnow()
            session.add(step)
        session.commit()
    run_jobs()
    detail = client.get(f"{BASE}/{job['id']}", headers=growth_tenant.headers).json()
    assert (detail["status"], detail["sent"]) == ("cancelled", 1)
    assert [r["status"] for r in detail["recipients"]] == ["sent", "cancelled", "cancelled"]
    assert len(bulk_messages(services)) == 1
    assert queued_steps(services) == []


def test_a_stopped_session_pauses_the_job_and_a_restart_resumes_it(client, growth_tenant, wa_session, run_jobs,
                                                                   services, fast_pace):
    headers = growth_tenant.headers
    services.settings.bulk_messages_per_minute = 20  # one send per run, so the stop lands mid-job
    job = start(client, growth_tenant, session_id=wa_session, phones=["15550000001", "15550000002", "15550000003"])
    run_jobs()
    assert client.post(f"/api/v2/sessions/{wa_session}/stop", headers=headers).json()["status"] == "stopped"
    fast_forward(services)
    run_jobs()
    paused = client.get(f"{BASE}/{job['id']}", headers=headers).json()
    assert (paused["status"], paused["sent"], paused["failed"], paused["pending"]) == ("paused", 1, 0, 2)
    assert [r["status"] for r in paused["recipients"]] == ["sent", "pending", "pending"]
    [recheck] = queued_steps(services)
    assert recheck.run_at - utcnow() > timedelta(seconds=30)  # it looks again later, not in a busy loop

    assert client.post(f"/api/v2/sessions/{wa_session}/restart", headers=headers).json()["status"] == "working"
    services.settings.bulk_messages_per_minute = 60_000_000
    for _ in range(5):
        fast_forward(services)
        run_jobs()
    done = client.get(f"{BASE}/{job['id']}", headers=headers).json()
    assert (done["status"], done["sent"], done["failed"]) == ("completed", 3, 0)
    assert [m.phone for m in bulk_messages(services)] == ["15550000001", "15550000002", "15550000003"]


def test_a_gateway_that_lost_its_session_pauses_instead_of_failing_everyone(client, growth_tenant, wa_session,
                                                                            run_jobs, services, fast_pace,
                                                                            monkeypatch):
    from app.gateways.base import SessionNotConnected

    def logged_out(self, wa_session, to, text):
        raise SessionNotConnected("WAHA says session 'rb-x' is not connected")

    monkeypatch.setattr(SandboxGateway, "send_text", logged_out)
    job = start(client, growth_tenant, session_id=wa_session, phones=["15550000001", "15550000002"])
    run_jobs()
    detail = client.get(f"{BASE}/{job['id']}", headers=growth_tenant.headers).json()
    assert (detail["status"], detail["failed"], detail["pending"]) == ("paused", 0, 2)
    assert bulk_messages(services) == []  # no failed message per retry: the recipients did nothing wrong
    assert client.post(f"{BASE}/{job['id']}/cancel", headers=growth_tenant.headers).json()["status"] == "cancelled"


def test_a_job_paused_for_a_day_is_cancelled(client, growth_tenant, wa_session, run_jobs, services, fast_pace):
    client.post(f"/api/v2/sessions/{wa_session}/stop", headers=growth_tenant.headers)
    job = start_on_stopped_session(services, growth_tenant, wa_session, ["15550000001", "15550000002"])
    run_jobs()
    assert client.get(f"{BASE}/{job}", headers=growth_tenant.headers).json()["status"] == "paused"
    with services.session_factory() as session:  # as if the job had been waiting since yesterday
        [step] = session.exec(select(Job).where(Job.kind == "bulk.send_next", Job.status == "queued")).all()
        step.payload = step.payload | {"paused_since": (utcnow() - timedelta(hours=25)).isoformat()}
        step.run_at = utcnow()
        session.add(step)
        session.commit()
    run_jobs()
    detail = client.get(f"{BASE}/{job}", headers=growth_tenant.headers).json()
    assert detail["status"] == "cancelled" and queued_steps(services) == []
    assert {(r["status"], r["error"]) for r in detail["recipients"]} == {
        ("cancelled", "not sent: the session did not work again within 24 hours")}


def start_on_stopped_session(services, tenant, session_id: str, phones: list[str]) -> str:
    """A job whose session stops before its first send (the API refuses to start one on a stopped session)."""
    from app.bulk.models import BulkJob, BulkRecipient
    from app.jobs.queue import enqueue

    with services.session_factory() as session:
        job = BulkJob(account_id=tenant.account_id, session_id=session_id, message="Hi", total=len(phones))
        session.add(job)
        session.flush()
        session.add_all(BulkRecipient(account_id=tenant.account_id, bulk_job_id=job.id, session_id=session_id,
                                      position=i, phone=phone) for i, phone in enumerate(phones))
        enqueue(session, "bulk.send_next", {"bulk_job_id": job.id})
        session.commit()
        return job.id
