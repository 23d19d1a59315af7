"""Bulk pacing: the send rate a bulk job really reaches against REPLYBASE_BULK_MESSAGES_PER_MINUTE, through the real
worker (lanes, wake-ups, one job per recipient) on a SQLite file and the sandbox gateway.

    python bench/bulk_pacing.py [--rates 120 300 600] [--recipients 30]

Prints, per nominal rate, the measured rate over the whole job (first to last send) and the ratio measured/nominal
(1.00 is exact; the per-gap jitter of 80-120% averages out), and the gaps' median and 95th percentile against the
nominal interval.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import common  # noqa: F401 - puts the repository on sys.path and keeps the model offline
from sqlmodel import select

from app.apikeys.scopes import ALL_SCOPES
from app.auth.principal import Principal
from app.auth.service import create_account_with_owner
from app.bootstrap import build_services
from app.bulk.models import BulkJob, BulkRecipient
from app.bulk.schemas import BulkCreate
from app.bulk.service import create_bulk
from app.config import Settings
from app.jobs.worker import Worker
from app.sessions.schemas import SessionCreate
from app.sessions.service import create_session


def run(rate: float, recipients: int, data_dir: Path) -> list[float]:
    """Send one bulk job at `rate` per minute; returns the send times (seconds)."""
    settings = Settings(_env_file=None, data_dir=data_dir, run_workers=False, bulk_messages_per_minute=rate,
                        embedding_provider="hash")
    services = build_services(settings)
    with services.session_factory() as session:
        account, _ = create_account_with_owner(session, email="bench@example.com", password="password-123",
                                               account_name="Pacing", plan="business")
        session.commit()
    principal = Principal(account_id=account.id, plan="business", scopes=frozenset(ALL_SCOPES))
    wa_session = create_session(services, principal, SessionCreate(name="Shop"))
    worker = Worker(services, slots={"outreach": 2})
    worker.start()
    try:
        with services.session_factory() as session:
            job = create_bulk(session, settings, principal, BulkCreate(
                session_id=wa_session.id, message="Hi {name}, our sale starts today",
                phones=[f"4477009{n:05d}" for n in range(recipients)]))
            session.commit()
        deadline = time.monotonic() + recipients * 60.0 / rate * 1.5 + 30
        while time.monotonic() < deadline:
            with services.session_factory() as session:
                if session.get(BulkJob, job.id).status == "completed":
                    break
            time.sleep(0.2)
        with services.session_factory() as session:
            sent = session.exec(select(BulkRecipient.sent_at).where(BulkRecipient.bulk_job_id == job.id)
                                .order_by(BulkRecipient.sent_at)).all()
    finally:
        worker.stop()
        services.engine.dispose()
    return [moment.timestamp() for moment in sent if moment is not None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=float, nargs="+", default=[120, 300, 600])
    parser.add_argument("--recipients", type=int, default=30)
    args = parser.parse_args()
    print("\nBulk pacing through the worker (sandbox gateway, SQLite)\n")
    print("| nominal / min | sent | measured / min | ratio | nominal gap s | gap p50 s | gap p95 s |")
    print("|---|---|---|---|---|---|---|")
    for rate in args.rates:
        with tempfile.TemporaryDirectory() as directory:
            times = run(rate, args.recipients, Path(directory))
        gaps = sorted(b - a for a, b in zip(times, times[1:]))
        measured = 60.0 * len(gaps) / (times[-1] - times[0])
        p95 = gaps[min(len(gaps) - 1, round(0.95 * (len(gaps) - 1)))]
        print(f"| {rate:g} | {len(times)} | {measured:.1f} | {measured / rate:.2f} | {60 / rate:.3f} "
              f"| {statistics.median(gaps):.3f} | {p95:.3f} |")


if __name__ == "__main__":
    main()
