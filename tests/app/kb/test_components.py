"""The knowledge base built from settings: REPLYBASE_EMBEDDING_PROVIDER=openai against a local /v1/embeddings."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.apikeys.scopes import ALL_SCOPES
from app.apikeys.service import create_key
from app.auth.service import create_account_with_owner
from app.config import Settings
from app.jobs.worker import drain
from app.kb.models import Chunk
from app.main import create_app
from ingest.embedders import EmbedderUnavailable
from tests.app.kb.conftest import KB
from tests.servers.openai_server import FakeOpenAI


@pytest.fixture
def embeddings_server():
    server = FakeOpenAI().start()
    yield server
    server.stop()


def endpoint_settings(tmp_path, base_url: str) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, run_workers=False, embedding_provider="openai",
                    embedding_base_url=base_url, embedding_model="nomic-embed-text", embedding_api_key="sk-local")


def test_documents_are_embedded_and_found_through_the_configured_endpoint(tmp_path, embeddings_server):
    with TestClient(create_app(endpoint_settings(tmp_path, embeddings_server.base_url))) as client:
        services = client.app.state.services
        with services.session_factory() as session:
            account, _user = create_account_with_owner(session, email="owner@shop.example", password="password-123",
                                                       account_name="Shop")
            _row, key = create_key(session, account.id, "test", list(ALL_SCOPES))
            session.commit()
        headers = {"X-API-Key": key}
        for name, text in [("hours.txt", b"We open at nine on weekdays and at eleven on Sunday."),
                           ("repairs.txt", b"A puncture repair costs twelve pounds and takes one hour.")]:
            response = client.post(f"{KB}/upload", files={"file": (name, text)}, headers=headers)
            assert response.status_code == 202, response.text
        drain(services)

        results = client.post(f"{KB}/search", json={"query": "How much is a puncture repair?"},
                              headers=headers).json()["results"]
        assert results[0]["document_title"] == "repairs.txt"
        with services.session_factory() as session:
            assert set(session.exec(select(Chunk.embedding_model))) == {"openai:nomic-embed-text"}
    sent = embeddings_server.requests_to("POST", "/v1/embeddings")
    assert {request.json()["model"] for request in sent} == {"nomic-embed-text"}
    assert any("puncture repair" in text for request in sent for text in request.json()["input"])
    assert all({k.lower(): v for k, v in request.headers.items()}["authorization"] == "Bearer sk-local"
               for request in sent)


def test_an_endpoint_that_does_not_answer_stops_the_start(tmp_path, embeddings_server):
    embeddings_server.fail_status = 503
    app = create_app(endpoint_settings(tmp_path, embeddings_server.base_url))
    with pytest.raises(EmbedderUnavailable, match="did not embed with model 'nomic-embed-text'.*check its base URL"):
        with TestClient(app):
            pass


def test_the_openai_provider_without_a_base_url_is_refused_with_what_to_set(tmp_path):
    needs = "REPLYBASE_EMBEDDING_PROVIDER=openai needs REPLYBASE_EMBEDDING_BASE_URL"
    with pytest.raises(ValueError, match=needs) as refused:
        Settings(_env_file=None, data_dir=tmp_path, embedding_provider="openai", embedding_api_key="sk-secret-123")
    assert "sk-secret-123" not in str(refused.value)  # the message is printed at start: no setting values in it
