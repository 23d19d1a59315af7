"""The one phone and chat-id rule: every usual way of writing a contact names the same chat."""

import pytest

from app.phones import contact_or_group, normalize_phone, parse_chat_id


@pytest.mark.parametrize("written", ["447700900123", "+44 7700 900123", "+44-7700-900-123",
                                     "(44) 7700 900123", "447700900123@c.us", "447700900123@s.whatsapp.net",
                                     " 447700900123@C.US "])
def test_contact_forms(written):
    address = parse_chat_id(written)
    assert (address.chat_id, address.phone, address.is_group) == ("447700900123@c.us", "447700900123", False)


def test_groups_old_and_new():
    assert parse_chat_id("120363012345678901@g.us").group_id == "120363012345678901@g.us"
    assert contact_or_group("15551234567-1600000000@g.us") == "15551234567-1600000000@g.us"


@pytest.mark.parametrize("bad", ["", "abc", "12345", "1234567890123456", "+1+5551234567", "١٥٥٥١٢٣٤٥٦٧", "@g.us",
                                 "abc@g.us", "15551234567@lid"])
def test_what_is_not_a_chat_is_refused_naming_it(bad):
    with pytest.raises(ValueError, match="invalid"):
        parse_chat_id(bad)


def test_a_phone_is_digits_only_once_read():
    assert normalize_phone("+1 (555) 123-4567") == "15551234567"
    with pytest.raises(ValueError, match="invalid phone '15551234567@c.us'"):
        normalize_phone("15551234567@c.us")  # a phone field takes a phone; chat ids go where chats are named
