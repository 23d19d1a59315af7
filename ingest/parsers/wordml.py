"""lxml parser targets for WordprocessingML: callbacks per tag, no tree, so memory does not grow with the file.

The text rules follow python-docx (`Paragraph.text`, `_Row.cells`): a run's w:t, w:tab, w:br (line breaks
only), w:cr and w:noBreakHyphen make its text; text boxes (a paragraph inside a paragraph) and moved-away
text are left out; a horizontally merged cell counts once, a vertically merged one repeats the value above.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ingest.parsers.base import ParseError, normalise_whitespace
from ingest.parsers.limits import CharacterBudget

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
P, R, T, TBL, TR, TC = W + "p", W + "r", W + "t", W + "tbl", W + "tr", W + "tc"
PPR, PSTYLE, BR, MOVE_FROM = W + "pPr", W + "pStyle", W + "br", W + "moveFrom"
TRPR, GRID_BEFORE, TCPR, GRID_SPAN, V_MERGE = W + "trPr", W + "gridBefore", W + "tcPr", W + "gridSpan", W + "vMerge"
STYLE, NAME, VAL, TYPE = W + "style", W + "name", W + "val", W + "type"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
RUN_SYMBOLS = {W + "tab": "\t", W + "ptab": "\t", W + "cr": "\n", W + "noBreakHyphen": "-"}

HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
# Word has nine heading styles and one title style; the cap only stops a crafted styles part from growing the map.
MAX_NAMED_STYLES = 1_000
MAX_TITLE_CHARACTERS = 1_000


def heading_level(style: str) -> int | None:
    match = HEADING_STYLE.match(style.strip())
    return int(match.group(1)) if match else None


class _Target:
    def start(self, tag: str, attrib) -> None:
        pass

    def end(self, tag: str) -> None:
        pass

    def data(self, text: str) -> None:
        pass

    def doctype(self, *args) -> None:
        # OPC forbids DTDs in package parts; a DTD in an upload is there to declare entities (a "billion laughs").
        raise ParseError("the DOCX file contains an XML document type declaration, which Word never writes; refused")

    def close(self) -> None:
        pass


class StylesReader(_Target):
    """word/styles.xml: the names of heading and title paragraph styles by style id, and the default style."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.default = ""
        self._open: tuple[str | None, bool] | None = None  # (style id, is default) of the open paragraph style

    def start(self, tag: str, attrib) -> None:
        if tag == STYLE:
            is_paragraph_style = attrib.get(TYPE) == "paragraph"
            self._open = (attrib.get(W + "styleId"), attrib.get(W + "default") in ("1", "true", "on")) \
                if is_paragraph_style else None
        elif tag == NAME and self._open is not None:
            style_id, is_default = self._open
            name = attrib.get(VAL, "")
            if is_default:
                self.default = name
            wanted = heading_level(name) is not None or name.lower() == "title"
            if style_id and wanted and len(self.names) < MAX_NAMED_STYLES:
                self.names[style_id] = name

    def end(self, tag: str) -> None:
        if tag == STYLE:
            self._open = None

    def name_of(self, style_id: str | None) -> str:
        """The style's name when it is a heading or the title; "" for any other style."""
        return self.names.get(style_id, "") if style_id else self.default


class TitleReader(_Target):
    """docProps/core.xml: the document title (dc:title)."""

    def __init__(self) -> None:
        self.title = ""
        self._inside = False

    def start(self, tag: str, attrib) -> None:
        self._inside = tag == DC_TITLE

    def end(self, tag: str) -> None:
        self._inside = False

    def data(self, text: str) -> None:
        if self._inside and len(self.title) < MAX_TITLE_CHARACTERS:
            self.title = (self.title + text)[:MAX_TITLE_CHARACTERS]


