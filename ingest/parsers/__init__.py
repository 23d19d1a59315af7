"""Bytes -> ParsedDocument for PDF, DOCX, TXT and Markdown, with the format detected from the content."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from ingest.parsers.archive import Archive
from ingest.parsers.base import ParsedDocument, ParseError, Section, normalise_whitespace
from ingest.parsers.docx import DOCUMENT_PART, parse_docx
from ingest.parsers.limits import IngestLimits
from ingest.parsers.pdf import parse_pdf
from ingest.parsers.text import looks_like_markdown, parse_markdown, parse_text, sniff_text

__all__ = [
    "Format", "IngestLimits", "ParseError", "ParsedDocument", "Section", "UnsupportedFormat", "detect_format",
    "normalise_whitespace", "parse_document",
]

Format = Literal["pdf", "docx", "markdown", "text"]
SUPPORTED = "PDF, DOCX, TXT or Markdown"

# Formats people upload by mistake, named so the error says what the file actually is.
_KNOWN_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.doc/.xls); save it as .docx"),
    (b"{\\rtf", "an RTF file; save it as .docx"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)


class UnsupportedFormat(ParseError):
    """The content is none of the supported formats."""


def detect_format(data: bytes) -> Format:
    """The format of `data` judged by its content; the file name is never consulted."""
    if not data:
        raise ParseError("the file is empty")
    if data.lstrip(b"\x00\t\n\r\f ").startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if DOCUMENT_PART in Archive(data, IngestLimits()):
            return "docx"
        raise UnsupportedFormat(f"the file is a zip archive but not a Word document; upload a {SUPPORTED} file")
    text = sniff_text(data)
    if text is not None:
        return "markdown" if looks_like_markdown(text) else "text"
    for signature, description in _KNOWN_SIGNATURES:
        if data.startswith(signature):
            raise UnsupportedFormat(f"the file is {description}; upload a {SUPPORTED} file")
    raise UnsupportedFormat(f"unsupported file type; upload a {SUPPORTED} file")


def parse_document(data: bytes, *, limits: IngestLimits = IngestLimits(),
                   between_pages: Callable[[], None] | None = None) -> ParsedDocument:
    """Detect the format of `data` and parse it within `limits`; raises ParseError with a message for the uploader.
    `between_pages` is called before each page of a PDF (a background caller waits there for urgent work)."""
    kind = detect_format(data)
    if kind == "pdf":
        return parse_pdf(data, limits=limits, between_pages=between_pages)
    if kind == "docx":
        return parse_docx(data, limits=limits)
    if kind == "markdown":
        return parse_markdown(data, limits=limits)
    return parse_text(data, limits=limits)
