"""PDF -> one section per page, via pypdf."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from pypdf import PdfReader, apply_configuration
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PdfReadError, PyPdfError

from ingest.parsers.base import ParsedDocument, ParseError, Section, normalise_whitespace
from ingest.parsers.limits import CharacterBudget, IngestLimits, describe_size

# "infor-\nmation" -> "information": a word hyphenated by the line break, not by its author.
_BROKEN_WORD = re.compile(r"(?<=[a-z]{3})-\n(?=[a-z])")
# A line at least this share of the page's longest line was wrapped by the layout, not ended by the author.
WRAPPED_LINE_SHARE = 0.75


def parse_pdf(data: bytes, *, limits: IngestLimits = IngestLimits(),
              between_pages: Callable[[], None] | None = None) -> ParsedDocument:
    """Extract the text of every page, keeping 1-based page numbers; `between_pages()` runs before each page."""
    # pypdf caps each decompressed stream itself (LimitReachedError); its limits are per context, not global.
    with apply_configuration(**_stream_caps(limits.max_part_bytes)):
        try:
            return _extract(data, limits, between_pages or _go_on)
        except LimitReachedError as exc:
            raise ParseError(f"the PDF holds a stream that decompresses to more than "
                             f"{describe_size(limits.max_part_bytes)} or is nested beyond reason "
                             "(a decompression bomb?); refused") from exc


def _go_on() -> None:
    pass


def _extract(data: bytes, limits: IngestLimits, between_pages: Callable[[], None]) -> ParsedDocument:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _unlock(reader)
        page_count = len(reader.pages)
    except (ParseError, LimitReachedError):
        raise
    except DependencyError as exc:
        raise _unsupported_encryption() from exc
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        # pypdf reports damage through many exception types; all mean the same thing to the uploader.
        raise ParseError("the PDF is damaged and cannot be read; try saving or exporting it again") from exc
    if page_count == 0:
        raise ParseError("the PDF has no pages")
    if page_count > limits.max_pages:
        raise ParseError(f"the PDF has {page_count} pages; the limit is {limits.max_pages}, "
                         "so split it into smaller files")

    budget = CharacterBudget(limits.max_characters, "PDF")
    decoded = 0
    sections = []
    for number, page in enumerate(reader.pages, start=1):
        between_pages()
        try:
            decoded += _content_bytes(page)
            if decoded > limits.max_unpacked_bytes:
                raise ParseError(f"the PDF's pages decompress to more than {describe_size(limits.max_unpacked_bytes)}"
                                 ", the limit; split it into smaller files")
            raw = page.extract_text() or ""
        except (ParseError, LimitReachedError):
            raise
        except DependencyError as exc:
            raise _unsupported_encryption() from exc
        except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
            raise ParseError(f"page {number} of the PDF is damaged and cannot be read") from exc
        text = reflow(normalise_whitespace(_BROKEN_WORD.sub("", raw)))
        budget.spend(len(text))
        if text:
            sections.append(Section(text=text, page=number))
    if not sections:
        raise ParseError(
            "the PDF has no extractable text (scanned PDF?); export it with a text layer or run OCR on it first"
        )
    return ParsedDocument(sections=sections, page_count=page_count, format="pdf", title=_title(reader))


def _stream_caps(max_bytes: int) -> dict[str, int]:
    return dict.fromkeys((
        "maximum_declared_stream_length", "array_based_stream_maximum_output_length", "jbig2_maximum_output_length",
        "lzw_maximum_output_length", "run_length_maximum_output_length", "zlib_maximum_output_length",
        "brotli_maximum_output_length", "image_maximum_buffer_size",
    ), max_bytes)


def _content_bytes(page) -> int:
    """Bytes of the page's decoded content streams (pypdf caches them, so extraction does not decode twice)."""
    contents = page.get("/Contents")
    if contents is None:
        return 0
    contents = contents.get_object()
    streams = contents if isinstance(contents, list) else [contents]
    return sum(len(stream.get_object().get_data()) for stream in streams)


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
