"""Parsers: every format yields its text with pages or headings, and every bad file a clear ParseError."""

from __future__ import annotations

import codecs

import pytest

from ingest.parsers import IngestLimits, ParseError, UnsupportedFormat, detect_format, parse_document
from tests.files.generated import make_word_zip


def section_with(document, needle: str):
    matches = [section for section in document.sections if needle in section.text]
    assert matches, f"{needle!r} not found in any section"
    return matches[0]


# --- the four sample formats -------------------------------------------------------------------------------------


def test_pdf_keeps_page_numbers_and_title(sample):
    document = parse_document(sample("velo_verde_handbook.pdf"))

    assert (document.format, document.page_count, document.title) == ("pdf", 3, "Velo Verde customer handbook")
    assert section_with(document, "Sunday: 11:00 to 15:00").page == 1
    assert section_with(document, "returned within 30 days").page == 2
    assert section_with(document, "basic tune-up costs £45").page == 3


def test_pdf_rejoins_lines_the_layout_wrapped_but_keeps_short_lines(sample):
    document = parse_document(sample("velo_verde_handbook.pdf"))
    page_two = section_with(document, "Return policy").text

    assert "with the receipt or order number. Bicycles can be returned within 14 days" in page_two
    assert "\nShipping\n" in page_two  # a heading stays on its own line
    assert "  " not in document.text


def test_docx_keeps_heading_paths_and_renders_table_rows(sample):
    document = parse_document(sample("velo_verde_prices.docx"))
    repairs = section_with(document, "Puncture repair")

    assert (document.format, document.page_count, document.title) == ("docx", None, "Velo Verde workshop price list")
    assert repairs.heading_path == ("Workshop services", "Standard repairs")
    assert "Service: Puncture repair; Price: £12; Time: 15 minutes" in repairs.text.splitlines()[2]
    assert "Service: Gear indexing; Price: £18; Time: 20 minutes" in repairs.text  # empty cell left out, no "Notes:"
    assert section_with(document, "E-bike diagnostic").heading_path == ("Workshop services", "E-bike services")
    assert section_with(document, "Store the battery").heading_path == (
        "Workshop services", "E-bike services", "Battery care")
    assert section_with(document, "City bike: £25").heading_path == ("Rentals",)


def test_markdown_headings_become_the_heading_path(sample):
    document = parse_document(sample("velo_verde_faq.md"))

    assert (document.format, document.title) == ("markdown", "Velo Verde online shop FAQ")
    assert section_with(document, "£39").heading_path == (
        "Velo Verde online shop FAQ", "Online orders", "Do you ship bicycles?")
    assert section_with(document, "500 charge cycles").heading_path[1] == "E-bikes"
    assert not any(line.startswith("#") for line in document.text.splitlines())


def test_plain_text_is_one_section(sample):
    document = parse_document(sample("velo_verde_faq.txt"))

    assert document.format == "text"
    assert len(document.sections) == 1
    assert document.sections[0].heading_path == ()
    assert "Q: Are you open on Sundays?" in document.text


def test_markdown_code_fences_and_setext_headings():
    text = "Intro line\n\nPrices\n======\n\n```\n# not a heading\n```\n\nDelivery\n--------\nFree over £50.\n"
    document = parse_document(text.encode())

    assert section_with(document, "# not a heading").heading_path == ("Prices",)
    assert section_with(document, "Free over £50.").heading_path == ("Prices", "Delivery")


def test_a_repeated_or_skipped_heading_level_replaces_its_sibling():
    text = "## Returns\n\n30 days.\n\n## Shipping\n\n#### Express\n\n£9.95\n\n### Standard\n\n£4.95\n"

    document = parse_document(text.encode())

    assert [s.heading_path for s in document.sections] == [("Returns",), ("Shipping", "Express"),
                                                           ("Shipping", "Standard")]


def test_docx_with_table_before_any_heading_and_merged_cells(docx_factory):
    def build(document):
        document.add_paragraph("Opening hours")
        table = document.add_table(rows=3, cols=2)
        for row, values in zip(table.rows, [("Day", "Hours"), ("Sunday", "11:00 to 15:00"), ("Note", "")]):
            row.cells[0].text, row.cells[1].text = values
        merged = table.rows[2].cells[0].merge(table.rows[2].cells[1])
        merged.text = "Closed on 25 December"

    document = parse_document(docx_factory(build))

    assert document.sections[0].heading_path == ()
    assert "Day: Sunday; Hours: 11:00 to 15:00" in document.text
    assert "Closed on 25 December" in document.text


def test_docx_vertically_merged_cells_repeat_and_nested_tables_count(docx_factory):
    def build(document):
        table = document.add_table(rows=3, cols=2)
        for row, values in zip(table.rows, [("Service", "Price"), ("Tune-up", "£45"), ("Full service", "")]):
            row.cells[0].text, row.cells[1].text = values
        table.cell(1, 1).merge(table.cell(2, 1)).text = "£45"
        table.cell(2, 0).add_table(rows=1, cols=1).cell(0, 0).text = "bearings included"

    document = parse_document(docx_factory(build))

    assert document.text.splitlines() == ["Service: Tune-up; Price: £45",
                                          "Service: Full service bearings included; Price: £45"]


