"""The shapes every parser returns, and the one error type users see."""

from __future__ import annotations

import re
from dataclasses import dataclass


class ParseError(Exception):
    """A file that cannot be ingested; `message` is written for the person who uploaded it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Section:
    """A run of text under one heading path on one page (page is 1-based; None when the format has no pages)."""

    text: str
    page: int | None = None
    heading_path: tuple[str, ...] = ()


@dataclass
class ParsedDocument:
    """A document reduced to ordered sections of plain text."""

    sections: list[Section]
    page_count: int | None
    format: str
    title: str | None = None

    @property
    def text(self) -> str:
        """All section texts, in order, separated by blank lines."""
        return "\n\n".join(section.text for section in self.sections)


_INLINE_SPACE = re.compile(r"[ \t\f\v\u00a0\u2000-\u200b\u3000]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def enter_heading(path: tuple[tuple[int, str], ...], level: int, title: str) -> tuple[tuple[int, str], ...]:
    """The (level, title) stack after a heading: deeper or equal levels close, so skipped levels leave no gap."""
    return tuple(entry for entry in path if entry[0] < level) + ((level, title),)


def normalise_whitespace(text: str) -> str:
    """Collapse inline whitespace, trim lines and keep at most one blank line between paragraphs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    lines = (_INLINE_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
