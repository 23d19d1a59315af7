from pathlib import Path

import pytest

FILES = Path(__file__).resolve().parents[2] / "files"
KB = "/api/v2/ai/knowledge-base"


@pytest.fixture
def knowledge(client, tenant, run_jobs):
    """The Velo Verde knowledge base (a PDF, a DOCX with a table, a text file), ingested for `tenant`."""
    for name in ("velo_verde_handbook.pdf", "velo_verde_prices.docx", "velo_verde_faq.txt"):
        response = client.post(f"{KB}/upload", files={"file": (name, (FILES / name).read_bytes())},
                               headers=tenant.headers)
        assert response.status_code == 202, response.text
    run_jobs()


@pytest.fixture
def bot_session(client, tenant):
    """A sandbox session with auto-reply on, answering at once (no debounce)."""
    session_id = client.post("/api/v2/sessions", json={"name": "Shop"}, headers=tenant.headers).json()["id"]

    def configure(**overrides):
        body = {"enabled": True, "debounce_seconds": 0} | overrides
        response = client.put(f"/api/v2/ai/auto-reply/{session_id}", json=body, headers=tenant.headers)
        assert response.status_code == 200, response.text
        return response.json()

    configure()
    return session_id, configure


@pytest.fixture
def customer(client, tenant, bot_session, run_jobs):
    """Write to the shop as a customer and let the worker run; returns the reply log entry for that message."""
    session_id, _ = bot_session

    def write(text: str, phone: str = "447700900123", **extra):
        response = client.post("/api/v2/sandbox/inbound", headers=tenant.headers,
                               json={"session_id": session_id, "phone": phone, "message": text, **extra})
        assert response.status_code in (200, 201, 202), response.text
        run_jobs()
        log = client.get(f"/api/v2/ai/replies?session_id={session_id}", headers=tenant.headers).json()
        return log["items"][0] if log["items"] else None

    return write
