"""Phones and WhatsApp chat ids: the one definition every request that names a contact or a chat goes through.

A phone is stored as country code and number, digits only. People and other APIs write it with `+`, spaces,
dashes, dots or brackets ("+44 7700 900123", "+1 (555) 123-4567"), and WhatsApp clients as a chat id
("5511999999999@c.us", "...@s.whatsapp.net"); all of these mean the same contact. A group is "<id>@g.us"."""

import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, Field

CONTACT_SUFFIX = "@c.us"
GROUP_SUFFIX = "@g.us"
JID_SUFFIXES = ("@c.us", "@s.whatsapp.net")
PHONE_RULE = ("country code and number, 6 to 15 digits; a leading +, spaces, dashes, dots and brackets are "
              "ignored (e.g. 15551234567 or +1 (555) 123-4567)")
CHAT_ID_RULE = f"a phone ({PHONE_RULE}), <phone>@c.us, <phone>@s.whatsapp.net or <group id>@g.us"
_FORMATTING = re.compile(r"[\s\-.()]")
_GROUP_ID = re.compile(r"^\d{6,40}(-\d{1,20})?$")  # new groups are long numbers, old ones <creator>-<time>


@dataclass(frozen=True)
class ChatAddress:
    chat_id: str  # "<phone>@c.us" or "<group id>@g.us", as chats and the reply log store it
    phone: str | None  # the contact's phone; None for a group
    group_id: str | None  # "<group id>@g.us" for a group, else None

    @property
    def is_group(self) -> bool:
        return self.group_id is not None


def normalize_phone(value: str) -> str:
    """Digits only, or ValueError naming the value (pydantic turns that into a 422)."""
    if not isinstance(value, str):
        raise ValueError(f"invalid phone {value!r}: {PHONE_RULE}")
    digits = _FORMATTING.sub("", value)
    digits = digits[1:] if digits.startswith("+") else digits
    if not (digits.isascii() and digits.isdigit() and 6 <= len(digits) <= 15):
        raise ValueError(f"invalid phone {value!r}: {PHONE_RULE}")
    return digits


def is_group_chat(chat_id: str) -> bool:
    return chat_id.endswith(GROUP_SUFFIX)


def parse_chat_id(value: str) -> ChatAddress:
    """A phone or any WhatsApp chat id form, as one canonical address; ValueError when it is neither."""
    if not isinstance(value, str):
        raise ValueError(f"invalid chat id {value!r}: use {CHAT_ID_RULE}")
    text = value.strip()
    if text.lower().endswith(GROUP_SUFFIX):
        group = text[: -len(GROUP_SUFFIX)]
        if not _GROUP_ID.fullmatch(group):
            raise ValueError(f"invalid group chat id {value!r}: use <group id>@g.us, e.g. 120363012345678901@g.us")
        return ChatAddress(f"{group}{GROUP_SUFFIX}", None, f"{group}{GROUP_SUFFIX}")
    for suffix in JID_SUFFIXES:
        if text.lower().endswith(suffix):
            text = text[: -len(suffix)]
            break
    try:
        phone = normalize_phone(text)
    except ValueError:
        raise ValueError(f"invalid chat id {value!r}: use {CHAT_ID_RULE}") from None
    return ChatAddress(f"{phone}{CONTACT_SUFFIX}", phone, None)


def canonical_chat_id(value: str) -> str:
    return parse_chat_id(value).chat_id


def contact_or_group(value: str) -> str:
    """For allow and block lists: a contact as its phone, a group as its chat id (what the bot compares)."""
    address = parse_chat_id(value)
    return address.group_id or address.phone


Phone = Annotated[str, AfterValidator(normalize_phone), Field(examples=["15551234567"])]
ChatId = Annotated[str, Field(max_length=80), AfterValidator(canonical_chat_id),
                   Field(examples=["15551234567@c.us"])]
