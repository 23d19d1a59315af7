from pathlib import Path

import pytest

from app.drafters.base import Source
from ingest.parsers import parse_document
from tests.servers.openai_server import FakeOpenAI

FILES = Path(__file__).resolve().parents[2] / "files"
VELO_VERDE = ("velo_verde_faq.txt", "velo_verde_prices.docx", "velo_verde_handbook.pdf")


@pytest.fixture(scope="session")
def velo_verde_sources() -> list[Source]:
    """Every section of the Velo Verde sample files as a source, as retrieval would hand them over."""
    sources = []
    for name in VELO_VERDE:
        for section in parse_document((FILES / name).read_bytes()).sections:
            sources.append(Source(chunk_id=len(sources) + 1, document_id=name, document_title=name,
                                  text=section.text, page=section.page,
                                  section=" > ".join(section.heading_path) or None, score=0.7))
    return sources


@pytest.fixture
def fake_openai(settings):
    """An OpenAI-compatible endpoint on 127.0.0.1; fast timeout and no retries unless a test sets them."""
    server = FakeOpenAI().start()
    settings.llm_base_url, settings.llm_model, settings.llm_api_key = server.base_url, "test-model", "sk-test"
    settings.llm_timeout_seconds, settings.llm_max_retries = 0.5, 0
    yield server
    server.stop()
