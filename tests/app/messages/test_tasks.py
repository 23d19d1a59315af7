from sqlmodel import select

from app.jobs.models import Job


def test_an_inbound_message_is_processed_once_in_the_background(client, tenant, db, run_jobs):
    session_id = client.post("/api/v2/sessions", json={"name": "Shop"}, headers=tenant.headers).json()["id"]
    body = {"session_id": session_id, "phone": "15551234567", "message": "Hi", "message_id": "wamid.X1"}
    client.post("/api/v2/sandbox/inbound", json=body, headers=tenant.headers)
    client.post("/api/v2/sandbox/inbound", json=body, headers=tenant.headers)  # duplicate: no second job
    run_jobs()
    jobs = db.exec(select(Job).where(Job.kind == "messages.received")).all()
    assert [job.status for job in jobs] == ["done"]
