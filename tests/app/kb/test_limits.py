"""Bounded ingestion as the service runs it: a document over a cap fails once with its reason, one log line per
outcome, and statements that stay under the databases' parameter limits however many chunks a document has."""

import logging

import numpy as np
from sqlmodel import select

from app.jobs.models import Job
from app.kb.components import attach_knowledge_base
from app.kb.models import Chunk, Document
from app.kb.repository import ChunkRepository
from tests.app.kb.conftest import FILES, KB
from tests.files.generated import make_word_zip, word_paragraph

INGESTION = "replybase.kb"


def outcome_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records
            if record.name == INGESTION and record.getMessage().startswith("ingestion ")]


def test_a_docx_over_a_cap_fails_with_its_reason_and_is_never_retried(client, services, tenant, upload, run_jobs,
                                                                       caplog):
    services.settings.max_unpacked_part_mb = 1
    attach_knowledge_base(services)  # the pipeline takes its limits from the settings
    # About 6 MB of XML that compresses like real prose would, so the 1 MB cap is what stops it.
    docx = make_word_zip(word_paragraph(f"Item {n}: frame size {n % 61} cm, £{n % 997}") for n in range(80_000))

    response = upload(tenant, docx, "catalogue.docx")
    with caplog.at_level(logging.INFO, logger=INGESTION):
        run_jobs()

    detail = client.get(f"{KB}/documents/{response.json()['id']}", headers=tenant.headers).json()
    assert detail["status"] == "failed"
    assert detail["error"] == "the DOCX unpacks to more than 1 MB of XML (word/document.xml), the limit; " \
                              "split the document"
    with services.session_factory() as session:
        job = session.exec(select(Job).where(Job.kind == "kb.ingest")).one()
    assert (job.status, job.attempts) == ("done", 1)
    [line] = outcome_lines(caplog)
    assert line.startswith(f"ingestion failed: document={detail['id']} account={tenant.account_id} ")
    assert "reason='the DOCX unpacks to more than 1 MB" in line


def test_a_ready_document_logs_its_counts_and_none_of_its_text(client, tenant, upload, run_jobs, caplog):
    response = upload(tenant, (FILES / "velo_verde_faq.md").read_bytes(), "faq.md")
    with caplog.at_level(logging.INFO, logger=INGESTION):
        run_jobs()

    detail = client.get(f"{KB}/documents/{response.json()['id']}", headers=tenant.headers).json()
    [line] = outcome_lines(caplog)
    assert line.startswith(f"ingestion ready: document={detail['id']} account={tenant.account_id} pages=None "
                           f"chunks={detail['chunk_count']} embedded={detail['progress']['embedded']} reused=0 ")
    assert "seconds=" in line
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "shipping" not in logged and "7946" not in logged  # a heading of the file and its phone number


def test_stored_vectors_are_found_for_more_hashes_than_one_statement_can_bind(db, tenant):
    # PostgreSQL refuses a statement with more than 65,535 parameters (where this test failed before batching).
    hashes = [f"{n:064x}" for n in range(70_000)]
    stored = {hashes[0]: 1.0, hashes[40_000]: 2.0, hashes[-1]: 3.0}
    document = Document(account_id=tenant.account_id, title="Catalogue", content_type="text/plain", size_bytes=1,
                        content_hash="c" * 64, status="ready")
    db.add(document)
    db.flush()
    for ordinal, (key, value) in enumerate(stored.items()):
        db.add(Chunk(account_id=tenant.account_id, document_id=document.id, ordinal=ordinal, text=key,
                     content_hash=key, embedding=np.full(4, value, dtype=np.float32).tobytes(),
                     embedding_model="hash-4"))
    db.flush()

    found = ChunkRepository(db, tenant.account_id).vectors_by_hash(hashes, "hash-4")

    assert {key: np.frombuffer(blob, dtype=np.float32)[0] for key, blob in found.items()} == stored
    assert ChunkRepository(db, tenant.account_id).vectors_by_hash(hashes, "another-model") == {}
