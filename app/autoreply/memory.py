"""Conversation memory: recent turns inform drafting and turn an elliptical follow-up into a full question."""

import re

from app.drafters.base import Turn
from app.messages.models import Message

# Openers of a follow-up that leans on the previous question ("and on Sunday?", "what about e-bikes?").
_FOLLOW_UP = re.compile(r"^\s*(and|also|what about|how about|but|or|plus|same for|and what about)\b", re.I)
_WORD = re.compile(r"\w+")
SHORT_QUESTION_WORDS = 4


def to_turns(messages: list[Message]) -> list[Turn]:
    return [Turn(role="customer" if m.direction == "in" else "business", text=m.text) for m in messages if m.text]


def standalone_question(question: str, history: list[Turn]) -> str:
    """The question to search with: a follow-up is joined to the customer's previous question."""
    previous = next((turn.text for turn in reversed(history) if turn.role == "customer"), None)
    if previous is None:
        return question
    if _FOLLOW_UP.match(question) or len(_WORD.findall(question)) <= SHORT_QUESTION_WORDS:
        return f"{previous.rstrip()} {question.strip()}"
    return question
