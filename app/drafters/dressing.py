"""Dresses a reply body in a style: greeting with the customer's name, sign-off, emoji level, length."""

import re

from app.drafters.base import StyleSpec, Turn
from app.drafters.text import count_emoji, first_emoji_end, strip_emoji

LIGHT_EMOJI = "🙂"
RICH_EMOJI = ("😊", "👍")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def greeting_line(style: StyleSpec, customer_name: str | None, history: list[Turn]) -> str:
    """The style's greeting with the customer's name; empty once the business has already written in this chat."""
    greeting = style.greeting.strip()
    if not greeting or any(turn.role == "business" for turn in history):
        return ""
    name = (customer_name or "").strip()
    if "{name}" in greeting:
        greeting = greeting.replace("{name}", name)
        return re.sub(r"\s+([,!.])", r"\1", re.sub(r"\s{2,}", " ", greeting)).strip()
    if not name:
        return greeting
    # "Hi!" becomes "Hi Anna!"; "Hello" becomes "Hello Anna,".
    match = re.match(r"^(.*?)([,!.]*)$", greeting)
    return f"{match.group(1)} {name}{match.group(2) or ','}"


def fit_sentences(text: str, max_chars: int) -> str:
    """Whole sentences up to max_chars; a single overlong sentence is cut at a word boundary with an ellipsis."""
    if len(text) <= max_chars:
        return text
    kept = ""
    for line in text.splitlines():
        for sentence in _SENTENCE_END.split(line):
            candidate = f"{kept}{' ' if kept and not kept.endswith(chr(10)) else ''}{sentence}"
            if len(candidate) > max_chars:
                return kept.strip() or text[:max_chars - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
            kept = candidate
        kept += "\n"
    return kept.strip()


def apply_emoji_level(text: str, level: str) -> str:
    if level == "none":
        return "\n".join(strip_emoji(line) for line in text.splitlines())
    if level == "light" and count_emoji(text) > 1:
        end = first_emoji_end(text)
        return text[:end] + "\n".join(strip_emoji(line) for line in text[end:].splitlines())
    return text


def dress(body: str, style: StyleSpec, *, customer_name: str | None, history: list[Turn]) -> str:
    """Greeting, body and sign-off within the style's length, at the style's emoji level."""
    greeting = greeting_line(style, customer_name, history)
    sign_off = style.sign_off.strip()
    if style.emoji == "light" and count_emoji(f"{greeting}{body}{sign_off}") == 0:
        if greeting:
            greeting = f"{greeting} {LIGHT_EMOJI}"
        else:
            body = f"{body} {LIGHT_EMOJI}"
    elif style.emoji == "rich" and count_emoji(f"{greeting}{body}{sign_off}") < 2:
        greeting = f"{greeting} {RICH_EMOJI[0]}" if greeting else greeting
        body = f"{body} {RICH_EMOJI[1]}"
    overhead = sum(len(part) + 2 for part in (greeting, sign_off) if part)
    body = fit_sentences(body.strip(), max(40, style.max_reply_chars - overhead))
    text = "\n\n".join(part for part in (greeting, body, sign_off) if part)
    return apply_emoji_level(text, style.emoji).strip()
