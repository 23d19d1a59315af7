"""DOCX -> sections keyed by their Heading 1/2/3 path, tables rendered as "header: value" rows."""

from __future__ import annotations

import io
import re
import zipfile

from ingest.parsers.base import ParsedDocument, ParseError, Section, enter_heading, normalise_whitespace

DOCUMENT_PART = "word/document.xml"
# Word's XML deflates about 10:1; beyond 100:1 on a large entry the archive is built to explode.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_MIN_BYTES = 2**20
MAX_ENTRIES = 10_000

_HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)


def archive_names(data: bytes) -> list[str]:
    """The entry names of a zip archive, read from its directory only; ParseError when it is damaged."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise ParseError("the file is a damaged zip archive (DOCX); try saving it again") from exc


def check_archive(data: bytes, *, max_unpacked_bytes: int) -> None:
    """Refuse damaged archives and zip bombs by reading only the zip directory, before anything is inflated."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise ParseError("the DOCX file is damaged (not a readable zip archive); try saving it again") from exc
    if len(entries) > MAX_ENTRIES:
        raise ParseError(f"the DOCX file holds {len(entries)} parts, more than a Word document ever needs; refused")
    # zipfile stops inflating an entry at its declared size (and then fails its CRC check),
    # so the sizes in the directory bound what python-docx can unpack.
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > max_unpacked_bytes:
        raise ParseError(
            f"the DOCX file unpacks to {_size(unpacked)}, more than the {_size(max_unpacked_bytes)} limit; "
            "remove large images or split the document"
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size >= RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise ParseError("the DOCX file is compressed far beyond what Word produces (a zip bomb?); refused")
    if DOCUMENT_PART not in {entry.filename for entry in entries}:
        raise ParseError("the file is a zip archive but not a Word (DOCX) document")


def parse_docx(data: bytes, *, max_unpacked_bytes: int = 200 * 2**20) -> ParsedDocument:
    """Extract paragraphs under their heading path and tables as one line per row."""
    check_archive(data, max_unpacked_bytes=max_unpacked_bytes)
    import docx  # python-docx, loaded on first use: it pulls in lxml
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(document.iter_inner_content())
    except Exception as exc:  # python-docx and lxml raise a wide, undocumented set on damaged files
        raise ParseError("the DOCX file is damaged and cannot be read; try saving it again") from exc

    title = _core_title(document)
    sections: list[Section] = []
    path: tuple[tuple[int, str], ...] = ()
    pending: list[str] = []

    def flush() -> None:
        if pending:
            headings = tuple(title for _, title in path)
            sections.append(Section(text="\n\n".join(pending), page=None, heading_path=headings))
            pending.clear()

    for block in blocks:
        if isinstance(block, Table):
            rendered = render_table(_table_rows(block))
            if rendered:
                pending.append(rendered)
            continue
        text = normalise_whitespace(block.text)
        if not text:
            continue
        style = _style_name(block)
        level = _heading_level(style)
        if level is not None:
            flush()
            path = enter_heading(path, level, text.replace("\n", " "))
        elif style.lower() == "title":
            title = title or text
        else:
            pending.append(text)
    flush()
    if not sections:
        raise ParseError("the DOCX file contains no text")
    return ParsedDocument(sections=sections, page_count=None, format="docx", title=title)


def render_table(rows: list[list[str]]) -> str:
    """One line per data row, "header: value; header: value", so each row reads on its own."""
    rows = [row for row in rows if any(row)]
    if not rows:
        return ""
    header, body = rows[0], rows[1:]
    if not body:
        return "; ".join(cell for cell in header if cell)
    lines = []
    for row in body:
        if len(row) == len(header):
            parts = [f"{name}: {value}" if name else value for name, value in zip(header, row) if value]
        else:  # merged cells broke the column alignment; the values still matter
            parts = [value for value in row if value]
        lines.append("; ".join(parts))
    return "\n".join(line for line in lines if line)


def _size(count: int) -> str:
    return f"{count / 2**20:.0f} MB" if count >= 2**20 else f"{count / 2**10:.0f} KB"


def _table_rows(table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            if cell._tc is previous:  # a horizontally merged cell is reported once per grid column
                continue
            previous = cell._tc
            cells.append(normalise_whitespace(cell.text).replace("\n", " "))
        rows.append(cells)
    return rows


def _style_name(paragraph) -> str:
    try:
        return paragraph.style.name if paragraph.style is not None else ""
    except (KeyError, AttributeError, ValueError):
        return ""


def _heading_level(style: str) -> int | None:
    match = _HEADING_STYLE.match(style.strip())
    return int(match.group(1)) if match else None


def _core_title(document) -> str | None:
    try:
        title = normalise_whitespace(document.core_properties.title or "")
    except (KeyError, AttributeError, ValueError):
        return None
    return title or None
