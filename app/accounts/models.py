from datetime import datetime

from sqlmodel import Field, SQLModel

from app.common import UTCDateTime, new_id, utcnow


class Account(SQLModel, table=True):
    __tablename__ = "accounts"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    plan: str = Field(default="free", max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
