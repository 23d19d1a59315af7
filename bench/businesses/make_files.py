"""Render the evaluation businesses' PDF and DOCX files from their committed source text (needs reportlab, python-docx).

    python bench/businesses/make_files.py

Each business folder holds `source/<name>.pdf.md` and `source/<name>.docx.md`, written in a small Markdown subset:
`#`, `##`, `###` headings, paragraphs separated by blank lines, `- ` bullets, pipe tables (first row is the header)
and `===` alone on a line for a page break (PDF only). They become `<name>.pdf` and `<name>.docx` next to `source/`.
The TXT or Markdown document of each business is written by hand and committed as is. The output is byte-stable,
so regenerating leaves git clean; the bench reads the committed files and never needs this script.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from tests.files.make_files import _fixed_timestamps  # noqa: E402 - after the path is set


@dataclass
class Block:
    kind: str  # h1, h2, h3, p, bullets, table, page
    text: str = ""
    rows: list[list[str]] | None = None


def read_blocks(path: Path) -> list[Block]:
    """The source file as a list of blocks."""
    blocks = []
    for chunk in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if lines == ["==="]:
            blocks.append(Block("page"))
        elif lines[0].startswith("#"):
            marks, _, title = lines[0].partition(" ")
            blocks.append(Block(f"h{len(marks)}", title))
            if lines[1:]:
                blocks.append(Block("p", " ".join(lines[1:])))
        elif lines[0].startswith("|"):
            rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines
                    if not set(line) <= set("|-: ")]
            blocks.append(Block("table", rows=rows))
        elif lines[0].startswith("- "):
            blocks.append(Block("bullets", rows=[[line[2:]] for line in lines]))
        else:
            blocks.append(Block("p", " ".join(lines)))
    return blocks


def write_pdf(blocks: list[Block], path: Path, author: str) -> None:
    from reportlab import rl_config
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    rl_config.invariant = 1  # no timestamps or random ids
    styles = getSampleStyleSheet()
    kinds = {"h1": styles["Heading1"], "h2": styles["Heading2"], "h3": styles["Heading3"], "p": styles["BodyText"]}
    story = []
    for block in blocks:
        if block.kind == "page":
            story.append(PageBreak())
        elif block.kind == "table":
            cells = [[Paragraph(escape(cell), styles["BodyText"]) for cell in row] for row in block.rows]
            table = Table(cells, repeatRows=1)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [table, Spacer(1, 8)]
        elif block.kind == "bullets":
            story += [Paragraph(escape(row[0]), styles["BodyText"], bulletText="•") for row in block.rows]
        else:
            story.append(Paragraph(escape(block.text), kinds[block.kind]))
    title = next(block.text for block in blocks if block.kind == "h1")
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=title, author=author).build(story)
    path.write_bytes(buffer.getvalue())


def write_docx(blocks: list[Block], path: Path, author: str) -> None:
    import docx

    document = docx.Document()
    title = next(block.text for block in blocks if block.kind == "h1")
    document.core_properties.title = title
    document.core_properties.author = author
    document.core_properties.created = document.core_properties.modified = datetime(2026, 1, 1)
    for block in blocks:
        if block.kind == "h1":
            document.add_paragraph(block.text, style="Title")
        elif block.kind in ("h2", "h3"):
            document.add_heading(block.text, level=int(block.kind[1]) - 1)
        elif block.kind == "table":
            table = document.add_table(rows=0, cols=len(block.rows[0]))
            table.style = "Table Grid"
            for row in block.rows:
                for cell, value in zip(table.add_row().cells, row):
                    cell.text = value
        elif block.kind == "bullets":
            for row in block.rows:
                document.add_paragraph(row[0], style="List Bullet")
        elif block.kind == "p":
            document.add_paragraph(block.text)
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(_fixed_timestamps(buffer.getvalue()))


def main() -> None:
    import json

    for folder in sorted(p for p in HERE.iterdir() if (p / "source").is_dir()):
        author = json.loads((folder / "questions.json").read_text(encoding="utf-8"))["name"]
        for source in sorted((folder / "source").glob("*.md")):
            stem, kind = source.name.removesuffix(".md").rsplit(".", 1)
            target = folder / f"{stem}.{kind}"
            {"pdf": write_pdf, "docx": write_docx}[kind](read_blocks(source), target, author)
            print(f"{target.relative_to(HERE)}: {target.stat().st_size} bytes")


if __name__ == "__main__":
    main()
