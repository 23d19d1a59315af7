from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

PresetName = Literal["Messaging", "Outreach", "Read only", "Full access"]


class ApiKeyCreate(BaseModel):
    label: str = Field(min_length=1, max_length=200, examples=["Python Script"])
    scopes: list[str] | None = Field(default=None, examples=[["messages:send", "sessions:read"]])
    preset: PresetName | None = Field(default=None, examples=["Messaging"])

    @model_validator(mode="after")
    def _one_of_scopes_or_preset(self):
        if (self.scopes is None) == (self.preset is None):
            raise ValueError("give either scopes or preset")
        if self.scopes is not None and not self.scopes:
            raise ValueError("scopes must not be empty")
        return self


class ApiKeyPublic(BaseModel):
    id: str
    label: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The secret key. Shown once: store it now.")
