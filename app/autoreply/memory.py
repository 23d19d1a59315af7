"""Conversation memory: recent turns inform drafting and turn an elliptical follow-up into a full question."""

import re

from app.autoreply.manners import small_talk
from app.drafters.base import Turn
from app.messages.models import Message

# Openers of a follow-up that leans on the previous question ("and on Sunday?", "what about e-bikes?").
_FOLLOW_UP = re.compile(r"^\s*(and|also|what about|how about|but|or|plus|same for|and what about)\b", re.I)
_WORD = re.compile(r"\w+")
SHORT_QUESTION_WORDS = 4
# Burst openers that carry no question: dropped so they do not dilute retrieval.
_OPENER = re.compile(r"^\W*(quick question|one question|question|excuse me|sorry|please)\W*$", re.I)


def _filler(text: str) -> bool:
    return bool(_OPENER.match(text)) or small_talk(text) is not None


def to_turns(messages: list[Message]) -> list[Turn]:
    return [Turn(role="customer" if m.direction == "in" else "business", text=m.text) for m in messages if m.text]


def standalone_question(question: str, history: list[Turn]) -> str:
    """The question to search with: a follow-up is joined to the customer's previous question."""
    previous = next((turn.text for turn in reversed(history) if turn.role == "customer" and not _filler(turn.text)),
                    None)
    if previous is None:
        return question
    if _FOLLOW_UP.match(question) or len(_WORD.findall(question)) <= SHORT_QUESTION_WORDS:
        return f"{previous.rstrip()} {question.strip()}"
    return question


def combine_burst(texts: list[str]) -> str:
    """Several messages sent in a row, as one question, without the greetings and fillers between them."""
    lines = [text.strip() for text in texts if text.strip()]
    meaningful = [line for line in lines if not _filler(line)]
    return "\n".join(meaningful or lines)
