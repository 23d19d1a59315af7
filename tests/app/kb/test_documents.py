"""Uploading, processing and inspecting documents, as a user of the API sees it."""

from tests.app.kb.conftest import FILES, KB, search
from tests.files.generated import encrypt_pdf, make_docx, make_pdf, make_png, make_zip


def test_pdf_upload_becomes_ready_with_pages_and_chunks(client, tenant, upload, run_jobs):
    response = upload(tenant, (FILES / "velo_verde_handbook.pdf").read_bytes(), "velo_verde_handbook.pdf",
                      title="Handbook", tags="policies, Shop")
    assert response.status_code == 202
    accepted = response.json()
    assert accepted["status"] == "processing"
    assert accepted["content_type"] == "application/pdf"
    assert accepted["tags"] == ["policies", "shop"]
    assert accepted["title"] == "Handbook"

    run_jobs()
    detail = client.get(f"{KB}/documents/{accepted['id']}", headers=tenant.headers).json()
    assert detail["status"] == "ready", detail
    assert detail["pages"] >= 2 and detail["chunk_count"] >= 1
    assert detail["indexed_at"] and detail["error"] is None
    assert detail["progress"]["step"] == "done"

    chunks = client.get(f"{KB}/documents/{accepted['id']}/chunks", headers=tenant.headers).json()
    assert len(chunks) == detail["chunk_count"]
    assert {chunk["page"] for chunk in chunks} >= {1, 2}


def test_docx_table_rows_are_searchable_with_citation(client, tenant, ingested):
    document = ingested(tenant, "velo_verde_prices.docx")
    [best, *_] = search(client, tenant, "How much does fixing a puncture cost?")
    assert best["document_id"] == document["id"]
    assert best["document_title"] == document["title"]
    assert "£12" in best["text"]
    assert best["section"]
    assert {"score", "semantic_score", "keyword_score", "chunk_id", "page"} <= set(best)


def test_text_and_markdown_files_and_snippets(client, tenant, ingested, run_jobs):
    ingested(tenant, "velo_verde_faq.txt")
    ingested(tenant, "velo_verde_faq.md")
    snippet = client.post(f"{KB}/text", json={"title": "Gift cards", "text": "Gift cards never expire.",
                                              "tags": ["faq"]}, headers=tenant.headers)
    assert snippet.status_code == 202
    run_jobs()
    [best, *_] = search(client, tenant, "do gift cards expire", top_k=1)
    assert best["document_id"] == snippet.json()["id"]
    assert "never expire" in best["text"]
    listed = client.get(f"{KB}/documents", headers=tenant.headers).json()
    assert listed["total"] == 3
    assert {item["status"] for item in listed["items"]} == {"ready"}


def test_same_content_twice_returns_the_existing_document(tenant, upload):
    data = (FILES / "velo_verde_faq.txt").read_bytes()
    first = upload(tenant, data, "faq.txt")
    second = upload(tenant, data, "renamed.txt")
    assert (first.status_code, second.status_code) == (202, 200)
    assert second.json()["id"] == first.json()["id"]


def test_format_is_detected_from_content_not_name(client, tenant, upload, run_jobs):
    response = upload(tenant, make_pdf(["Our bike wash costs 7 pounds"]), "notes.txt")
    assert response.json()["content_type"] == "application/pdf"
    run_jobs()
    assert client.get(f"{KB}/documents/{response.json()['id']}", headers=tenant.headers).json()["status"] == "ready"


def test_unsupported_and_empty_files_are_refused(tenant, upload):
    image = upload(tenant, make_png(), "photo.pdf")
    assert image.status_code == 415
    assert "PDF, DOCX, TXT or Markdown" in image.json()["detail"]
    empty = upload(tenant, b"", "empty.txt")
    assert empty.status_code == 422
    assert empty.json() == {"detail": "the file is empty"}


def test_too_large_is_413_and_nothing_is_stored(client, services, tenant, upload):
    services.settings.max_upload_mb = 1
    response = upload(tenant, b"a" * (2**20 + 10), "big.txt")
    assert response.status_code == 413
    assert "REPLYBASE_MAX_UPLOAD_MB" in response.json()["detail"]
    assert client.get(f"{KB}/documents", headers=tenant.headers).json()["total"] == 0


def failed_error(client, tenant, upload, run_jobs, data: bytes, name: str) -> str:
    response = upload(tenant, data, name)
    assert response.status_code == 202, response.text
    run_jobs()
    detail = client.get(f"{KB}/documents/{response.json()['id']}", headers=tenant.headers).json()
    assert detail["status"] == "failed"
    return detail["error"]


