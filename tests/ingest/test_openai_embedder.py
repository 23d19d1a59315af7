"""The OpenAI-compatible embedder against a local server speaking the embeddings protocol."""

import numpy as np
import pytest

from ingest.embedders import OpenAIEmbedder, build_embedder
from tests.servers.openai_server import FakeOpenAI


@pytest.fixture
def server():
    fake = FakeOpenAI()
    fake.start()
    yield fake
    fake.stop()


def test_vectors_come_back_normalised_and_in_input_order(server):
    embedder = build_embedder("openai", "text-embedding-3-small", base_url=server.base_url, api_key="sk-test")
    assert isinstance(embedder, OpenAIEmbedder)
    vectors = embedder.embed(["aaaa", "hhhh"])
    assert vectors.shape == (2, 8) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert vectors[0].argmax() == 0 and vectors[1].argmax() == 7  # not swapped by the reversed response
    assert embedder.dimension == 8
    sent = server.requests_to("POST", "/v1/embeddings")[0]
    assert sent.json()["model"] == "text-embedding-3-small"
    assert {k.lower(): v for k, v in sent.headers.items()}["authorization"] == "Bearer sk-test"


def test_unknown_provider_is_refused():
    with pytest.raises(ValueError, match="unknown embedding provider"):
        build_embedder("word2vec")


def test_openai_without_a_base_url_is_refused_with_an_example():
    with pytest.raises(ValueError, match="needs the endpoint's base URL, e.g. https://api.openai.com/v1"):
        build_embedder("openai", "text-embedding-3-small")
