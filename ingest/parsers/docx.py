"""DOCX -> sections keyed by their Heading 1/2/3 path, tables rendered as "header: value" rows.

The XML is streamed through lxml parser targets (SAX-style callbacks, no tree): memory stays flat whatever the
size of word/document.xml, and the characters are counted as they arrive. python-docx would build the whole
tree first (about 17 bytes of memory per byte of XML).
"""

from __future__ import annotations

from ingest.parsers.archive import Archive
from ingest.parsers.base import ParsedDocument, ParseError, Section, enter_heading, normalise_whitespace
from ingest.parsers.limits import CharacterBudget, IngestLimits
from ingest.parsers.wordml import BodyReader, StylesReader, TitleReader, heading_level

DOCUMENT_PART = "word/document.xml"
STYLES_PART = "word/styles.xml"
CORE_PART = "docProps/core.xml"


def parse_docx(data: bytes, *, limits: IngestLimits = IngestLimits()) -> ParsedDocument:
    """Extract paragraphs under their heading path and tables as one line per row."""
    archive = Archive(data, limits)
    if DOCUMENT_PART not in archive:
        raise ParseError("the file is a zip archive but not a Word (DOCX) document")
    styles = _feed(archive, STYLES_PART, StylesReader()) if STYLES_PART in archive else StylesReader()
    core = _feed(archive, CORE_PART, TitleReader()) if CORE_PART in archive else TitleReader()
    title = normalise_whitespace(core.title) or None

    sections: list[Section] = []
    path: tuple[tuple[int, str], ...] = ()
    pending: list[str] = []

    def flush() -> None:
        if pending:
            headings = tuple(title for _, title in path)
            sections.append(Section(text="\n\n".join(pending), page=None, heading_path=headings))
            pending.clear()

    def on_paragraph(raw: str, style_id: str | None) -> None:
        nonlocal path, title
        text = normalise_whitespace(raw)
        if not text:
            return
        style = styles.name_of(style_id)
        level = heading_level(style)
        if level is not None:
            flush()
            path = enter_heading(path, level, text.replace("\n", " "))
        elif style.lower() == "title":
            title = title or text
        else:
            pending.append(text)

    def on_table(rendered: str) -> None:
        if rendered:
            pending.append(rendered)

    budget = CharacterBudget(limits.max_characters, "DOCX")
    _feed(archive, DOCUMENT_PART, BodyReader(on_paragraph, on_table, budget))
    flush()
    if not sections:
        raise ParseError("the DOCX file contains no text")
    return ParsedDocument(sections=sections, page_count=None, format="docx", title=title)


def _feed(archive: Archive, name: str, target):
    """Stream one XML part through `target`; entities are never expanded and nothing is fetched."""
    from lxml import etree  # loaded on first use: a text-only deployment never needs it

    parser = etree.XMLParser(target=target, resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)  # huge_tree off keeps libxml2's depth and text-node caps
    try:
        for chunk in archive.stream(name):
            parser.feed(chunk)
        parser.close()
    except etree.XMLSyntaxError as exc:
        raise ParseError("the DOCX file is damaged (its XML does not parse); try saving it again") from exc
    return target