def test_bad_files_fail_with_a_reason(client, tenant, upload, run_jobs):
    scanned = failed_error(client, tenant, upload, run_jobs, make_pdf(["", ""]), "scan.pdf")
    assert "no extractable text (scanned PDF?)" in scanned
    locked = failed_error(client, tenant, upload, run_jobs, encrypt_pdf(make_pdf(["codes"]), "secret"), "l.pdf")
    assert "password" in locked
    corrupt = failed_error(client, tenant, upload, run_jobs, make_pdf(["Opening hours"])[:400], "cut.pdf")
    assert corrupt
    bomb = make_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document>" + b" " * 50_000_000})
    assert "zip bomb" in failed_error(client, tenant, upload, run_jobs, bomb, "bomb.docx")
    # The service is still fine.
    assert client.get(f"{KB}/documents", headers=tenant.headers).json()["total"] == 4


def test_docx_with_headings_keeps_section_path(client, tenant, upload, run_jobs):
    def build(document):
        document.add_heading("Workshop", level=1)
        document.add_heading("Booking", level=2)
        document.add_paragraph("Book a repair slot by phone at least two days ahead.")

    response = upload(tenant, make_docx(build), "workshop.docx")
    run_jobs()
    chunks = client.get(f"{KB}/documents/{response.json()['id']}/chunks", headers=tenant.headers).json()
    assert chunks[0]["section"] == "Workshop > Booking"


def test_reindex_reuses_vectors(client, tenant, ingested, run_jobs):
    document = ingested(tenant, "velo_verde_faq.md")
    response = client.post(f"{KB}/documents/{document['id']}/reindex", headers=tenant.headers)
    assert response.status_code == 202 and response.json()["status"] == "processing"
    run_jobs()
    detail = client.get(f"{KB}/documents/{document['id']}", headers=tenant.headers).json()
    assert detail["status"] == "ready"
    assert detail["progress"]["embedded"] == 0 and detail["progress"]["reused"] >= 1
    assert len(search(client, tenant, "opening hours")) >= 1


def test_list_filters_by_status_and_tag(client, tenant, ingested, upload, run_jobs):
    ingested(tenant, "velo_verde_faq.txt", tags="faq")
    upload(tenant, make_pdf(["", ""]), "scan.pdf", tags="scans")
    run_jobs()
    failed = client.get(f"{KB}/documents?status=failed", headers=tenant.headers).json()
    assert [item["tags"] for item in failed["items"]] == [["scans"]]
    tagged = client.get(f"{KB}/documents?tag=faq", headers=tenant.headers).json()
    assert tagged["total"] == 1 and tagged["items"][0]["status"] == "ready"
    paged = client.get(f"{KB}/documents?limit=1&offset=1", headers=tenant.headers).json()
    assert paged["total"] == 2 and len(paged["items"]) == 1


def test_ready_and_failed_documents_emit_webhook_events(client, tenant, upload, run_jobs):
    from tests.servers.receiver import WebhookReceiver

    receiver = WebhookReceiver().start()
    try:
        client.post("/api/v2/webhooks", json={"url": receiver.url, "events": ["document.ready", "document.failed"]},
                    headers=tenant.headers)
        upload(tenant, (FILES / "velo_verde_faq.txt").read_bytes(), "faq.txt")
        upload(tenant, make_pdf(["", ""]), "scan.pdf")
        run_jobs()
        run_jobs()  # deliveries queued by the ingestion jobs
        events = sorted(r.headers.get("X-Webhook-Event") for r in receiver.requests)
    finally:
        receiver.stop()
    assert events == ["document.failed", "document.ready"]


def test_chunks_stored_without_sentence_vectors_get_them_in_the_background(client, services, db, tenant, ingested,
                                                                           run_jobs):
    import numpy as np
    from sqlalchemy import update
    from sqlmodel import select

    from app.kb.models import Chunk
    from app.kb.sentence_backfill import queue_sentence_backfill

    document = ingested(tenant, "velo_verde_faq.txt")
    stored = {chunk.id: (chunk.units, np.frombuffer(chunk.unit_vectors, dtype=np.float32))
              for chunk in db.exec(select(Chunk).where(Chunk.document_id == document["id"]))}
    # As the hand-tuned rules stored them: no sentences, no sentence vectors.
    db.execute(update(Chunk).where(Chunk.document_id == document["id"]).values(units=None, unit_vectors=None))
    db.commit()
    before = search(client, tenant, "Where is the shop?")

    assert queue_sentence_backfill(db) == 1
    assert queue_sentence_backfill(db) == 0  # never queued twice
    db.commit()
    run_jobs()
    db.expire_all()
    filled = {chunk.id: (chunk.units, np.frombuffer(chunk.unit_vectors, dtype=np.float32))
              for chunk in db.exec(select(Chunk).where(Chunk.document_id == document["id"]))}
    assert filled.keys() == stored.keys()
    for chunk_id, (units, vectors) in filled.items():  # the sentences an upload stores, and their vectors
        assert units == stored[chunk_id][0]
        assert np.allclose(vectors, stored[chunk_id][1], atol=0.02)  # int8 batches of other texts round apart
    assert client.get(f"{KB}/documents/{document['id']}", headers=tenant.headers).json()["status"] == "ready"
    assert search(client, tenant, "Where is the shop?") == before
    assert queue_sentence_backfill(db) == 0
