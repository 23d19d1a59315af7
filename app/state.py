"""The long-lived parts of the service, built once per process and shared by requests and workers."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from app.auth.verified_keys import VerifiedKeys
from app.config import Settings
from app.group_commit import GroupCommit
from app.jobs.priority import Foreground, reply_priority, request_priority
from app.ratelimit import AccountRateLimiter


@dataclass
class Services:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    rate_limiter: AccountRateLimiter
    jwt_secret: str
    # Wakes this process's idle job slots when a job is committed here (app/jobs/worker.py JobWakeup).
    job_wakeup: Any = None
    # Background work gives way to this process's requests, and ingestion to its replies (app/jobs/priority.py).
    request_priority: Foreground = field(default_factory=request_priority)
    reply_priority: Foreground = field(default_factory=reply_priority)
    # API keys verified a moment ago (app/auth/verified_keys.py).
    verified_keys: VerifiedKeys = field(default_factory=VerifiedKeys)
    # Components owned by domains (embedder, indexes, gateways, drafters), keyed by name.
    components: dict[str, Any] = field(default_factory=dict)
    # Gateway callbacks and sandbox deliveries arriving together share a transaction (app/group_commit.py).
    group_commit: GroupCommit = field(init=False)

    def __post_init__(self) -> None:
        self.group_commit = GroupCommit(self.session_factory)


def make_session_factory(engine: Engine, job_wakeup: Any = None) -> sessionmaker[Session]:
    info = {"replybase_job_wakeup": job_wakeup} if job_wakeup is not None else {}
    return sessionmaker(bind=engine, class_=Session, expire_on_commit=False, info=info)
