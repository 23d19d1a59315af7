"""Bounded ingestion: hostile and large-but-legal uploads through the real pipeline, peak memory against 500 MB.

Each case runs in a child process: it builds the services on a temporary SQLite database with the default
settings, loads the model, builds its file, stores it as an upload and reports ready. The parent then reads the
child's resident memory (idle), starts `app.kb.ingestion.process_document` and samples the child's RSS every
10 ms until it finishes. The bound is on peak RSS above that idle figure. Linux only (reads /proc).

    python bench/upload_bounds.py [--cases docx-200mb-xml zip-bomb ...] [--code DIR] [--timeout 1800]

`--code DIR` runs the same cases against another checkout (e.g. the main branch) for a before/after figure.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

import common  # noqa: F401 - puts the repository on sys.path and keeps the model offline

from common import DEFAULT_DATA_DIR, format_table
# Imported before --code can put another checkout first: the files are built by this checkout's generators.
from tests.files.generated import falsify_sizes, make_word_zip, word_paragraph

BOUND_MB = 500
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CASES = {
    "docx-200mb-xml": "19 MB DOCX of Word-like XML (32 M characters) unpacking to 203 MB, 10.9:1",
    "zip-bomb": "5.8 MB DOCX: document.xml inflates 1000:1 to 380 MB; its size table claims 150 MB from 4.9 MB",
    "pdf-300-pages": "300-page PDF of dense prose",
    "docx-at-character-cap": "DOCX just under the character cap (2.9 M characters)",
    "markdown-24k-sections": "Markdown of 24,000 one-line sections (just under the chunk cap)",
    "text-25mb": "25 MB plain text (the upload limit)",
}


# --- the files ------------------------------------------------------------------------------------------------


def prose() -> list[str]:
    """Real sentences (SciFact abstracts), so the text compresses and chunks like a customer's document."""
    with open(DEFAULT_DATA_DIR / "scifact" / "corpus.jsonl", encoding="utf-8") as handle:
        return [json.loads(line)["text"] for line in handle]


def word_paragraphs(texts: list[str], characters: int, run_length: int = 40):
    """WordprocessingML as Word writes it: revision ids and run properties on every run of ~40 characters,
    which makes the XML about 8 bytes per character of text and deflate about 10:1."""
    rng = random.Random(7)
    written = 0
    while written < characters:
        for text in texts:
            rsid = f"{rng.getrandbits(32):08X}"
            runs = "".join(
                f'<w:r w:rsidRPr="{rsid}"><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:cs="Calibri"/>'
                f'<w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-GB"/></w:rPr>'
                f'<w:t xml:space="preserve">{escape(text[start:start + run_length])}</w:t></w:r>'
                for start in range(0, len(text), run_length))
            yield (f'<w:p w:rsidR="{rsid}" w:rsidRDefault="{rsid}" w:rsidP="{rsid}"><w:pPr>'
                   f'<w:spacing w:after="160" w:line="259" w:lineRule="auto"/><w:jc w:val="both"/></w:pPr>'
                   f"{runs}</w:p>").encode()
            written += len(text)
            if written >= characters:
                return


def docx_of_characters(characters: int) -> bytes:
    return make_word_zip(word_paragraphs(prose(), characters))


