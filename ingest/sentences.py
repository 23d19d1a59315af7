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


def _clean(line: str) -> str:
    """A line as a unit reads it: no list marker or Markdown heading mark; a table row's cells joined by dashes."""
    line = _LIST_MARKER.sub("", line.strip().strip("|").strip()).strip()
    line = re.sub(r"\s*\|\s*", " — ", line)  # a table row reads as one line
    return line.lstrip("#").strip()


def own_lines(text: str) -> set[str]:
    """The text's lines as units read them: a unit found here stood on a line of its own, as an FAQ's question
    does (a question inside a paragraph is not one)."""
    return {_clean(line) for line in text.splitlines()}


def section_heading(section: str | None) -> str:
    """The heading unit a chunk of this section opens with ("" for none)."""
    return _clean(section or "")


def split_units(text: str, section: str | None = None, language: str | None = None) -> list[Unit]:
    """Sentences and list lines in document order; short title-like lines become headings for what follows.

    The chunk's section comes first as a heading (a text document's title, or a section that runs on from an earlier
    chunk), also when the text opens with it as a line of its own: a title is never an answer, and what a passage is
    about is often said only there."""
    language = language or detect_language(text[:1000]) or "en"
    units: list[Unit] = []
    heading = section_heading(section)
    # The chunker opens a chunk with the last part of its section's path ("Prices > Workshop" -> "Workshop").
    own_titles = {heading, heading.rsplit(" > ", 1)[-1]} if heading else set()
    if heading:
        units.append(Unit(heading, heading, 0, True))
    first_line = True
    for raw_line in text.splitlines():
        line = _clean(raw_line)
        if not line:
            continue
        if first_line and line in own_titles:  # the title again, as the text's own first line
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
