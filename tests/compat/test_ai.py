"""The AI guide's requests, as written: knowledge, style training and its cascade, reply generation."""

from pathlib import Path

import pytest

FILES = Path(__file__).resolve().parents[1] / "files"
QUESTION = "Customer asks: Are you open on Sundays?"


@pytest.fixture
def faq(moltflow, run_jobs):
    """The shop's FAQ, ingested as the guide uploads a document."""
    data = (FILES / "velo_verde_faq.txt").read_bytes()
    response = moltflow("POST /ai/knowledge/ingest", files={"file": ("velo_verde_faq.txt", data)})
    assert response.status_code == 200, response.text
    run_jobs()
    return response.json()


def test_ingest_list_search_and_delete(moltflow, faq):
    assert {"id", "name", "source_type", "chunk_count", "status", "task_id"} <= set(faq)
    assert (faq["name"], faq["source_type"], faq["status"]) == ("velo_verde_faq.txt", "text/plain", "processing")
    [source] = moltflow("GET /ai/knowledge/sources").json()
    assert source["status"] == "indexed" and source["chunk_count"] > 0 and source["indexed_at"]

    found = moltflow("POST /ai/knowledge/search", json={"query": "Are you open on Sundays?", "top_k": 5}).json()
    assert found["query"] == "Are you open on Sundays?" and found["count"] == len(found["results"]) > 0
    best = found["results"][0]
    assert best["source_id"] == faq["id"] and best["content_type"] == "text/plain"
    assert "11:00 to 15:00" in best["content_preview"] and 0 < best["similarity"] and "page" in best["metadata"]
    only_pdfs = moltflow("POST /ai/knowledge/search", json={"query": "shipping costs",
                                                             "filters": {"source_type": "application/pdf"},
                                                             "top_k": 10}).json()
    assert only_pdfs == {"query": "shipping costs", "results": [], "count": 0}

    assert moltflow("DELETE /ai/knowledge/{source_id}", ids={"source_id": faq["id"]}).status_code == 204
    assert moltflow("GET /ai/knowledge/sources").json() == []
    assert moltflow("POST /ai/knowledge/search", json={"query": "Sunday"}).json()["count"] == 0


def test_generate_reply_understands_the_customer_asks_framing(moltflow, faq):
    response = moltflow("POST /ai/generate-reply", json={
        "contact_id": "5511999999999@c.us", "context": QUESTION, "use_rag": True, "apply_style": True})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "11:00" in body["reply"] and "15:00" in body["reply"] and body["handoff"] is False
    assert body["rag_sources"] == ["velo_verde_faq.txt"]
    assert {"style_applied", "model", "tokens_used", "requires_approval"} <= set(body)
    assert body["requires_approval"] is False
    bare = moltflow("POST /ai/generate-reply", json={"contact_id": "5511999999999@c.us",
                                                     "context": "Are you open on Sundays?"}).json()
    assert bare["reply"] == body["reply"]  # the framing changes nothing


def test_preview_by_query_parameters(moltflow, faq):
    response = moltflow("GET /ai/preview", params={"contact_id": "5511999999999@c.us",
                                                    "context": "What are your hours", "use_rag": "true",
                                                    "apply_style": "true"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["reply"] and body["handoff"] is False and body["rag_sources"] == ["velo_verde_faq.txt"]


def test_a_reviewing_session_says_the_reply_needs_approval(moltflow, faq, session_id):
    moltflow.http.put(f"/api/v2/ai/auto-reply/{session_id}", json={"mode": "review"}, headers=moltflow.headers)
    body = moltflow("POST /ai/generate-reply", json={"contact_id": "5511999999999@c.us", "context": QUESTION,
                                                     "session_id": session_id}).json()
    assert body["requires_approval"] is True


def send_as_business(moltflow, session_id, chat_id, texts):
    for text in texts:
        sent = moltflow("POST /messages/send", json={"session_id": session_id, "chat_id": chat_id, "message": text})
        assert sent.status_code == 200, sent.text


def test_train_per_chat_and_general_then_the_cascade_picks(moltflow, session_id):
    send_as_business(moltflow, session_id, "5511999999999@c.us",
                     ["Hey Ana! Your bike is ready 🚲 Cheers, Tom", "Hey Ana! Brakes done 👍 Cheers, Tom"])
    send_as_business(moltflow, session_id, "447700900123@c.us",
                     ["Dear Mr Smith,\nPlease find the invoice attached.\nKind regards,\nVelo Verde"])
    trained = moltflow("POST /ai/style/train", json={"session_id": session_id, "wa_chat_id": "5511999999999@c.us",
                                                     "name": "Sales"})
    assert trained.status_code == 200, trained.text
    task = trained.json()
    assert task["status"] == "completed" and task["contact_id"] == "5511999999999@c.us"
    status = moltflow("GET /ai/style/status/{task_id}", ids={"task_id": task["task_id"]}).json()
    assert status["status"] == "completed" and status["result"]["sample_count"] == 2
    general = moltflow("POST /ai/style/train", json={"name": "General"}).json()

    chat_profile = moltflow("GET /ai/style/profile", params={"contact_id": "5511999999999@c.us"}).json()
    assert (chat_profile["name"], chat_profile["wa_chat_id"], chat_profile["session_id"]) == (
        "Sales", "5511999999999@c.us", session_id)
    assert chat_profile["sample_count"] == 2 and chat_profile["features"]["emoji_frequency"] > 0
    other = moltflow("GET /ai/style/profile", params={"contact_id": "447700900123@c.us"}).json()
    assert other["id"] == general["task_id"] and other["wa_chat_id"] is None
    profiles = moltflow("GET /ai/style/profiles").json()
    assert sorted(p["name"] for p in profiles) == ["General", "Sales"]

    assert moltflow("DELETE /ai/style/profile/{profile_id}", ids={"profile_id": task["task_id"]}).status_code == 204
    after = moltflow("GET /ai/style/profile", params={"contact_id": "5511999999999@c.us"}).json()
    assert after["id"] == general["task_id"]  # the chat's profile gone, the cascade falls to the general one


def test_training_without_messages_says_so(moltflow, session_id):
    response = moltflow("POST /ai/style/train", json={"session_id": session_id, "wa_chat_id": "15550001111@c.us"})
    assert response.status_code == 422 and "No sent text messages in chat 15550001111@c.us" in response.text


def test_generate_reply_with_a_specific_profile(moltflow, faq):
    profile = moltflow.http.post("/api/v2/ai/style-profiles", headers=moltflow.headers, json={
        "name": "Shop voice", "sign_off": "Cheers, Tom"}).json()
    body = moltflow("POST /ai/generate-reply", json={
        "contact_id": "5511999999999@c.us", "context": QUESTION, "use_rag": True, "apply_style": True,
        "profile_id": profile["id"]}).json()
    assert body["style_applied"] is True and body["profile_id"] == profile["id"]
    assert body["reply"].endswith("Cheers, Tom")
    missing = moltflow("POST /ai/generate-reply", json={"contact_id": "5511999999999@c.us", "context": QUESTION,
                                                        "profile_id": "nope"})
    assert missing.status_code == 404