def zip_bomb() -> bytes:
    """A DOCX whose document.xml really inflates to 380 MB at about 1000:1, while its size table claims 150 MB
    from 4.9 MB (a harmless 30:1) with the CRC of those first 150 MB, padded to 5 MB with an image."""
    paragraph = word_paragraph("Opening hours: Monday to Friday 09:00 to 18:00.")
    image = random.Random(3).randbytes(4_700_000)
    honest = make_word_zip([paragraph * 1000] * (380 * 2**20 // (len(paragraph) * 1000)),
                           extra={"word/media/image1.png": image})
    declared = 150 * 2**20
    with zipfile.ZipFile(io.BytesIO(honest)) as archive, archive.open("word/document.xml") as member:
        crc, left = 0, declared
        while left:
            chunk = member.read(min(left, 2**20))
            crc, left = zlib.crc32(chunk, crc), left - len(chunk)
    return falsify_sizes(honest, {"word/document.xml": (crc, 4_900_000, declared)})


def pdf_pages(pages: int) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    text = " ".join(prose())
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    position = 0
    for _ in range(pages):
        writer = pdf.beginText(40, 800)
        writer.setFont("Helvetica", 8)
        for _ in range(70):  # 70 lines of 120 characters: a dense page of 8,400 characters
            writer.textLine(text[position:position + 120])
            position += 120
        pdf.drawText(writer)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def markdown_sections(count: int) -> bytes:
    texts = prose()
    return "".join(f"## Item {n}\n\n{texts[n % len(texts)][:90]}\n\n" for n in range(count)).encode()


def plain_text(size: int) -> bytes:
    texts = prose()
    data = bytearray()
    while len(data) < size:
        data += "\n\n".join(texts).encode()
    return bytes(data[:size])


def build(case: str) -> bytes:
    return {
        "docx-200mb-xml": lambda: docx_of_characters(32_000_000),
        "zip-bomb": zip_bomb,
        "pdf-300-pages": lambda: pdf_pages(300),
        "docx-at-character-cap": lambda: docx_of_characters(2_900_000),
        "markdown-24k-sections": lambda: markdown_sections(24_000),
        "text-25mb": lambda: plain_text(25 * 2**20),
    }[case]()


# --- the child: one case, on its own services -----------------------------------------------------------------


def run_child(case: str) -> None:
    from app.auth.principal import Principal
    from app.auth.service import create_account_with_owner
    from app.bootstrap import build_services
    from app.config import Settings
    from app.kb.ingestion import process_document
    from app.kb.models import Document
    from app.kb.service import upload_document

    with tempfile.TemporaryDirectory() as directory:
        services = build_services(Settings(_env_file=None, data_dir=Path(directory), run_workers=False))
        embedder = services.components["embedder"]
        embedder.warm_up()
        embedder.embed(["warm the model's threads and buffers"])
        data = build(case)
        with services.session_factory() as session:
            account, _ = create_account_with_owner(session, email="bench@example.com", password="password-123",
                                                   account_name="Bench", plan="business")
            principal = Principal(account_id=account.id, plan="business", scopes=frozenset())
            document, _ = upload_document(session, principal, data=data, filename=case, title=None, tags=[])
            session.commit()
            document_id = document.id
        size = len(data)
        del data, document
        gc.collect()
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # hand the file generator's garbage back before idle is read
        print("READY", flush=True)
        sys.stdin.readline()
        started = time.perf_counter()
        process_document(services, document_id, final_attempt=True)
        seconds = time.perf_counter() - started
        with services.session_factory() as session:
            stored = session.get(Document, document_id)
            print(json.dumps({"size": size, "status": stored.status, "error": stored.error, "pages": stored.pages,
                              "chunks": stored.chunk_count, "seconds": seconds}), flush=True)


# --- the parent: measure each child ---------------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as handle:
        return int(handle.read().split()[1]) * PAGE_SIZE / 2**20


def measure(case: str, code: str | None, timeout: float) -> dict:
    command = [sys.executable, __file__, "--child", case] + (["--code", code] if code else [])
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    while (line := child.stdout.readline()) and line.strip() != "READY":
        pass
    if not line:
        return {"status": f"child exited ({child.wait()}) before it was ready"}
    idle = peak = rss_mb(child.pid)
    child.stdin.write("go\n")
    child.stdin.flush()
    started = time.perf_counter()
    while child.poll() is None:
        try:
            peak = max(peak, rss_mb(child.pid))
        except (FileNotFoundError, ProcessLookupError):
            break
        if time.perf_counter() - started > timeout:
            child.kill()
            child.wait()
            return {"status": f"killed after {timeout:.0f} s", "idle": idle, "peak": peak,
                    "seconds": time.perf_counter() - started}
        time.sleep(0.01)
    result = json.loads(child.stdout.read().strip().splitlines()[-1])
    return result | {"idle": idle, "peak": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    parser.add_argument("--code", help="another checkout to run instead of this one")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a case is killed")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.code:
        sys.path.insert(0, str(Path(args.code).resolve()))
    if args.child:
        run_child(args.child)
        return

    import app

    print(f"\nBounded ingestion: code {Path(app.__file__).parent.parent}, SQLite, default settings, "
          f"load average {os.getloadavg()[0]:.1f}\n")
    rows = []
    for case in args.cases:
        result = measure(case, args.code, args.timeout)
        above = result.get("peak", 0) - result.get("idle", 0)
        outcome = result["status"]
        detail = result.get("error") or (f"{result['chunks']} chunks, {result['pages']} pages"
                                         if "chunks" in result else "")
        rows.append((case, f"{result['size'] / 2**20:.1f}" if "size" in result else "-", outcome, detail,
                     f"{result.get('seconds', 0):.1f}", f"{result.get('idle', 0):.0f}", f"{above:.0f}", BOUND_MB,
                     f"{above / BOUND_MB:.2f}"))
        print(f"  {case}: {outcome} in {result.get('seconds', 0):.1f} s, peak {above:.0f} MB above idle",
              file=sys.stderr)
    print(format_table(("case", "file MB", "outcome", "reason / result", "seconds", "idle RSS MB",
                        "peak above idle MB", "bound MB", "peak / bound"), rows))
    print("\n" + "\n".join(f"- {name}: {description}" for name, description in CASES.items() if name in args.cases))


if __name__ == "__main__":
    main()
