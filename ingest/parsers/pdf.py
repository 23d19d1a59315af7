"""PDF -> one section per page, via pypdf."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError, PyPdfError

from ingest.parsers.base import ParsedDocument, ParseError, Section, normalise_whitespace

# "infor-\nmation" -> "information": a word hyphenated by the line break, not by its author.
_BROKEN_WORD = re.compile(r"(?<=[a-z]{3})-\n(?=[a-z])")
# A line at least this share of the page's longest line was wrapped by the layout, not ended by the author.
WRAPPED_LINE_SHARE = 0.75


def parse_pdf(data: bytes, *, max_pages: int = 500) -> ParsedDocument:
    """Extract the text of every page, keeping 1-based page numbers."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _unlock(reader)
        page_count = len(reader.pages)
    except ParseError:
        raise
    except DependencyError as exc:
        raise _unsupported_encryption() from exc
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        # pypdf reports damage through many exception types; all mean the same thing to the uploader.
        raise ParseError("the PDF is damaged and cannot be read; try saving or exporting it again") from exc
    if page_count == 0:
        raise ParseError("the PDF has no pages")
    if page_count > max_pages:
        raise ParseError(f"the PDF has {page_count} pages; the limit is {max_pages}, so split it into smaller files")

    sections = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            raw = page.extract_text() or ""
        except DependencyError as exc:
            raise _unsupported_encryption() from exc
        except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
            raise ParseError(f"page {number} of the PDF is damaged and cannot be read") from exc
        text = reflow(normalise_whitespace(_BROKEN_WORD.sub("", raw)))
        if text:
            sections.append(Section(text=text, page=number))
    if not sections:
        raise ParseError(
            "the PDF has no extractable text (scanned PDF?); export it with a text layer or run OCR on it first"
        )
    return ParsedDocument(sections=sections, page_count=page_count, format="pdf", title=_title(reader))


def reflow(text: str) -> str:
    """Join lines the page layout wrapped, so sentences are whole again; short lines (headings, lists) stay."""
    lines = text.split("\n")
    longest = max(len(line) for line in lines)
    if longest < 40:
        return text
    out = [lines[0]]
    for previous, line in zip(lines, lines[1:]):
        if line and len(previous) >= WRAPPED_LINE_SHARE * longest and not _starts_heading(previous, line, longest):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return "\n".join(out)


def _starts_heading(previous: str, line: str, longest: int) -> bool:
    # A sentence ends and a short line without closing punctuation follows: a heading, not a continuation.
    return previous[-1] in ".!?" and len(line) < WRAPPED_LINE_SHARE * longest and line[-1] not in ".!?:;,"


def _unlock(reader: PdfReader) -> None:
    # Many PDFs are encrypted only to restrict printing or editing; those open with an empty password.
    try:
        unlocked = reader.decrypt("")
    except FileNotDecryptedError:
        unlocked = 0
    if not unlocked:
        raise ParseError("the PDF is password-protected; remove the password and upload it again")


def _unsupported_encryption() -> ParseError:
    return ParseError("the PDF uses AES encryption, which this server cannot read; "
                      "remove the protection (print to PDF) and upload it again")


def _title(reader: PdfReader) -> str | None:
    try:
        title = reader.metadata.title if reader.metadata else None
    except (PdfReadError, ValueError, TypeError, KeyError):
        return None
    title = normalise_whitespace(str(title)) if title else ""
    return title or None
