"""Phone numbers as the contract wants them: country code and number, digits only."""

import re

PHONE_PATTERN = re.compile(r"^\d{6,15}$")
PHONE_RULE = "use country code and number, digits only, 6 to 15 digits (e.g. 15551234567)"


def validate_phone(value: str) -> str:
    """Return `value` when it is a valid phone; else raise ValueError naming it (pydantic turns that into a 422)."""
    if not isinstance(value, str) or not PHONE_PATTERN.fullmatch(value):
        raise ValueError(f"invalid phone {value!r}: {PHONE_RULE}")
    return value
