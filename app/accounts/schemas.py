from datetime import datetime

from pydantic import BaseModel


class PlanLimits(BaseModel):
    requests_per_hour: int
    max_sessions: int
    max_documents: int
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
