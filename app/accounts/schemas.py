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


class MePublic(BaseModel):
    id: str | None
    email: str | None
    full_name: str | None = None
    role: str = Field(description="owner: every account has one user here")
    tenant_id: str = Field(description="MoltFlow's name for the account id")
    account_id: str
    account_name: str
    plan: str
    scopes: list[str]
    auth: str = Field(description="api_key or jwt: how this request was authenticated")
    created_at: datetime


class UsagePublic(BaseModel):
    plan: str
    period_start: datetime = Field(description="Start of this calendar month (UTC)")
    total_messages: int = Field(description="Messages sent this month")
    limit_messages: int | None = Field(description="null: no monthly message limit on any plan here")
    usage_percentage: float | None = Field(description="null when there is no limit")
    requests_this_hour: int
    limit_requests_per_hour: int
    max_sessions: int | None
