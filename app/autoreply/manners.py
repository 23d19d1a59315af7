"""Conversation manners: small talk ("hello", "ok", "👍", "great, thanks!") gets a short reply or none, and a
request for a person is recognised as a phrase, never as a word inside an ordinary question."""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import emoji

from app.autoreply.phrases import FILLERS, HANDOFF_PHRASES, REPLIES, SMALL_TALK
from ingest.language import SUPPORTED, detect_language

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
# "Hi Anna!": one capitalised word after a greeting is a name, not a question.
_NAME = re.compile(r"^[A-ZÀ-Ý][\w'-]*$")


def normalise(text: str) -> str:
    """Lower case, no accents, no emoji, words separated by single spaces ("¡Muchas Gracias! 🙏" -> "muchas gracias")."""
    text = emoji.replace_emoji(text, " ")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ß", "ss")
    return " ".join(_TOKEN.findall(plain))


@dataclass(frozen=True)
class SmallTalk:
    """What kind of small talk a message is, and which languages its phrases belong to."""

    kind: str  # greeting, thanks or ack ("ok", "👍", "bye")
    languages: frozenset[str]


@lru_cache(maxsize=1)
def _phrases() -> dict[tuple[str, ...], list[tuple[str, str]]]:
    table: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for kind, by_language in SMALL_TALK.items():
        for language, phrases in by_language.items():
            for phrase in phrases:
                table.setdefault(tuple(phrase.split()), []).append((kind, language))
    return table


_KIND_ORDER = ("greeting", "thanks", "ack")


def small_talk(text: str) -> SmallTalk | None:
    """The small talk `text` is made of, or None when it says anything more (a question, a request)."""
    if emoji.purely_emoji(text.strip().replace(" ", "")) and text.strip():
        return SmallTalk("ack", frozenset())
    tokens = normalise(text).split()
    originals = _TOKEN.findall(emoji.replace_emoji(text, " "))
    if not tokens:
        return SmallTalk("ack", frozenset()) if text.strip() else None
    table = _phrases()
    longest = max(len(key) for key in table)
    kinds, languages, position, greeted, names = set(), None, 0, False, 0
    while position < len(tokens):
        for size in range(min(longest, len(tokens) - position), 0, -1):
            matches = table.get(tuple(tokens[position:position + size]))
            if matches:
                kinds |= {kind for kind, _ in matches}
                found = {language for _, language in matches}
                languages = found if languages is None else (languages & found or languages | found)
                greeted = greeted or any(kind == "greeting" for kind, _ in matches)
                position += size
                break
        else:
            token = tokens[position]
            original = originals[position] if len(originals) == len(tokens) else ""
            if token in FILLERS:
                position += 1
            elif greeted and names == 0 and _NAME.match(original):
                names, position = 1, position + 1
            else:
                return None
    if not kinds:
        return None
    kind = next(k for k in _KIND_ORDER if k in kinds)
    return SmallTalk(kind, frozenset(languages or ()))


def without_small_talk(text: str) -> str:
    """The message without its small-talk sentences ("Hi! When do you open?" -> "When do you open?")."""
    parts = [part for part in re.split(r"(?<=[.!?¡¿,;:\n])\s*", text) if part.strip()]
    kept = [part for part in parts if small_talk(part) is None]
    return " ".join(kept).strip() if kept and len(kept) < len(parts) else text


def reply_language(talk: SmallTalk, text: str, wanted: str,
                   business_language: Callable[[], str | None] = lambda: None) -> str:
    """The style's language, else the one the phrases share, else the business's documents' language when the
    phrases could be in it ("Hallo" is German and Dutch), else lingua's guess among them, else English."""
    if wanted in SUPPORTED:
        return wanted
    if len(talk.languages) == 1:
        return next(iter(talk.languages))
    candidates = tuple(code for code in SUPPORTED if not talk.languages or code in talk.languages)
    if (documents := business_language()) in candidates:
        return documents
    return detect_language(text, candidates) or ("en" if "en" in candidates or not candidates else candidates[0])


def small_talk_reply(talk: SmallTalk, text: str, *, wanted_language: str, styled_greeting: bool,
                     business_language: Callable[[], str | None] = lambda: None) -> str:
    """A short answer to small talk in the customer's language; empty for an acknowledgement (no reply).
    `business_language` is asked only when the words alone do not tell the language."""
    if talk.kind == "ack":
        return ""
    language = reply_language(talk, text, wanted_language, business_language)
    key = "greeting_after_style" if talk.kind == "greeting" and styled_greeting else talk.kind
    return REPLIES[key].get(language, REPLIES[key]["en"])


@lru_cache(maxsize=256)
def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern | None:
    normal = sorted({normalise(p) for p in phrases if normalise(p)}, key=len, reverse=True)
    if not normal:
        return None
    return re.compile(r"(?<!\w)(?:%s)(?!\w)" % "|".join(re.escape(p) for p in normal))


def asks_for_person(text: str, phrases: list[str]) -> bool:
    """True when the message contains one of `phrases` as whole words (accents and case ignored)."""
    pattern = _phrase_pattern(tuple(phrases))
    return bool(pattern and pattern.search(normalise(text)))


DEFAULT_HANDOFF_PHRASES = list(HANDOFF_PHRASES)
