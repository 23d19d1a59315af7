"""A chunk as the units a reply can quote: sentences (pysbd, in the text's language), list lines and table rows,
each under the heading it sits beneath. Computed once at ingestion and stored with the chunk's vectors."""

import re
from dataclasses import dataclass
from functools import lru_cache

import pysbd

from ingest.language import detect_language

_LIST_MARKER = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)])\s+")
_ANSWER_PREFIX = re.compile(r"^(?:A|Answer|R|Respuesta|Réponse|Antwort|Risposta|Resposta|Antwoord)\s*:\s*",
                            re.IGNORECASE)


@dataclass(frozen=True)
class Unit:
    """A sentence or list line with the heading it sits under; the smallest thing a reply quotes."""

    text: str
    heading: str
    position: int
    is_heading: bool = False


@lru_cache(maxsize=8)
def _segmenter(language: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=language, clean=False)


def looks_like_heading(line: str) -> bool:
    """A short title-like line ("Opening hours"): no sentence punctuation, no digits, at most six words."""
    stripped = line.strip()
    return (0 < len(stripped.split()) <= 6 and not re.search(r"[.!?:;,]$", stripped) and ":" not in stripped
            and not re.search(r"\d", stripped))


def split_units(text: str, section: str | None = None, language: str | None = None) -> list[Unit]:
    """Sentences and list lines in document order; short title-like lines become headings for what follows.

    The chunk's section comes first as a heading (a text document's title, or a section that runs on from an earlier
    chunk), also when the text opens with it as a line of its own: a title is never an answer, and what a passage is
    about is often said only there."""
    language = language or detect_language(text[:1000]) or "en"
    units: list[Unit] = []
    heading = (section or "").strip()
    if heading:
        units.append(Unit(heading, heading, 0, True))
    first_line = True
    for raw_line in text.splitlines():
        line = _LIST_MARKER.sub("", raw_line.strip().strip("|").strip()).strip()
        line = re.sub(r"\s*\|\s*", " — ", line)  # a table row reads as one line
        line = line.lstrip("#").strip()
        if not line:
            continue
        if first_line and line == heading:  # the title again, as the text's own first line
            first_line = False
            continue
        first_line = False
        if looks_like_heading(line):
            heading = line
            units.append(Unit(line, heading, len(units), True))
            continue
        for sentence in _segmenter(language).segment(line):
            sentence = _ANSWER_PREFIX.sub("", sentence.strip())
            if sentence:
                units.append(Unit(sentence, heading, len(units)))
    return units