class BodyReader(_Target):
    """word/document.xml: reports each top-level paragraph (text, style id) and each rendered table."""

    def __init__(self, on_paragraph: Callable[[str, str | None], None], on_table: Callable[[str], None],
                 budget: CharacterBudget) -> None:
        self._on_paragraph, self._on_table, self._budget = on_paragraph, on_table, budget
        self._stack: list[str] = []
        self._paragraphs = 0  # open w:p; 2 or more means a text box inside a paragraph
        self._tables = 0  # open w:tbl outside any paragraph; 2 or more means a table inside a cell
        self._moved_away = 0  # open w:moveFrom: tracked-change text already shown where it moved to
        self._in_text = False
        self._text: list[str] = []
        self._style_id: str | None = None
        self._table: _TableReader | None = None

    def start(self, tag: str, attrib) -> None:
        parent = self._stack[-1] if self._stack else None
        self._stack.append(tag)
        if tag == P:
            self._paragraphs += 1
            if self._paragraphs == 1:
                self._text, self._style_id = [], None
        elif tag == TBL:
            if self._paragraphs == 0:
                self._tables += 1
                if self._tables == 1:
                    self._table = _TableReader(self._budget)
        elif tag == MOVE_FROM:
            self._moved_away += 1
        elif self._paragraphs == 1:
            if parent == R and not self._moved_away:
                if tag == T:
                    self._in_text = True
                elif tag in RUN_SYMBOLS:
                    self._add(RUN_SYMBOLS[tag])
                elif tag == BR and attrib.get(TYPE, "textWrapping") == "textWrapping":
                    self._add("\n")
            elif tag == PSTYLE and parent == PPR and self._stack[-3] == P:
                self._style_id = attrib.get(VAL)
        elif self._tables == 1 and self._table is not None:
            self._table.start(tag, parent, attrib)

    def data(self, text: str) -> None:
        if self._in_text:
            self._add(text)

    def _add(self, text: str) -> None:
        self._budget.spend(len(text))
        self._text.append(text)

    def end(self, tag: str) -> None:
        self._stack.pop()
        if tag == T:
            self._in_text = False
        elif tag == MOVE_FROM:
            self._moved_away -= 1
        elif tag == P:
            self._paragraphs -= 1
            if self._paragraphs == 0:
                text, self._text = "".join(self._text), []
                if self._tables == 0:
                    self._on_paragraph(text, self._style_id)
                elif self._table is not None:
                    self._table.add_paragraph(text)
        elif tag == TBL and self._paragraphs == 0:
            self._tables -= 1
            if self._tables == 0 and self._table is not None:
                self._on_table(self._table.render())
                self._table = None
        elif self._tables == 1 and self._table is not None:
            self._table.end(tag)


class _TableReader:
    """One top-level table, rendered row by row as it streams ("header: value; header: value")."""

    def __init__(self, budget: CharacterBudget) -> None:
        self._budget = budget
        self._header: list[str] | None = None
        self._lines: list[str] = []
        self._body_rows = 0
        self._above: dict[int, str] = {}  # grid column where a cell of the previous row starts -> its text
        self._starts: dict[int, str] = {}
        self._row: list[str] = []
        self._raw = 0  # characters of this row that came from the document (not copied from a merge above)
        self._grid = 0
        self._cell: list[str] | None = None
        self._span, self._continues = 1, False

    def start(self, tag: str, parent: str | None, attrib) -> None:
        if tag == TR:
            self._row, self._starts, self._raw, self._grid = [], {}, 0, 0
        elif tag == TC:
            self._cell, self._span, self._continues = [], 1, False
        elif tag == GRID_BEFORE and parent == TRPR:
            self._grid = _number(attrib.get(VAL))
        elif tag == GRID_SPAN and parent == TCPR:
            self._span = max(_number(attrib.get(VAL)), 1)
        elif tag == V_MERGE and parent == TCPR:
            self._continues = attrib.get(VAL, "continue") == "continue"

    def add_paragraph(self, text: str) -> None:
        if self._cell is not None:
            self._cell.append(text)

    def end(self, tag: str) -> None:
        if tag == TC and self._cell is not None:
            if self._continues:
                text = self._above.get(self._grid, "")
            else:
                text = normalise_whitespace("\n".join(self._cell)).replace("\n", " ")
                self._raw += len(text)
            self._row.append(text)
            self._starts[self._grid] = text
            self._grid += self._span
            self._cell = None
        elif tag == TR:
            self._above = self._starts
            self._add_row(self._row)

    def _add_row(self, row: list[str]) -> None:
        if not any(row):
            return
        if self._header is None:
            self._header = row
            return
        self._body_rows += 1
        line = render_row(self._header, row)
        # Header names repeat on every line: count what the rendering adds, so a wide header cannot amplify.
        self._budget.spend(max(len(line) - self._raw, 0))
        if line:
            self._lines.append(line)

    def render(self) -> str:
        if self._header is None:
            return ""
        if not self._body_rows:
            return "; ".join(cell for cell in self._header if cell)
        return "\n".join(self._lines)


def render_row(header: list[str], row: list[str]) -> str:
    """A data row that reads on its own: "header: value; header: value", empty cells left out."""
    if len(row) == len(header):
        parts = [f"{name}: {value}" if name else value for name, value in zip(header, row) if value]
    else:  # merged cells broke the column alignment; the values still matter
        parts = [value for value in row if value]
    return "; ".join(parts)


def _number(value: str | None) -> int:
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0
