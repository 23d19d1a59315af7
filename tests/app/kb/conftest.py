from pathlib import Path

import pytest

FILES = Path(__file__).resolve().parents[2] / "files"
KB = "/api/v2/ai/knowledge-base"


@pytest.fixture
def upload(client):
    """Upload bytes as a multipart file for a tenant; returns the response."""

    def send(tenant, data: bytes, filename: str, *, title: str | None = None, tags: str = ""):
        form = {"tags": tags} | ({"title": title} if title else {})
        return client.post(f"{KB}/upload", files={"file": (filename, data)}, data=form, headers=tenant.headers)

    return send


@pytest.fixture
def ingested(upload, run_jobs):
    """Upload a committed sample file and run ingestion; returns the document as the API shows it."""

    def ingest(tenant, name: str, **options):
        response = upload(tenant, (FILES / name).read_bytes(), name, **options)
        assert response.status_code == 202, response.text
        run_jobs()
        return response.json()

    return ingest


def search(client, tenant, query: str, **options):
    response = client.post(f"{KB}/search", json={"query": query, **options}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return response.json()["results"]
