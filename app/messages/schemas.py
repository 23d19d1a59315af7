from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from app.phones import CHAT_ID_RULE, PHONE_RULE, ChatAddress, ChatId, normalize_phone, parse_chat_id
from app.schema_base import RequestBody

MAX_MESSAGE_LENGTH = 4096
check_phone = normalize_phone  # the one phone rule (app/phones.py)
# WhatsApp's own poll limits: up to 12 options, a question of at most 255 characters.
MAX_POLL_OPTIONS = 12
MAX_POLL_TITLE = 255
MAX_POLL_OPTION = 100


class SendMessage(RequestBody):
    """The recipient as `phone` (the seed guide) or `chat_id` (MoltFlow's guides; the only way to name a group)."""

    session_id: str = Field(min_length=1, max_length=32, examples=["abc123"])
    phone: ChatId = Field(description=f"Recipient: {PHONE_RULE}; or a chat id")
    chat_id: ChatId | None = Field(default=None, description=f"Recipient instead of `phone`: {CHAT_ID_RULE}")
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_LENGTH, examples=["Hello from the API!"])
    media_url: str | None = Field(default=None, max_length=2048, examples=["https://example.com/image.jpg"])

    @model_validator(mode="before")
    @classmethod
    def _chat_id_names_the_recipient(cls, data):
        # Either field names the recipient; a missing one still reads "phone: Field required", as the contract shows.
        if isinstance(data, dict) and data.get("phone") is None and data.get("chat_id") is not None:
            return {**data, "phone": data["chat_id"]}
        return data

    @model_validator(mode="after")
    def _one_recipient(self):
        if self.chat_id is not None and self.chat_id != self.phone:
            raise ValueError(f"`phone` and `chat_id` name different chats ({self.phone} and {self.chat_id}); "
                             "give one of them")
        return self

    @property
    def recipient(self) -> ChatAddress:
        return parse_chat_id(self.phone)


class _Recipient(RequestBody):
    """`session_id` and the chat, as `chat_id` (MoltFlow's guides) or `phone`."""

    session_id: str = Field(min_length=1, max_length=32, examples=["abc123"])
    chat_id: ChatId | None = Field(default=None, description=f"Recipient: {CHAT_ID_RULE}")
    phone: ChatId | None = Field(default=None, description="Recipient instead of `chat_id`")

    @model_validator(mode="after")
    def _one_recipient(self):
        if self.chat_id is None and self.phone is None:
            raise ValueError("give the recipient as `chat_id` (or `phone`)")
        if self.chat_id is not None and self.phone is not None and self.chat_id != self.phone:
            raise ValueError(f"`phone` and `chat_id` name different chats ({self.phone} and {self.chat_id}); "
                             "give one of them")
        return self

    @property
    def recipient(self) -> ChatAddress:
        return parse_chat_id(self.chat_id or self.phone)


class SendPoll(_Recipient):
    """MoltFlow's documented poll body."""

    title: str = Field(min_length=1, max_length=MAX_POLL_TITLE, examples=["Preferred meeting time?"])
    options: list[str] = Field(min_length=2, max_length=MAX_POLL_OPTIONS, examples=[["Morning", "Afternoon"]])
    allow_multiple: bool = Field(default=False, description="Voters may pick more than one option")

    @field_validator("options")
    @classmethod
    def _distinct_options(cls, options: list[str]) -> list[str]:
        options = [option.strip() for option in options]
        if any(not 1 <= len(option) <= MAX_POLL_OPTION for option in options):
            raise ValueError(f"each option must be 1 to {MAX_POLL_OPTION} characters")
        if len({option.casefold() for option in options}) != len(options):
            raise ValueError("options must differ from each other")
        return options


class SendSticker(_Recipient):
    media_url: str = Field(min_length=1, max_length=2048, examples=["https://example.com/thumbs-up.webp"],
                           description="A public WebP image")


class SendGif(_Recipient):
    media_url: str = Field(min_length=1, max_length=2048, examples=["https://example.com/party.mp4"],
                           description="A public MP4 clip (WhatsApp's GIFs are MP4 video)")
    caption: str = Field(default="", max_length=MAX_MESSAGE_LENGTH)


class MessageKey(BaseModel):
    id: str = Field(examples=["wamid.xyz789ABC"])
    remoteJid: str = Field(examples=["15551234567@s.whatsapp.net"])  # noqa: N815 - the contract's name


class SendResultBody(BaseModel):
    key: MessageKey


class SendResponse(BaseModel):
    """The contract's `{success, result.key}`, and the fields MoltFlow's guides read, in one body."""

    success: bool = True
    result: SendResultBody
    id: str | None = Field(default=None, description="Our message id")
    chat_id: str | None = Field(default=None, examples=["15551234567@c.us"])
    wa_message_id: str | None = Field(default=None, description="The WhatsApp message id, as result.key.id")
    direction: Literal["outbound"] = "outbound"
    message_type: Literal["text", "media", "poll", "sticker", "gif"] = "text"
    content_preview: str | None = None
    status: str | None = None
    sent_at: datetime | None = None
    created_at: datetime | None = None


class ChatPublic(BaseModel):
    chat_id: str = Field(examples=["15551234567@c.us"])
    session_id: str
    phone: str = Field(description="The customer's phone; for a group chat, the group's id")
    name: str | None
    is_group: bool = False
    last_message: str
    last_message_direction: Literal["in", "out"]
    last_message_at: datetime
    message_count: int


class ChatPage(BaseModel):
    items: list[ChatPublic]
    total: int
    limit: int
    offset: int


class MessagePublic(BaseModel):
    id: str
    session_id: str
    chat_id: str
    direction: Literal["in", "out"]
    phone: str
    name: str | None
    text: str
    media_url: str | None
    media_type: str | None
    message_type: Literal["text", "media", "poll", "sticker", "gif"] = "text"
    poll: dict | None = Field(default=None, description="A poll's options and allow_multiple")
    status: Literal["queued", "sent", "delivered", "read", "failed", "unknown"]
    message_id: str | None = Field(description="The WhatsApp message id (wamid...)")
    error: str | None
    timestamp: datetime
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, message) -> "MessagePublic":
        poll = message.payload if message.message_type == "poll" else None
        return cls(message_id=message.gateway_message_id, poll=poll,
                   **message.model_dump(exclude={"gateway_message_id", "account_id", "idempotency_key", "origin",
                                                 "payload"}))


class MessagePage(BaseModel):
    chat_id: str
    items: list[MessagePublic]
    total: int
    limit: int
    offset: int
