"""Words and emoji, shared by the drafters and the style learner; emoji are the emoji package's (Unicode's list)."""

import re

import emoji

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)


def words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def count_emoji(text: str) -> int:
    """Emoji as a reader counts them: a flag or a family made of several code points is one."""
    return emoji.emoji_count(text)


def first_emoji_end(text: str) -> int | None:
    """Where the first emoji of `text` ends, or None."""
    found = emoji.emoji_list(text)
    return found[0]["match_end"] if found else None


def strip_emoji(text: str) -> str:
    without = re.sub(r"[ \t]{2,}", " ", emoji.replace_emoji(text, ""))
    return re.sub(r"[ \t]+([.,!?;:])", r"\1", without).strip()