def test_docx_text_boxes_and_moved_away_text_are_left_out():
    body = (b"<w:p><w:r><w:t>Open daily</w:t><w:tab/><w:t>9-5</w:t><w:br/><w:t>Closed 25 December</w:t>"
            b"<w:pict><w:txbxContent><w:p><w:r><w:t>Sale!</w:t></w:r></w:p></w:txbxContent></w:pict></w:r>"
            b"<w:moveFrom><w:r><w:t>old place</w:t></w:r></w:moveFrom></w:p>")

    document = parse_document(make_word_zip([body]))

    assert document.text == "Open daily 9-5\nClosed 25 December"


# --- detection by content --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("velo_verde_handbook.pdf", "pdf"),
    ("velo_verde_prices.docx", "docx"),
    ("velo_verde_faq.md", "markdown"),
    ("velo_verde_faq.txt", "text"),
])
def test_format_is_detected_from_content(sample, name, expected):
    assert detect_format(sample(name)) == expected


def test_a_pdf_named_txt_is_still_a_pdf(sample, tmp_path):
    misnamed = tmp_path / "opening_hours.txt"
    misnamed.write_bytes(sample("velo_verde_handbook.pdf"))

    document = parse_document(misnamed.read_bytes())

    assert document.format == "pdf"
    assert document.page_count == 3


@pytest.mark.parametrize(("data", "expected"), [
    ("Prijzen: fiets huren €25 per dag, café open".encode("cp1252"), "café"),
    (codecs.BOM_UTF16_LE + "Öffnungszeiten: Sonntag 11–15 Uhr".encode("utf-16-le"), "Sonntag 11–15"),
    (codecs.BOM_UTF8 + "Opening hours".encode(), "Opening hours"),
])
def test_text_in_legacy_encodings_is_decoded(data, expected):
    document = parse_document(data)

    assert document.format == "text"
    assert expected in document.text
    assert not document.text.startswith("\ufeff")


# --- bad input ------------------------------------------------------------------------------------------------


def test_empty_file():
    with pytest.raises(ParseError, match="^the file is empty$"):
        parse_document(b"")


def test_whitespace_only_text():
    with pytest.raises(ParseError, match="no text"):
        parse_document(b" \n\n\t \n")


def test_image_names_itself_and_the_supported_types(png):
    with pytest.raises(UnsupportedFormat) as caught:
        parse_document(png)

    assert "PNG image" in caught.value.message
    assert "PDF, DOCX, TXT or Markdown" in caught.value.message


def test_unknown_binary_is_unsupported():
    with pytest.raises(UnsupportedFormat, match="unsupported file type; upload a PDF, DOCX, TXT or Markdown"):
        parse_document(bytes(range(256)) * 4)


def test_password_protected_pdf(encrypted_pdf):
    with pytest.raises(ParseError, match="the PDF is password-protected; remove the password and upload it again"):
        parse_document(encrypted_pdf)


def test_pdf_restricted_by_an_owner_password_only_is_readable(restricted_pdf):
    document = parse_document(restricted_pdf)

    assert "Sunday 11:00 to 15:00" in document.text


def test_scanned_pdf_without_text(scanned_pdf):
    with pytest.raises(ParseError, match=r"no extractable text \(scanned PDF\?\)"):
        parse_document(scanned_pdf)


def test_pdf_over_the_page_cap(pdf_factory):
    data = pdf_factory(["one", "two", "three"])

    with pytest.raises(ParseError, match="the PDF has 3 pages; the limit is 2"):
        parse_document(data, limits=IngestLimits(max_pages=2))
    assert parse_document(data, limits=IngestLimits(max_pages=3)).page_count == 3


def test_truncated_pdf(sample):
    data = sample("velo_verde_handbook.pdf")

    with pytest.raises(ParseError, match="the PDF is damaged"):
        parse_document(data[: len(data) // 3])


def test_truncated_docx(sample):
    data = sample("velo_verde_prices.docx")

    with pytest.raises(ParseError, match="damaged"):
        parse_document(data[: len(data) // 2])


def test_docx_with_broken_xml(zip_factory):
    data = zip_factory({"[Content_Types].xml": b"<Types", "word/document.xml": b"<w:document><oops"})

    with pytest.raises(ParseError, match="the DOCX file is damaged"):
        parse_document(data)


def test_zip_that_is_not_a_word_document(zip_factory):
    spreadsheet = zip_factory({"xl/workbook.xml": b"<workbook/>"})

    with pytest.raises(UnsupportedFormat, match="not a Word document"):
        parse_document(spreadsheet)


def test_parse_error_message_is_the_user_facing_text():
    with pytest.raises(ParseError) as caught:
        parse_document(b"")

    assert str(caught.value) == caught.value.message == "the file is empty"
