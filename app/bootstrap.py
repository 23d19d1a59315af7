"""Builds the long-lived services from settings: once per process, in lifespan, the CLI or a worker."""

import logging

from app.auth.tokens import load_or_create_jwt_secret
from app.config import Settings
from app.db import create_db_engine
from app.jobs.worker import JobWakeup
from app.kb.components import attach_knowledge_base, resume_interrupted_documents
from app.kb.sentence_backfill import queue_sentence_backfill
from app.migrate import upgrade
from app.ratelimit import AccountRateLimiter
from app.state import Services, make_session_factory

logger = logging.getLogger("replybase")


def build_services(settings: Settings, *, migrate: bool = True) -> Services:
    # Every process that builds services may run jobs (`replybase worker` never imports app.main).
    from app import tasks  # noqa: F401 - registers job handlers and periodic tasks

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Every admitted request and every job slot may hold a connection, and a service may open a second one.
    engine = create_db_engine(settings.resolved_database_url, pool_size=settings.max_concurrent_requests,
                              max_overflow=settings.max_concurrent_requests + 2 * settings.worker_slot_count)
    if migrate:
        upgrade(engine)
    storage = settings.redis_url or "memory://"
    job_wakeup = JobWakeup()
    services = Services(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine, job_wakeup),
        job_wakeup=job_wakeup,
        rate_limiter=AccountRateLimiter(storage, settings.rate_limit_window_seconds),
        jwt_secret=load_or_create_jwt_secret(settings.jwt_secret, settings.data_dir),
    )
    attach_knowledge_base(services)
    return services


def resume_interrupted_work(services: Services) -> None:
    """Re-queue what a crash left half-done; called once when the API or a worker starts."""
    with services.session_factory() as session:
        resumed = resume_interrupted_documents(session)
        backfills = queue_sentence_backfill(session)
        session.commit()
    if resumed:
        logger.info("re-queued %d documents left processing", resumed)
    if backfills:
        logger.info("queued sentence vectors for %d documents stored without them", backfills)
