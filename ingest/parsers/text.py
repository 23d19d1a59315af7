"""Plain text and Markdown -> sections; Markdown `#` headings become the heading path."""

from __future__ import annotations

import codecs
import re

from ingest.parsers.base import ParsedDocument, ParseError, Section, enter_heading, normalise_whitespace
from ingest.parsers.limits import CharacterBudget, IngestLimits

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Format detection reads this much: looks_like_markdown never looks past its first 2,000 lines.
SNIFF_BYTES = 2**20
DECODE_SLICE = 2**20


def decode_text(data: bytes, *, max_characters: int | None = None, final: bool = True) -> str | None:
    """Decode by BOM, then UTF-8, then Windows-1252; None when the bytes do not look like text.

    Decoding goes a slice at a time and raises ParseError as soon as it passes `max_characters`;
    `final=False` decodes a prefix of a file.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _decode(data, encoding, max_characters, final)
            except UnicodeDecodeError:
                return None
    if b"\x00" in data:
        return None
    try:
        text = _decode(data, "utf-8", max_characters, final)
    except UnicodeDecodeError:
        try:
            # Legacy Windows exports are the common non-UTF-8 text; 1252 leaves five bytes undefined.
            text = _decode(data, "cp1252", max_characters, final)
        except UnicodeDecodeError:
            return None
    sample = text[:8192]
    if sample and len(_CONTROL.findall(sample)) > len(sample) // 100:
        return None
    return text


def sniff_text(data: bytes) -> str | None:
    """decode_text's verdict from the start of the file; the whole file is decoded only when it is parsed."""
    if b"\x00" in data and not any(data.startswith(bom) for bom, _ in _BOMS):
        return None
    return decode_text(data[:SNIFF_BYTES], final=len(data) <= SNIFF_BYTES)


def _decode(data: bytes, encoding: str, max_characters: int | None, final: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)()
    budget = CharacterBudget(max_characters, "text file") if max_characters is not None else None
    pieces = []
    for start in range(0, len(data), DECODE_SLICE):
        end = start + DECODE_SLICE
        piece = decoder.decode(data[start:end], final=final and end >= len(data))
        if budget is not None:
            budget.spend(len(piece))
        pieces.append(piece)
    return "".join(pieces)


def looks_like_markdown(text: str) -> bool:
    """True when the text has a Markdown heading or a fenced code block."""
    lines = text.splitlines()[:2000]
    previous = ""
    for line in lines:
        if _FENCE.match(line):
            return True
        if _ATX_HEADING.match(line) and line.strip("# \t"):
            return True
        if _SETEXT_UNDERLINE.match(line) and previous.strip() and len(line.strip()) >= 3:
            return True
        previous = line
    return False


def parse_text(data: bytes | str, *, limits: IngestLimits = IngestLimits()) -> ParsedDocument:
    """A plain-text file as one section."""
    text = normalise_whitespace(_as_text(data, limits))
    if not text:
        raise ParseError("the file contains no text")
    return ParsedDocument(sections=[Section(text=text)], page_count=None, format="text", title=None)


def parse_markdown(data: bytes | str, *, limits: IngestLimits = IngestLimits()) -> ParsedDocument:
    """A Markdown file split at its headings; the first top-level heading is the title."""
    lines = _as_text(data, limits).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    sections: list[Section] = []
    path: tuple[tuple[int, str], ...] = ()
    title: str | None = None
    body: list[str] = []
    in_fence = False

    def flush() -> None:
        text = normalise_whitespace("\n".join(body))
        if text:
            sections.append(Section(text=text, heading_path=tuple(heading for _, heading in path)))
        body.clear()

    def enter(level: int, heading: str) -> None:
        nonlocal path, title
        flush()
        path = enter_heading(path, level, heading)
        if level == 1 and title is None:
            title = heading

    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence or _FENCE.match(line):
            body.append(line)
            continue
        atx = _ATX_HEADING.match(line)
        if atx and atx.group(2):
            enter(len(atx.group(1)), normalise_whitespace(atx.group(2)))
            continue
        underline = _SETEXT_UNDERLINE.match(line)
        # Setext heading: a single text line directly above "===" or "---".
        if underline and body and body[-1].strip() and (len(body) == 1 or not body[-2].strip()):
            heading = normalise_whitespace(body.pop())
            enter(1 if underline.group(1)[0] == "=" else 2, heading)
            continue
        body.append(line)
    flush()
    if not sections:
        raise ParseError("the file contains no text")
    return ParsedDocument(sections=sections, page_count=None, format="markdown", title=title)


def _as_text(data: bytes | str, limits: IngestLimits) -> str:
    if isinstance(data, str):
        CharacterBudget(limits.max_characters, "text").spend(len(data))
        return data
    text = decode_text(data, max_characters=limits.max_characters)
    if text is None:
        raise ParseError("the file is not readable text (unknown encoding or binary content)")
    return text
