from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from app.common import UTCDateTime, new_id, utcnow


class ContactGroup(SQLModel, table=True):
    """A named list of contacts, the audience of scheduled and bulk messages."""

    __tablename__ = "contact_groups"
    __table_args__ = (UniqueConstraint("account_id", "name", name="uq_contact_groups_account_name"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: str = Field(foreign_key="accounts.id", index=True, max_length=32, ondelete="CASCADE")
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ContactGroupMember(SQLModel, table=True):
    """One phone in a group; a phone appears once per group."""

    __tablename__ = "contact_group_members"
    __table_args__ = (UniqueConstraint("group_id", "phone", name="uq_contact_group_members_group_phone"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(foreign_key="accounts.id", index=True, max_length=32, ondelete="CASCADE")
    group_id: str = Field(foreign_key="contact_groups.id", index=True, max_length=32, ondelete="CASCADE")
    phone: str = Field(max_length=20)
    name: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
