from datetime import datetime

from pydantic import BaseModel, Field


class PlanLimits(BaseModel):
    requests_per_hour: int
    max_sessions: int | None = Field(description="null: no limit")
    max_documents: int | None = Field(description="null: no limit")
    features: list[str]


class Usage(BaseModel):
    requests_this_hour: int
    sessions: int
    documents: int


class AccountPublic(BaseModel):
    id: str
    name: str
    plan: str
    created_at: datetime
    limits: PlanLimits
    usage: Usage
