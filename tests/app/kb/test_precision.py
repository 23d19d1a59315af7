"""Switching REPLYBASE_EMBEDDING_PRECISION: vectors of the other precision are never reused, same text or not."""

from sqlmodel import select

from app.kb.components import attach_knowledge_base
from app.kb.models import Chunk
from tests.app.kb.conftest import KB, search


def embedded_and_reused(client, tenant, document_id: str) -> tuple[int, int, int]:
    detail = client.get(f"{KB}/documents/{document_id}", headers=tenant.headers).json()
    return detail["progress"]["embedded"], detail["progress"]["reused"], detail["chunk_count"]


def reindex(client, tenant, run_jobs, document_id: str) -> None:
    assert client.post(f"{KB}/documents/{document_id}/reindex", headers=tenant.headers).status_code == 202
    run_jobs()


def test_a_precision_switch_embeds_again_then_reuses_its_own_vectors(client, services, db, tenant, ingested,
                                                                   run_jobs):
    document = ingested(tenant, "velo_verde_faq.md")
    first = services.components["embedder"]
    other = "fp32" if first.precision == "int8" else "int8"
    services.settings.embedding_precision = other
    attach_knowledge_base(services)  # what a restart with the other setting builds
    assert services.components["embedder"].precision == other

    reindex(client, tenant, run_jobs, document["id"])
    embedded, reused, chunks = embedded_and_reused(client, tenant, document["id"])
    assert embedded >= 1 and reused == 0 and chunks >= 1
    names = set(db.exec(select(Chunk.embedding_model).where(Chunk.document_id == document["id"])))
    assert names == {services.components["embedder"].name} != {first.name}
    assert search(client, tenant, "How much is shipping?")

    reindex(client, tenant, run_jobs, document["id"])
    assert embedded_and_reused(client, tenant, document["id"]) == (0, chunks, chunks)
