"""Caps on one document, checked while it is read: hostile files are refused early, whatever their size table says.

Files are tiny and the caps are lowered to match; bench/upload_bounds.py runs the full-size versions.
"""

from __future__ import annotations

import io
import random
import zipfile

import pytest

from ingest.embedders import HashEmbedder
from ingest.parsers import IngestLimits, ParseError, parse_document
from ingest.parsers.archive import READ_SIZE
from ingest.pipeline import IngestPipeline
from tests.files.generated import falsify_sizes, make_word_zip, word_paragraph

KB = 2**10


@pytest.fixture
def inflated(monkeypatch) -> dict[str, int]:
    """Counts the bytes zipfile inflates, to tell a reader that stopped at the cap from one that read it all."""
    counted = {"bytes": 0}
    original = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        data = original(self, n)
        counted["bytes"] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    return counted


def paragraphs(count: int, text: str = "Opening hours: Sunday 11:00 to 15:00.") -> list[bytes]:
    return [word_paragraph(text)] * count


def document_xml(data: bytes) -> zipfile.ZipInfo:
    return zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")


# --- DOCX -------------------------------------------------------------------------------------------------------


def test_a_bomb_whose_size_table_looks_harmless_stops_at_the_part_cap(inflated):
    # 18 MB of XML in about 60 KB, and 2 MB of image for the compressed size the directory is about to claim.
    image = random.Random(0).randbytes(2 * 2**20)
    bomb = make_word_zip(paragraphs(200_000), extra={"word/media/image1.png": image})
    real = document_xml(bomb)
    # The directory claims Word's usual 10:1 compression: a check of the declared sizes would pass it.
    lying = falsify_sizes(bomb, {"word/document.xml": (real.CRC, real.file_size // 10, real.file_size)})
    assert real.file_size > 10 * 2**20

    with pytest.raises(ParseError, match=r"unpacks to more than 256 KB of XML \(word/document.xml\)"):
        parse_document(lying, limits=IngestLimits(max_part_bytes=256 * KB))
    assert inflated["bytes"] <= 256 * KB + READ_SIZE


def test_a_size_table_that_understates_is_caught_as_damage_after_the_declared_bytes(inflated):
    bomb = make_word_zip(paragraphs(200_000))
    real = document_xml(bomb)
    lying = falsify_sizes(bomb, {"word/document.xml": (real.CRC, real.compress_size, 2 * KB)})

    with pytest.raises(ParseError, match="damaged"):
        parse_document(lying)
    assert inflated["bytes"] <= 2 * KB


def test_a_size_table_that_overstates_does_not_refuse_a_small_document():
    honest = make_word_zip(paragraphs(3))
    real = document_xml(honest)
    inflated_claim = falsify_sizes(honest, {"word/document.xml": (real.CRC, real.compress_size, 3_000_000_000)})

    document = parse_document(inflated_claim, limits=IngestLimits(max_part_bytes=64 * KB, max_unpacked_bytes=64 * KB))

    assert "Sunday 11:00 to 15:00" in document.text


def test_compression_far_beyond_word_is_refused_after_a_few_megabytes(inflated):
    spaces = make_word_zip([b" " * 2**20] * 64)  # 64 MB that deflates 1000:1

    with pytest.raises(ParseError, match="zip bomb"):
        parse_document(spaces)
    assert inflated["bytes"] < 8 * 2**20


def test_everything_unpacked_from_one_archive_counts_toward_one_cap():
    styles = b'<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' \
             + b"<!-- padding -->" * 11_000 + b"</w:styles>"
    docx = make_word_zip(paragraphs(3), extra={"word/styles.xml": styles})

    with pytest.raises(ParseError, match=r"the DOCX unpacks to more than 160 KB, the limit"):
        parse_document(docx, limits=IngestLimits(max_unpacked_bytes=160 * KB))
    assert parse_document(docx, limits=IngestLimits(max_unpacked_bytes=200 * KB)).sections


def test_xml_entity_bomb_is_refused_without_expanding_anything():
    laughs = b"<!DOCTYPE w:document [<!ENTITY a0 'haha'>" + b"".join(
        f"<!ENTITY a{i} '{f'&a{i - 1};' * 10}'>".encode() for i in range(1, 10)) + b"]>"
    bomb = make_word_zip([word_paragraph("x").replace(b">x<", b">&a9;<")], prologue=laughs)

    with pytest.raises(ParseError, match="document type declaration, which Word never writes"):
        parse_document(bomb)


def test_compression_methods_word_never_uses_are_refused_before_inflating():
    # zipfile inflates bzip2 in unbounded steps: a few KB could become gigabytes in one call.
    bzipped = make_word_zip(paragraphs(3), compression=zipfile.ZIP_BZIP2)

    with pytest.raises(ParseError, match="compressed with a method Word never uses"):
        parse_document(bzipped)


def test_docx_characters_are_counted_as_they_stream():
    docx = make_word_zip(paragraphs(50, "x" * 99))  # 4,950 characters

    with pytest.raises(ParseError, match="the DOCX holds more than 1,000 characters of text, the limit; split it"):
        parse_document(docx, limits=IngestLimits(max_characters=1_000))
    assert len(parse_document(docx, limits=IngestLimits(max_characters=5_000)).text) > 4_900


def test_a_table_header_repeated_on_every_row_counts_against_the_cap(docx_factory):
    def build(document):
        table = document.add_table(rows=21, cols=2)
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = "N" * 200, "V" * 200
        for row in table.rows[1:]:
            row.cells[0].text, row.cells[1].text = "a", "b"

    docx = docx_factory(build)  # 440 characters in the file, over 8,000 once each row carries the header

    with pytest.raises(ParseError, match="more than 2,000 characters"):
        parse_document(docx, limits=IngestLimits(max_characters=2_000))


# --- PDF and text -----------------------------------------------------------------------------------------------


def test_pdf_characters_are_counted_page_by_page(pdf_factory):
    pdf = pdf_factory(["Opening hours: Sunday 11:00 to 15:00."] * 6)  # 37 characters a page

    with pytest.raises(ParseError, match="the PDF holds more than 150 characters"):
        parse_document(pdf, limits=IngestLimits(max_characters=150))
    assert parse_document(pdf, limits=IngestLimits(max_characters=300)).page_count == 6


@pytest.fixture(scope="module")
def heavy_pdf() -> bytes:
    """Two pages whose content streams inflate to about 200 KB each from a few KB."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pageCompression=1, invariant=1)
    for text in ("Opening hours", "Prices"):
        pdf.drawString(72, 720, text)
        for _ in range(10_000):
            pdf.line(10, 10, 20, 20)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_pdf_stream_inflating_past_the_part_cap_is_refused(heavy_pdf):
    assert len(heavy_pdf) < 20 * KB

    with pytest.raises(ParseError, match="the PDF holds a stream that decompresses to more than 100 KB"):
        parse_document(heavy_pdf, limits=IngestLimits(max_part_bytes=100 * KB))


def test_pdf_page_content_counts_toward_the_unpacked_cap(heavy_pdf):
    with pytest.raises(ParseError, match="the PDF's pages decompress to more than 300 KB"):
        parse_document(heavy_pdf, limits=IngestLimits(max_unpacked_bytes=300 * KB))


def test_text_is_decoded_only_up_to_the_cap():
    text = ("Opening hours: Sunday 11:00 to 15:00.\n" * 100_000).encode()  # 3.8 million characters

    with pytest.raises(ParseError, match="the text file holds more than 1,000,000 characters"):
        parse_document(text, limits=IngestLimits(max_characters=1_000_000))


def test_pipeline_refuses_a_document_of_very_many_tiny_sections():
    markdown = "".join(f"## Item {n}\n\nIn stock.\n\n" for n in range(40)).encode()
    pipeline = IngestPipeline(HashEmbedder(), limits=IngestLimits(max_chunks=30))

    with pytest.raises(ParseError, match="splits into more than 30 chunks"):
        pipeline.run(markdown)
    assert len(IngestPipeline(HashEmbedder(), limits=IngestLimits(max_chunks=40)).run(markdown).chunks) == 40


def test_text_snippets_have_the_same_character_cap():
    pipeline = IngestPipeline(HashEmbedder(), limits=IngestLimits(max_characters=100))

    with pytest.raises(ParseError, match="more than 100 characters"):
        pipeline.run_text("x" * 101, title="Too long")

