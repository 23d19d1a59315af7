from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from app.schema_base import RequestBody

PresetName = Literal["Messaging", "Outreach", "Read only", "Read Only", "Full access"]


class ApiKeyCreate(RequestBody):
    """`label` (the seed guide) or `name` (MoltFlow's); `scopes` or `preset`, or neither for the creator's own."""

    label: str | None = Field(default=None, min_length=1, max_length=200, examples=["Python Script"])
    name: str | None = Field(default=None, min_length=1, max_length=200, description="The same as `label`")
    scopes: list[str] | None = Field(default=None, examples=[["messages:send", "sessions:read"]])
    preset: PresetName | None = Field(default=None, examples=["Messaging"])
    expires_in_days: int | None = Field(default=None, ge=1, le=3650, description="Refused after this; "
                                                                                  "never expires when absent")

    @model_validator(mode="after")
    def _checks(self):
        if self.label is None and self.name is None:
            raise ValueError("give the key a `label` (or `name`)")
        if self.label is not None and self.name is not None and self.label != self.name:
            raise ValueError("`label` and `name` are the same field; give one")
        if self.scopes is not None and self.preset is not None:
            raise ValueError("give either scopes or preset, not both")
        if self.scopes is not None and not self.scopes:
            raise ValueError("scopes must not be empty")
        return self

    @property
    def title(self) -> str:
        return self.label or self.name or ""


class ApiKeyPublic(BaseModel):
    id: str
    label: str
    name: str = Field(description="The same as `label` (MoltFlow's name for it)")
    prefix: str
    key_prefix: str = Field(description="The same as `prefix`")
    scopes: list[str]
    is_active: bool = Field(description="False once expired")
    expires_at: datetime | None
    created_at: datetime
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The secret key. Shown once: store it now.")
    raw_key: str = Field(description="The same as `key`")
