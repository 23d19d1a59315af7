"""Several processes, one database: what one process indexes, the others find at their next search.

A second `KnowledgeIndexes` with its own data dir plays another machine's API (its copy lives in its memory and
its own files); the first one is the app's, changed through the API as a user would.
"""

import dataclasses

import pytest

from app.kb.indexing import KnowledgeIndexes
from app.kb.retrieval import retrieve
from tests.app.kb.conftest import KB


@pytest.fixture
def machine(services, tmp_path):
    """Another process on its own machine: same database, own index copy and data dir."""

    def start(name: str = "machine-b"):
        indexes = KnowledgeIndexes(tmp_path / name, services.components["embedder"])
        return dataclasses.replace(services, components={**services.components, "kb_indexes": indexes})

    return start


def titles(services, tenant, query: str) -> list[str]:
    with services.session_factory() as session:
        return [hit.document_title for hit in retrieve(session, services, tenant.account_id, query, top_k=10)]


def texts(services, tenant, query: str) -> str:
    with services.session_factory() as session:
        return " ".join(hit.text for hit in retrieve(session, services, tenant.account_id, query, top_k=10))


def test_uploads_deletes_and_corrections_elsewhere_show_at_the_next_search(client, tenant, ingested, machine):
    other = machine()
    ingested(tenant, "velo_verde_faq.txt")
    assert "velo_verde_faq.txt" in titles(other, tenant, "opening hours on Sunday")  # its copy is built now

    prices = ingested(tenant, "velo_verde_prices.docx")
    assert titles(other, tenant, "How much is a basic tune-up?")[0] == "velo_verde_prices.docx"

    chunk = client.get(f"{KB}/documents/{prices['id']}/chunks", headers=tenant.headers).json()[0]
    corrected = client.patch(f"{KB}/chunks/{chunk['id']}", headers=tenant.headers,
                             json={"text": "Velo Verde rents tandem bikes for 30 pounds a day."})
    assert corrected.status_code == 200
    assert "tandem bikes" in texts(other, tenant, "tandem rental price")  # same chunk id, new text

    assert client.delete(f"{KB}/documents/{prices['id']}", headers=tenant.headers).status_code == 204
    assert "velo_verde_prices.docx" not in titles(other, tenant, "How much is a basic tune-up?")
    assert "tandem" not in texts(other, tenant, "tandem rental price")


def test_another_process_reads_only_what_changed_not_every_chunk(client, tenant, ingested, machine, caplog):
    other = machine()
    ingested(tenant, "velo_verde_faq.txt")
    titles(other, tenant, "opening hours")
    prices = ingested(tenant, "velo_verde_prices.docx")
    chunk_count = client.get(f"{KB}/documents/{prices['id']}", headers=tenant.headers).json()["chunk_count"]

    caplog.set_level("INFO", logger="replybase.kb")
    assert "velo_verde_prices.docx" in titles(other, tenant, "puncture repair price")
    # The FAQ's chunks stayed where they were; only the new document's were read.
    assert [r.getMessage() for r in caplog.records if "caught up" in r.getMessage()] == [
        f"index of account {tenant.account_id} caught up to version 2: 0 chunks out, {chunk_count} in"]


def test_a_restarted_process_sharing_the_data_dir_loads_the_files_and_catches_up(services, tenant, ingested,
                                                                                  machine):
    ingested(tenant, "velo_verde_faq.txt")
    assert titles(services, tenant, "opening hours")  # the app's copy, saved to its data dir on commit
    restarted = dataclasses.replace(services, components={
        **services.components, "kb_indexes": KnowledgeIndexes(services.settings.data_dir,
                                                              services.components["embedder"])})
    assert (services.settings.data_dir / "indexes" / tenant.account_id).is_dir()
    ingested(tenant, "velo_verde_prices.docx")  # after the snapshot: the restarted copy must catch up
    assert titles(restarted, tenant, "How much is a basic tune-up?")[0] == "velo_verde_prices.docx"


def test_a_rolled_back_change_never_shows(services, tenant, ingested, machine):
    from app.kb.models import Chunk, Document

    ingested(tenant, "velo_verde_faq.txt")
    indexes = services.components["kb_indexes"]
    with services.session_factory() as session:
        document = session.query(Document).filter_by(account_id=tenant.account_id).one()
        chunk = Chunk(account_id=tenant.account_id, document_id=document.id, ordinal=999,
                      text="Velo Verde sells submarines.", content_hash="x" * 64,
                      embedding=services.components["embedder"].embed(["Velo Verde sells submarines."])[0].tobytes(),
                      embedding_model=services.components["embedder"].name)
        session.add(chunk)
        session.flush()
        indexes.apply(session, tenant.account_id, add=[chunk])
        session.rollback()
    assert "submarines" not in texts(services, tenant, "submarines")
    assert "submarines" not in texts(machine(), tenant, "submarines")
