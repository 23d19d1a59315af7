"""Small test files made on the fly: bad inputs are generated, not committed."""

from __future__ import annotations

import io
import random
import struct
import zipfile
from collections.abc import Callable, Iterable, Sequence


def make_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, format="PNG")
    return buffer.getvalue()


def make_pdf(pages: Sequence[str], *, title: str | None = None) -> bytes:
    """A small PDF with one line of text per page (an empty string gives a page without text)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    if title:
        pdf.setTitle(title)
    for text in pages:
        if text:
            pdf.drawString(72, 720, text)
        else:  # what a scan looks like to a text extractor: marks on the page, no text
            pdf.rect(72, 400, 300, 300, fill=1)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_catalogue_pdf(pages: int) -> bytes:
    """A parts catalogue of `pages` dense pages (about 330 words each, deterministic), about none of the Velo Verde
    questions, so adding it to a knowledge base does not change their answers."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    rng = random.Random(7)
    words = ("alloy spoke nipple hub flange bearing cassette derailleur chainring crank axle thread torque "
             "gauge valve rim tape sealant caliper rotor pad lever cable housing ferrule clamp stem spacer "
             "headset cup race seatpost saddle rail bracket mount fender rack eyelet dropout hanger").split()
    styles = getSampleStyleSheet()
    story = []
    for page in range(pages):
        story.append(Paragraph(f"Catalogue section {page + 1}", styles["Heading2"]))
        for item in range(6):
            text = " ".join(rng.choice(words) for _ in range(55))
            story.append(Paragraph(f"Part VV-{page:03d}-{item}: {text}.", styles["BodyText"]))
        story.append(PageBreak())
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, title="Velo Verde parts catalogue").build(story)
    return buffer.getvalue()


def encrypt_pdf(data: bytes, user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    # RC4 works without the optional `cryptography` package; AES would need it.
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def make_docx(build: Callable) -> bytes:
    """A DOCX built by `build(document)` with python-docx."""
    import docx

    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


WORD_NAMESPACE = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_PACKAGE_RELATIONSHIPS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="word/document.xml" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
)


def word_paragraph(text: str) -> bytes:
    """One WordprocessingML paragraph holding `text` (XML-escaped)."""
    from xml.sax.saxutils import escape

    return f"<w:p><w:r><w:t xml:space=\"preserve\">{escape(text)}</w:t></w:r></w:p>".encode()


def make_word_zip(body: Iterable[bytes], *, prologue: bytes = b"", extra: dict[str, bytes] | None = None,
                  compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A minimal DOCX (python-docx opens it) whose word/document.xml body is written from `body`, a chunk at a
    time, so even a document.xml of a gigabyte never sits in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _PACKAGE_RELATIONSHIPS)
        with archive.open("word/document.xml", "w") as part:
            part.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + prologue)
            part.write(f'<w:document xmlns:w="{WORD_NAMESPACE}"><w:body>'.encode())
            for chunk in body:
                part.write(chunk)
            part.write(b"</w:body></w:document>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def falsify_sizes(data: bytes, declared: dict[str, tuple[int, int, int]]) -> bytes:
    """The same zip with a lying size table: member name -> (crc32, compressed, uncompressed) as declared in
    both its local header and the central directory (zipfile reads the sizes from the directory)."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        position = archive.start_dir
        for info in archive.infolist():
            names, extra, comment = struct.unpack_from("<HHH", out, position + 28)
            if info.filename in declared:
                struct.pack_into("<III", out, position + 16, *declared[info.filename])
                struct.pack_into("<III", out, info.header_offset + 14, *declared[info.filename])
            position += 46 + names + extra + comment
    return bytes(out)
