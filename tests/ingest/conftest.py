"""Fixtures for the ingest tests: the committed Velo Verde files, the real MiniLM, and bad inputs made on the fly."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from ingest.embedders import HashEmbedder, SentenceTransformerEmbedder
from ingest.onnx_embedder import OnnxInt8Embedder
from tests.files.generated import encrypt_pdf, make_docx, make_pdf, make_png, make_zip

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


@pytest.fixture(scope="session")
def minilm_int8() -> OnnxInt8Embedder:
    """The bundled MiniLM as int8 ONNX, from the machine's shared export cache (the first run ever exports it)."""
    embedder = OnnxInt8Embedder()
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
    return make_pdf


@pytest.fixture(scope="session")
def docx_factory() -> Callable[[Callable], bytes]:
    return make_docx


@pytest.fixture(scope="session")
def zip_factory() -> Callable[[dict[str, bytes]], bytes]:
    return make_zip


@pytest.fixture(scope="session")
def encrypted_pdf() -> bytes:
    """Opens only with the password "secret"."""
    return encrypt_pdf(make_pdf(["Staff discount codes"]), "secret")


@pytest.fixture(scope="session")
def restricted_pdf() -> bytes:
    """Encrypted with an owner password only (printing restrictions): readable without a password."""
    return encrypt_pdf(make_pdf(["Opening hours: Sunday 11:00 to 15:00"]), "")


@pytest.fixture(scope="session")
def scanned_pdf() -> bytes:
    """Two pages of marks and no text layer."""
    return make_pdf(["", ""])


@pytest.fixture(scope="session")
def png() -> bytes:
    return make_png()
