"""Moving the background-job clock in tests."""

from sqlalchemy import update

from app.common import utcnow
from app.jobs.models import Job


def fast_forward(services) -> None:
    """Make every waiting job due now, as if its backoff or pacing gap had passed."""
    with services.session_factory() as session:
        session.execute(update(Job).where(Job.status == "queued").values(run_at=utcnow()))
        session.commit()
