from datetime import datetime

from pydantic import BaseModel, Field, model_validator

from app.phones import Phone
from app.schema_base import RequestBody

MAX_MEMBERS_PER_REQUEST = 10_000


class Contact(RequestBody):
    phone: Phone = Field(examples=["15551234567"])
    name: str | None = Field(default=None, max_length=200, examples=["Ana"])


class MembersChange(RequestBody):
    """Either `phones` or `contacts` (or both); duplicates are merged."""

    phones: list[Phone] = Field(default_factory=list, max_length=MAX_MEMBERS_PER_REQUEST,
                                examples=[["15551234567"]])
    contacts: list[Contact] = Field(default_factory=list, max_length=MAX_MEMBERS_PER_REQUEST)

    @model_validator(mode="after")
    def _not_empty(self):
        if not self.phones and not self.contacts:
            raise ValueError("give at least one phone in `phones` or one contact in `contacts`")
        return self

    def as_contacts(self) -> list[Contact]:
        return [Contact(phone=phone) for phone in self.phones] + list(self.contacts)


class GroupCreate(RequestBody):
    name: str = Field(min_length=1, max_length=200, examples=["VIP customers"])
    description: str | None = Field(default=None, max_length=1000)
    phones: list[Phone] = Field(default_factory=list, max_length=MAX_MEMBERS_PER_REQUEST)
    contacts: list[Contact] = Field(default_factory=list, max_length=MAX_MEMBERS_PER_REQUEST)
    members: list[Contact] = Field(default_factory=list, max_length=MAX_MEMBERS_PER_REQUEST,
                                   description="The same as `contacts` (MoltFlow's name)")

    def initial_contacts(self) -> list[Contact]:
        return [Contact(phone=phone) for phone in self.phones] + list(self.contacts) + list(self.members)


class GroupUpdate(RequestBody):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=1000)


class GroupPublic(BaseModel):
    id: str
    name: str
    description: str | None
    member_count: int
    created_at: datetime
    updated_at: datetime


class MemberPublic(BaseModel):
    phone: str
    name: str | None
    added_at: datetime


class GroupDetail(GroupPublic):
    members: list[MemberPublic]


class ContactPublic(BaseModel):
    phone: str
    chat_id: str
    name: str | None
    last_message_at: datetime
    message_count: int


class ContactPage(BaseModel):
    items: list[ContactPublic]
    total: int
    limit: int
    offset: int


class MembersChanged(BaseModel):
    group_id: str
    added: int = Field(description="Phones that were not in the group before.")
    updated: int = Field(default=0, description="Existing members whose name changed.")
    removed: int = 0
    member_count: int
