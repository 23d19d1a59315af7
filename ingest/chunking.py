"""Structure-aware chunking sized by the embedder's own tokenizer.

Sections are never merged (a chunk keeps one page and one heading path). Inside a section the text is cut
into paragraphs, lines and sentences (words, then characters, only for a unit too big on its own), each
measured once; units are packed greedily up to `target_tokens`, and each chunk repeats the tail of the
previous one (up to `overlap_tokens`) so a fact split across a boundary stays findable.
Hard guarantee: `count_tokens(chunk.text) <= max_tokens` for every chunk, so no model truncates silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ingest.parsers.base import Section

HEADING_SEPARATOR = " > "
MIN_BODY_TOKENS = 16

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?…。！？])\s+")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Chunk:
    """A piece of a document small enough to embed whole; `section` is the heading path joined by " > "."""

    text: str
    page: int | None
    section: str | None
    ordinal: int


@dataclass(frozen=True)
class _Unit:
    text: str
    cost: int  # tokens without the special tokens the tokenizer adds once per input
    sep: str  # what goes before this unit when it follows another: "\n\n", "\n" or " "


def chunk_sections(sections: Iterable[Section], **options) -> list[Chunk]:
    """Chunks for `sections`, in order, with ordinals counting from 0 across the whole document."""
    return list(iter_chunks(sections, **options))


def iter_chunks(
    sections: Iterable[Section],
    *,
    count_tokens: Callable[[str], int],
    max_tokens: int,
    target_tokens: int = 200,
    overlap_tokens: int = 30,
    heading_prefix: bool = True,
) -> Iterator[Chunk]:
    """chunk_sections one chunk at a time, so a caller can stop early."""
    chunker = _Chunker(count_tokens, max_tokens, target_tokens, overlap_tokens, heading_prefix)
    ordinal = 0
    for section in sections:
        label = HEADING_SEPARATOR.join(section.heading_path) or None
        for text in chunker.section_texts(section):
            yield Chunk(text=text, page=section.page, section=label, ordinal=ordinal)
            ordinal += 1


class _Chunker:
    def __init__(self, count_tokens: Callable[[str], int], max_tokens: int, target_tokens: int,
                 overlap_tokens: int, heading_prefix: bool) -> None:
        self.count = count_tokens
        # Special tokens ([CLS], [SEP]) are paid once per input, not once per unit.
        self.overhead = count_tokens("")
        self.max_tokens = max_tokens
        if max_tokens - self.overhead < MIN_BODY_TOKENS:
            raise ValueError(f"max_tokens={max_tokens} leaves no room for text after special tokens")
        if not 0 <= overlap_tokens < target_tokens:
            raise ValueError("overlap_tokens must be at least 0 and smaller than target_tokens")
        # The target is a preference; the model's limit wins.
        self.target_tokens = min(target_tokens, max_tokens)
        self.overlap_tokens = overlap_tokens
        self.heading_prefix = heading_prefix
        self._prefixes: dict[tuple[str, ...], tuple[str, int]] = {}

    def cost(self, text: str) -> int:
        return self.count(text) - self.overhead

    def prefix(self, path: tuple[str, ...]) -> tuple[str, int]:
        """The heading line put before each chunk of a section, and its cost; dropped when too long to help."""
        if not self.heading_prefix or not path:
            return "", 0
        if path not in self._prefixes:
            allowance = (self.max_tokens - self.overhead) // 4
            choice = ("", 0)
            for candidate in (HEADING_SEPARATOR.join(path), path[-1]):
                if len(candidate) > 8 * allowance:  # cannot fit: word pieces average well under 8 characters
                    continue
                cost = self.cost(candidate + "\n")
                if cost <= allowance:
                    choice = (candidate + "\n", cost)
                    break
            self._prefixes[path] = choice
        return self._prefixes[path]

    def section_texts(self, section: Section) -> Iterator[str]:
        prefix, prefix_cost = self.prefix(section.heading_path)
        body_limit = self.max_tokens - self.overhead - prefix_cost
        target = max(min(self.target_tokens - self.overhead - prefix_cost, body_limit), MIN_BODY_TOKENS // 2)
        overlap = min(self.overlap_tokens, target // 2)
        for units in self._pack(self._units(section.text, target), target, overlap):
            body = "".join(unit.text if i == 0 else unit.sep + unit.text for i, unit in enumerate(units))
            yield from self._verified(prefix, body)

    def _units(self, text: str, limit: int) -> Iterator[_Unit]:
        """Paragraphs -> lines -> sentences, each at most `limit` tokens (longer ones cut into words)."""
        for p, paragraph in enumerate(_PARAGRAPH_BREAK.split(text)):
            for n, line in enumerate(paragraph.split("\n")):
                for s, sentence in enumerate(_SENTENCE_END.split(line.strip())):
                    if not sentence:
                        continue
                    sep = "\n\n" if (p and not n and not s) else "\n" if (n and not s) else " "
                    # Text far beyond the limit is cut before measuring: the count would only say "too long",
                    # and tokenizers warn about inputs longer than the model.
                    cost = self.cost(sentence) if len(sentence) <= 4 * limit else limit + 1
                    if cost <= limit:
                        yield _Unit(sentence, cost, sep)
                        continue
                    for i, piece in enumerate(self._split_long(sentence, limit)):
                        yield _Unit(piece.text, piece.cost, sep if i == 0 else " ")

    def _split_long(self, sentence: str, limit: int) -> Iterator[_Unit]:
        """Cut an over-long sentence into runs of whole words (a word longer than `limit` into characters)."""
        words: list[str] = []
        total = 0
        for word in _WHITESPACE.split(sentence):
            if not word:
                continue
            cost = self.cost(word) if len(word) <= 2 * limit else limit + 1
            if cost > limit:
                if words:
                    yield _Unit(" ".join(words), total, " ")
                    words, total = [], 0
                yield from self._split_chars(word, limit)
                continue
            if words and total + cost > limit:
                yield _Unit(" ".join(words), total, " ")
                words, total = [], 0
            words.append(word)
            total += cost
        if words:
            yield _Unit(" ".join(words), total, " ")

    def _split_chars(self, word: str, limit: int) -> Iterator[_Unit]:
        # Binary search for the longest prefix that fits: a run of letters without spaces (a URL, base64)
        # tokenizes unpredictably, so it is measured rather than estimated.
        while word:
            # Pieces are capped at 2 * limit characters: a longer prefix might fit, but a shorter piece is still
            # correct and every string measured stays under the model's own length.
            low, high = 1, min(len(word), 2 * limit)
            while low < high:
                middle = (low + high + 1) // 2
                if self.cost(word[:middle]) <= limit:
                    low = middle
                else:
                    high = middle - 1
            piece = word[:low]
            yield _Unit(piece, self.cost(piece), " ")
            word = word[low:]

    def _pack(self, units: Iterable[_Unit], target: int, overlap: int) -> Iterator[list[_Unit]]:
        current: list[_Unit] = []
        total = 0
        fresh = False  # whether `current` holds anything beyond the overlap carried from the last chunk
        for unit in units:
            if fresh and total + unit.cost > target:
                yield current
                current = self._tail(current, min(overlap, target - unit.cost))
                total = sum(u.cost for u in current)
            current.append(unit)
            total += unit.cost
            fresh = True
        if fresh:
            yield current

    def _tail(self, units: list[_Unit], budget: int) -> list[_Unit]:
        """The last whole units that fit in `budget`; failing that, the last words of the final unit."""
        tail: list[_Unit] = []
        total = 0
        for unit in reversed(units):
            if total + unit.cost > budget:
                break
            tail.insert(0, unit)
            total += unit.cost
        if tail or budget <= 0:
            return tail
        words: list[str] = []
        for word in reversed(units[-1].text.split(" ")):
            cost = self.cost(word)
            if total + cost > budget:
                break
            words.insert(0, word)
            total += cost
        return [_Unit(" ".join(words), total, " ")] if words else []

    def _verified(self, prefix: str, body: str) -> Iterator[str]:
        """Yield `prefix + body`, halved until it fits when the summed unit costs were not exact."""
        text = prefix + body
        if self.count(text) <= self.max_tokens:
            yield text
            return
        words = body.split(" ")
        if len(words) > 1:
            middle = len(words) // 2
            parts = [" ".join(words[:middle]), " ".join(words[middle:])]
        elif len(body) > 1:
            parts = [body[: len(body) // 2], body[len(body) // 2:]]
        else:
            return  # one character the model cannot fit even alone: nothing honest to emit
        for part in parts:
            if part.strip():
                yield from self._verified(prefix, part)
