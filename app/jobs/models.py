from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from app.common import UTCDateTime, utcnow


class Job(SQLModel, table=True):
    """A durable unit of background work; written in the same transaction as the change that caused it."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_due", "status", "run_at"), Index("ix_jobs_lane_due", "lane", "status", "run_at"))

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=100)
    # Jobs run in lanes with their own worker slots, so that slow work (ingestion) never delays replies.
    lane: str = Field(default="default", max_length=20)
    # The account the job works for, when it has one: failed work is listed to that account.
    account_id: str | None = Field(default=None, max_length=32, index=True)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="queued", max_length=20)  # queued, running, done, failed
    attempts: int = 0
    max_attempts: int = 5
    run_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The worker process running it, and until when its lease holds (the worker's heartbeat extends it).
    locked_by: str | None = Field(default=None, max_length=64)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WorkerProcess(SQLModel, table=True):
    """A running worker process (API with workers, or `replybase worker`); its heartbeat proves it alive."""

    __tablename__ = "worker_processes"

    id: str = Field(primary_key=True, max_length=64)
    hostname: str = Field(max_length=255)
    pid: int
    lanes: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # lane -> slots
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    heartbeat_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    stopped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
