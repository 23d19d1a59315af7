"""Post-processing of a drafted reply before it reaches a customer: WhatsApp formatting, length, and no facts,
links or prompt text that the sources and the customer's message do not contain."""

import re
from dataclasses import dataclass, field

from app.drafters.base import Source

WHATSAPP_MAX_CHARS = 4096
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\"']+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"
                  r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|co|uk|de|fr|es|it|nl|app|shop|store|info|biz)(?:/[^\s]*)?\b",
                  re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_PHONE = re.compile(r"\+?\d[\d \t().-]{5,}\d")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
# Words that only make sense when a model talks about its own instructions or configuration.
_LEAK_PATTERNS = re.compile(r"\bsystem\s+prompt\b|\bmy\s+(?:instructions|rules|guidelines)\b|\bREPLYBASE_\w+"
                            r"|\bmf_[A-Za-z0-9_-]{8,}|\bNO_ANSWER\b"
                            r"|<\s*/?\s*(?:source|customer_message|history|turn)\b",
                            re.IGNORECASE)


@dataclass
class GuardedText:
    text: str
    changes: list[str] = field(default_factory=list)


def _whatsapp_formatting(text: str, changes: list[str]) -> str:
    """Markdown to WhatsApp: *bold*, _italic_, ~strike~; headings, tables and code fences flattened."""
    original = text
    text = re.sub(r"```[\w-]*\n?(.*?)```", lambda m: m.group(1).strip("\n"), text, flags=re.DOTALL)
    text = re.sub(r"`([^`\n]+)`", r"\1", text)
    text = re.sub(r"!\[([^\]]*)\]\(([^)\s]+)\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r"\1 \2", text)
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"*\2*", text)
    text = re.sub(r"~~(?=\S)(.+?)(?<=\S)~~", r"~\1~", text)
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if re.fullmatch(r"\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?", stripped):
            continue  # a table's separator row
        if stripped.startswith("|") and stripped.endswith("|"):
            line = " — ".join(cell.strip() for cell in stripped.strip("|").split("|"))
        heading = re.match(r"^\s*#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            line = f"*{heading.group(1).strip('*')}*"
        line = re.sub(r"^(\s*)[*+]\s+", r"\1- ", line)  # "* item" would read as bold on WhatsApp
        if re.fullmatch(r"\s*(?:-{3,}|\*{3,}|_{3,})\s*", line):
            continue  # a horizontal rule
        lines.append(line)
    text = "\n".join(lines)
    if text != original:
        changes.append("converted Markdown to WhatsApp formatting")
    return text


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _canonical_number(token: str) -> str:
    # "09:00" and "9:00" are the same time; "4.95" and "4,95" the same price.
    return ":".join(part.lstrip("0") or "0" for part in re.split(r"[.,:]", token))


@dataclass
class _Allowed:
    numbers: set[str]
    phones: set[str]
    links: set[str]
    text: str

    @classmethod
    def from_texts(cls, texts: list[str]) -> "_Allowed":
        joined = "\n".join(texts)
        numbers = {_canonical_number(m) for m in _NUMBER.findall(joined)}
        # "09:00" in a source lets a reply say "9am".
        numbers |= {part for m in _NUMBER.findall(joined) if ":" in m for part in _canonical_number(m).split(":")}
        return cls(numbers=numbers,
                   phones={_digits(m)[-9:] for m in _PHONE.findall(joined) if len(_digits(m)) >= 7},
                   links={_normal_link(m) for m in _URL.findall(joined)}, text=joined.lower())


def _normal_link(link: str) -> str:
    link = link.lower().rstrip(".,;:!?)")
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", link).rstrip("/")


def _unsupported(sentence: str, allowed: _Allowed) -> str | None:
    """Why a sentence must go (a link, phone number or number the sources do not have), or None."""
    for link in _URL.findall(sentence):
        normal = _normal_link(link)
        if normal not in allowed.links and normal not in allowed.text:
            return f"removed a link not found in the sources: {link.rstrip('.,;:!?)')}"
    for phone in _PHONE.findall(sentence):
        digits = _digits(phone)
        if len(digits) >= 7 and digits[-9:] not in allowed.phones:
            return f"removed a phone number not found in the sources: {phone.strip()}"
    for number in _NUMBER.findall(sentence):
        if _canonical_number(number) not in allowed.numbers:
            return f"removed a number not found in the sources: {number}"
    return None


def _leaks(sentence: str, forbidden: list[str]) -> bool:
    if _LEAK_PATTERNS.search(sentence):
        return True
    normal = " ".join(re.findall(r"\w+", sentence.lower()))
    if len(normal) < 12:
        return False
    for snippet in forbidden:
        snippet_words = re.findall(r"\w+", snippet.lower())
        # Any run of 6 words from the instructions gives them away.
        for start in range(max(1, len(snippet_words) - 5)):
            if len(snippet_words) >= 6 and " ".join(snippet_words[start:start + 6]) in normal:
                return True
    return False


def _filter_sentences(text: str, keep) -> str:
    """Keep the sentences `keep` accepts; a list marker ("1. ", "- ") stays with its line."""
    lines = []
    for line in text.splitlines():
        marker = re.match(r"^\s*(?:\d{1,2}[.)]|[-•])\s+", line)
        prefix = marker.group(0) if marker else ""
        kept = [sentence for sentence in _SENTENCE_END.split(line[len(prefix):]) if keep(sentence)]
        if kept or not line.strip():
            lines.append(prefix + " ".join(kept))
    return "\n".join(lines)


def _fit(text: str, max_chars: int, changes: list[str]) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    boundary = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "), cut.rfind("\n"))
    if boundary >= max_chars // 3:
        shortened = cut[:boundary + 1].rstrip()
    else:
        shortened = cut[:max_chars - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    changes.append(f"shortened from {len(text)} to {len(shortened)} characters")
    return shortened


def apply_guardrails(text: str, *, sources: list[Source], customer_text: str, max_chars: int,
                     forbidden_snippets: list[str]) -> GuardedText:
    """The reply as it may be sent, and a note for every change; an empty text means nothing safe remained."""
    changes: list[str] = []
    text = _whatsapp_formatting(text.strip(), changes)

    def not_leaked(sentence: str) -> bool:
        if _leaks(sentence, forbidden_snippets):
            if "removed text that repeats the instructions or settings" not in changes:
                changes.append("removed text that repeats the instructions or settings")
            return False
        return True

    text = _filter_sentences(text, not_leaked)
    allowed = _Allowed.from_texts([source.text for source in sources] + [customer_text])

    def supported(sentence: str) -> bool:
        reason = _unsupported(sentence, allowed)
        if reason:
            changes.append(reason)
        return reason is None

    text = _filter_sentences(text, supported)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    text = _fit(text, max(1, min(max_chars, WHATSAPP_MAX_CHARS)), changes)
    return GuardedText(text=text, changes=changes)
