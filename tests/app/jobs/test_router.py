"""Failed background work, as an account sees it through the API, and the operator's retry and purge."""

from datetime import timedelta

from sqlmodel import select

from app.common import utcnow
from app.jobs.models import Job
from app.jobs.queue import enqueue
from app.jobs.retention import purge_finished_jobs


def failed_job(db, account_id: str, error: str = "ValueError: the receiver is gone") -> Job:
    job = enqueue(db, "webhooks.deliver", {"delivery_id": "d1"}, account_id=account_id)
    job.status, job.attempts, job.last_error, job.finished_at = "failed", 5, error, utcnow()
    db.add(job)
    db.commit()
    return job


def test_an_account_sees_its_failed_jobs_and_retries_them(client, db, tenant, other_tenant):
    job = failed_job(db, tenant.account_id)
    failed_job(db, other_tenant.account_id, "another account's trouble")
    page = client.get("/api/v2/jobs?status=failed", headers=tenant.headers).json()
    assert page["total"] == 1
    [item] = page["items"]
    assert (item["id"], item["kind"], item["lane"], item["last_error"]) == (
        job.id, "webhooks.deliver", "outreach", "ValueError: the receiver is gone")

    retried = client.post(f"/api/v2/jobs/{job.id}/retry", headers=tenant.headers)
    assert retried.status_code == 200
    assert (retried.json()["status"], retried.json()["attempts"]) == ("queued", 0)
    again = client.post(f"/api/v2/jobs/{job.id}/retry", headers=tenant.headers)
    assert again.status_code == 409 and "only a failed job" in again.json()["detail"]


def test_another_accounts_job_reads_as_missing(client, db, tenant, other_tenant):
    job = failed_job(db, other_tenant.account_id)
    assert client.post(f"/api/v2/jobs/{job.id}/retry", headers=tenant.headers).status_code == 404


def test_finished_jobs_are_purged_after_the_retention_period(db, services, tenant):
    old = failed_job(db, tenant.account_id)
    old.finished_at = utcnow() - timedelta(days=8)
    recent = failed_job(db, tenant.account_id)
    waiting = enqueue(db, "webhooks.deliver", {"delivery_id": "d2"}, account_id=tenant.account_id)
    waiting.created_at = utcnow() - timedelta(days=30)
    db.add_all([old, waiting])
    db.commit()
    assert purge_finished_jobs(services) == 1
    remaining = set(db.exec(select(Job.id)).all())
    assert old.id not in remaining and {recent.id, waiting.id} <= remaining
