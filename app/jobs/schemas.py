from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

JobStatus = Literal["queued", "running", "done", "failed"]


class JobPublic(BaseModel):
    """Background work done for the account: what it is, where it stands, and why it failed."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    lane: str
    status: JobStatus
    attempts: int
    max_attempts: int
    run_at: datetime
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None
    payload: dict


class JobPage(BaseModel):
    items: list[JobPublic]
    total: int
    limit: int
    offset: int
