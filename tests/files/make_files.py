"""Generate the Velo Verde sample knowledge base: `python tests/files/make_files.py` (needs reportlab, python-docx).

Every fact lives once in FACTS below and is rendered into all four files, so the files never contradict each
other; the auto-reply evaluation set checks answers against these same values.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

FACTS = {
    "shop": "Velo Verde",
    "address": "14 Canal Street, Millbrook MB3 7QT",
    "phone": "+44 20 7946 0958",
    "email": "hello@veloverde.example",
    "hours": [
        ("Monday", "09:00 to 18:00"),
        ("Tuesday", "09:00 to 18:00"),
        ("Wednesday", "09:00 to 18:00"),
        ("Thursday", "09:00 to 20:00"),
        ("Friday", "09:00 to 18:00"),
        ("Saturday", "10:00 to 17:00"),
        ("Sunday", "11:00 to 15:00 (shop only, the workshop is closed)"),
    ],
    "return_days": 30,
    "bike_return_days": 14,
    "bike_return_km": 50,
    "refund_days": 5,
    "shipping_standard": "£4.95",
    "shipping_free_over": "£50",
    "shipping_express": "£9.95",
    "shipping_bike": "£39",
    "shipping_eu": "£14.95",
    "warranty_bikes_years": 2,
    "warranty_frame_years": 5,
    "warranty_battery": "2 years or 500 charge cycles, whichever comes first",
    "turnaround_days": 2,
    "rental_day": "£25",
    "ebike_rental_day": "£45",
    "student_discount": "10%",
}

# (service, price, time in the workshop, notes)
REPAIRS = [
    ("Basic tune-up", "£45", "45 minutes", "gears, brakes, tyre pressure, chain lube"),
    ("Full service", "£95", "2 hours", "strip, clean and rebuild drivetrain and bearings"),
    ("Puncture repair", "£12", "15 minutes", "inner tube £6 extra if the old one cannot be patched"),
    ("Brake adjustment", "£15 per wheel", "20 minutes", "pads extra from £9"),
    ("Gear indexing", "£18", "20 minutes", ""),
    ("Chain replacement", "£20 plus parts", "20 minutes", "chains from £15"),
    ("Wheel truing", "£20", "30 minutes", ""),
]
EBIKE_SERVICES = [
    ("E-bike diagnostic", "£35", "30 minutes", "software update included"),
    ("E-bike full service", "£130", "3 hours", "includes battery health report"),
    ("Battery health check", "£20", "15 minutes", ""),
]


def hours_lines() -> list[str]:
    """One "Day: hours" line per weekday."""
    return [f"{day}: {hours}" for day, hours in FACTS["hours"]]


def handbook_pages() -> list[list[tuple[str, str]]]:
    """The customer handbook as pages of (kind, text), kind being "h1", "h2" or "p"."""
    f = FACTS
    return [
        [
            ("h1", "Velo Verde customer handbook"),
            ("p", "Velo Verde is an independent bicycle shop and repair workshop founded in 2011. We sell city "
                  "bikes, e-bikes, gravel bikes and children's bikes, and we service every brand."),
            ("h2", "Visiting us"),
            ("p", f"Our shop is at {f['address']}, two minutes from Millbrook station. Customer parking is "
                  "behind the building and there are ten bike stands at the front door."),
            ("h2", "Opening hours"),
            *[("p", line) for line in hours_lines()],
            ("p", "We are closed on 25 and 26 December and on 1 January."),
            ("h2", "Contact"),
            ("p", f"Call or WhatsApp us on {f['phone']}, or email {f['email']}. We answer messages during "
                  "opening hours, usually within one hour."),
        ],
        [
            ("h1", "Orders, returns and warranty"),
            ("h2", "Return policy"),
            ("p", f"Unused items can be returned within {f['return_days']} days of purchase with the receipt or "
                  "order number. Bicycles can be returned within "
                  f"{f['bike_return_days']} days if they have been ridden less than {f['bike_return_km']} km. "
                  f"Refunds go back to the original payment method within {f['refund_days']} business days. "
                  "Custom-built wheels, worn clothing and clearance items cannot be returned."),
            ("h2", "Shipping"),
            ("p", f"Standard UK delivery costs {f['shipping_standard']} and takes 3 to 5 business days; it is free "
                  f"on orders over {f['shipping_free_over']}. Express next-day delivery costs "
                  f"{f['shipping_express']} when ordered before 14:00. Bicycles are delivered fully assembled "
                  f"for {f['shipping_bike']}. Delivery to EU countries costs {f['shipping_eu']}."),
            ("h2", "Warranty"),
            ("p", f"All new bicycles have a {f['warranty_bikes_years']}-year warranty on parts and a "
                  f"{f['warranty_frame_years']}-year warranty on the frame. E-bike batteries are covered for "
                  f"{f['warranty_battery']}. Keep your receipt: it is your warranty card. The warranty does not "
                  "cover wear parts such as tyres, brake pads and chains, or damage from crashes."),
        ],
        [
            ("h1", "Workshop and rentals"),
            ("h2", "Workshop"),
            ("p", f"Most repairs are ready within {f['turnaround_days']} working days. A basic tune-up costs "
                  f"{REPAIRS[0][1]} and a full service {REPAIRS[1][1]}; a puncture repair is {REPAIRS[2][1]}. "
                  "Every repair includes a free safety check. Book a slot by phone or WhatsApp; the workshop is "
                  "closed on Sundays."),
            ("h2", "Rentals"),
            ("p", f"City bikes can be rented for {f['rental_day']} per day and e-bikes for {f['ebike_rental_day']} "
                  "per day, helmet and lock included. Renters must be 16 or older and show a photo ID."),
            ("h2", "Payment and discounts"),
            ("p", f"We accept cash, debit and credit cards, Apple Pay and Google Pay. Students get "
                  f"{f['student_discount']} off accessories with a valid student card. We also take part in "
                  "the Cycle to Work scheme."),
        ],
    ]


def faq_entries() -> list[tuple[str, str]]:
    """General customer questions with their answers."""
    f = FACTS
    sunday = dict(FACTS["hours"])["Sunday"]
    return [
        ("Where is the shop?", f"Velo Verde is at {f['address']}, two minutes from Millbrook station."),
        ("When are you open?", "; ".join(hours_lines()) + "."),
        ("Are you open on Sundays?", f"Yes, on Sunday we are open {sunday}."),
        ("How can I contact you?", f"Call or WhatsApp {f['phone']}, or email {f['email']}."),
        ("Can I return something?", f"Yes, unused items within {f['return_days']} days with the receipt. "
                                    f"Bicycles within {f['bike_return_days']} days if ridden less than "
                                    f"{f['bike_return_km']} km."),
        ("How long does a repair take?", f"Most repairs are ready within {f['turnaround_days']} working days."),
        ("Do you repair bikes bought elsewhere?", "Yes, we service every brand, including e-bikes."),
        ("Do you offer a student discount?", f"Students get {f['student_discount']} off accessories."),
    ]


def online_faq() -> list[tuple[str, list[tuple[str, str]]]]:
    """Markdown FAQ: topics, each with questions and answers."""
    f = FACTS
    return [
        ("Online orders", [
            ("How much is shipping?", f"Standard UK delivery is {f['shipping_standard']} (3 to 5 business days), "
                                      f"free over {f['shipping_free_over']}. Express next-day is "
                                      f"{f['shipping_express']}."),
            ("Do you ship bicycles?", f"Yes, fully assembled, for {f['shipping_bike']}."),
            ("Do you ship abroad?", f"We deliver to EU countries for {f['shipping_eu']}."),
            ("When will I get my refund?", f"Within {f['refund_days']} business days of receiving the return."),
        ]),
        ("E-bikes", [
            ("What warranty does an e-bike have?", f"{f['warranty_bikes_years']} years on parts, "
                                                  f"{f['warranty_frame_years']} years on the frame, and the "
                                                  f"battery for {f['warranty_battery']}."),
            ("Can I rent an e-bike?", f"Yes, for {f['ebike_rental_day']} per day, helmet and lock included."),
            ("How much is an e-bike diagnostic?", f"{EBIKE_SERVICES[0][1]}, software update included."),
        ]),
    ]


def write_pdf(path: Path) -> None:
    """The three-page handbook, one page per topic."""
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    rl_config.invariant = 1  # no timestamps or random ids, so regenerating leaves git clean
    styles = getSampleStyleSheet()
    kinds = {"h1": styles["Heading1"], "h2": styles["Heading2"], "p": styles["BodyText"]}
    story = []
    for number, page in enumerate(handbook_pages()):
        if number:
            story.append(PageBreak())
        story.extend(Paragraph(text, kinds[kind]) for kind, text in page)
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title="Velo Verde customer handbook", author="Velo Verde").build(story)
    path.write_bytes(buffer.getvalue())


def write_docx(path: Path) -> None:
    """The price list: headings down to level 3 and two tables of services."""
    import docx

    document = docx.Document()
    document.core_properties.title = "Velo Verde workshop price list"
    document.core_properties.author = "Velo Verde"
    document.core_properties.created = document.core_properties.modified = datetime(2024, 3, 1)
    document.add_paragraph("Velo Verde workshop price list", style="Title")
    document.add_paragraph(f"Prices valid from 1 March 2024. Book on {FACTS['phone']}.")
    document.add_heading("Workshop services", level=1)
    document.add_paragraph(f"Most repairs are ready within {FACTS['turnaround_days']} working days. "
                           "Every repair includes a free safety check.")
    document.add_heading("Standard repairs", level=2)
    _add_table(document, REPAIRS)
    document.add_heading("E-bike services", level=2)
    _add_table(document, EBIKE_SERVICES)
    document.add_heading("Battery care", level=3)
    document.add_paragraph("Store the battery indoors between 10 and 20 °C and charge it to about 60% for winter.")
    document.add_heading("Rentals", level=1)
    document.add_paragraph(f"City bike: {FACTS['rental_day']} per day. E-bike: {FACTS['ebike_rental_day']} per day. "
                           "Helmet and lock included.")
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(_fixed_timestamps(buffer.getvalue()))


def _add_table(document, rows) -> None:
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, ("Service", "Price", "Time", "Notes")):
        cell.text = name
    for row in rows:
        for cell, value in zip(table.add_row().cells, row):
            cell.text = value


def _fixed_timestamps(data: bytes) -> bytes:
    # python-docx stamps zip entries with the current time; fixing it keeps the committed file stable.
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 3, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def write_txt(path: Path) -> None:
    """Plain-text FAQ: no Markdown markup, so detection must call it text."""
    lines = ["Velo Verde - frequently asked questions", ""]
    for question, answer in faq_entries():
        lines += [f"Q: {question}", f"A: {answer}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def write_markdown(path: Path) -> None:
    """Markdown FAQ with a title, one `##` per topic and one `###` per question."""
    lines = ["# Velo Verde online shop FAQ", "", f"Questions? WhatsApp us on {FACTS['phone']}.", ""]
    for topic, entries in online_faq():
        lines += [f"## {topic}", ""]
        for question, answer in entries:
            lines += [f"### {question}", "", answer, ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    """Write the four sample files next to this script."""
    write_pdf(HERE / "velo_verde_handbook.pdf")
    write_docx(HERE / "velo_verde_prices.docx")
    write_txt(HERE / "velo_verde_faq.txt")
    write_markdown(HERE / "velo_verde_faq.md")
    for name in sorted(p.name for p in HERE.glob("velo_verde_*")):
        print(f"{name}: {(HERE / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
