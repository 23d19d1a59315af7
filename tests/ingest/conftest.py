"""Fixtures for the ingest tests: the committed Velo Verde files, the real MiniLM, and bad inputs made on the fly."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from ingest.embedders import HashEmbedder, SentenceTransformerEmbedder

FILES = Path(__file__).resolve().parents[1] / "files"


@pytest.fixture(scope="session")
def sample() -> Callable[[str], bytes]:
    """Bytes of a committed sample file, by name."""
    return lambda name: (FILES / name).read_bytes()


@pytest.fixture(scope="session")
def minilm() -> SentenceTransformerEmbedder:
    """The bundled MiniLM, loaded once for the whole session (about 5 s)."""
    embedder = SentenceTransformerEmbedder()
    embedder.warm_up()
    return embedder


class CountingEmbedder:
    """Wraps an embedder and records every text it is asked to embed."""

    def __init__(self, inner=None) -> None:
        self.inner = inner or HashEmbedder()
        self.name = self.inner.name
        self.embedded: list[str] = []

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def max_tokens(self) -> int:
        return self.inner.max_tokens

    def warm_up(self) -> None:
        self.inner.warm_up()

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return self.inner.embed(texts)


@pytest.fixture
def counting_embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture(scope="session")
def pdf_factory() -> Callable[..., bytes]:
    return _make_pdf


@pytest.fixture(scope="session")
def docx_factory() -> Callable[[Callable], bytes]:
    return _make_docx


@pytest.fixture(scope="session")
def zip_factory() -> Callable[[dict[str, bytes]], bytes]:
    return _make_zip


@pytest.fixture(scope="session")
def encrypted_pdf() -> bytes:
    """Opens only with the password "secret"."""
    return _encrypt_pdf(_make_pdf(["Staff discount codes"]), "secret")


@pytest.fixture(scope="session")
def restricted_pdf() -> bytes:
    """Encrypted with an owner password only (printing restrictions): readable without a password."""
    return _encrypt_pdf(_make_pdf(["Opening hours: Sunday 11:00 to 15:00"]), "")


@pytest.fixture(scope="session")
def scanned_pdf() -> bytes:
    """Two pages of marks and no text layer."""
    return _make_pdf(["", ""])


@pytest.fixture(scope="session")
def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, format="PNG")
    return buffer.getvalue()


def _make_pdf(pages: Sequence[str], *, title: str | None = None) -> bytes:
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


def _encrypt_pdf(data: bytes, user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    # RC4 works without the optional `cryptography` package; AES would need it.
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _make_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _make_docx(build: Callable) -> bytes:
    """A DOCX built by `build(document)` with python-docx."""
    import docx

    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
