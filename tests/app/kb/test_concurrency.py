"""Uploads, deletes and rebuilds while searches run: results stay consistent and accounts never wait for each other."""

import threading

from app.apikeys.scopes import ALL_SCOPES
from app.auth.principal import Principal
from app.auth.service import create_account_with_owner
from app.bootstrap import build_services
from app.config import Settings
from app.kb import service
from app.kb.indexing import AccountIndex
from app.kb.ingestion import process_document
from app.kb.retrieval import retrieve
from app.kb.schemas import TextDocumentCreate


def test_searches_stay_consistent_during_uploads_and_deletes(tmp_path):
    services = build_services(Settings(_env_file=None, data_dir=tmp_path, run_workers=False,
                                       embedding_provider="hash"))
    principals = []
    with services.session_factory() as session:
        for name in ("shop-a", "shop-b"):
            account, _ = create_account_with_owner(session, email=f"{name}@example.com", password="password-1",
                                                   account_name=name, plan="business")
            principals.append(Principal(account_id=account.id, plan="business", scopes=frozenset(ALL_SCOPES)))
        session.commit()
    shop_a, shop_b = principals

    def add(principal, title, text):
        with services.session_factory() as session:
            document, _ = service.add_text_document(session, principal, TextDocumentCreate(title=title, text=text))
            session.commit()
        process_document(services, document.id, final_attempt=True)
        return document.id

    add(shop_b, "b-hours", "Shop B opens bicycles hours daily at nine.")
    errors: list[str] = []
    stop = threading.Event()

    def churn():
        for round_number in range(15):
            document_id = add(shop_a, f"a-{round_number}", f"Shop A bicycles offer number {round_number}.")
            with services.session_factory() as session:
                service.delete_document(session, services.components["kb_indexes"], shop_a.account_id,
                                        document_id)
                session.commit()
        stop.set()

    searches = {shop_a.account_id: 0, shop_b.account_id: 0}

    def search(principal, own_prefix):
        while not stop.is_set():
            searches[principal.account_id] += 1
            with services.session_factory() as session:
                for hit in retrieve(session, services, principal.account_id, "bicycles hours", top_k=10):
                    if not hit.document_title.startswith(own_prefix):
                        errors.append(f"{principal.account_id} saw {hit.document_title}")

    def recording(work, *args):
        def run():
            try:
                work(*args)
            except Exception as exc:  # a thread's exception would otherwise vanish
                errors.append(repr(exc))
                stop.set()
        return threading.Thread(target=run)

    threads = [recording(churn), recording(search, shop_a, "a-"), recording(search, shop_b, "b-")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:3]
    assert min(searches.values()) >= 5, searches  # the searches really ran beside the churn
    with services.session_factory() as session:
        assert retrieve(session, services, shop_a.account_id, "bicycles offer", top_k=10) == []
        assert [h.document_title for h in retrieve(session, services, shop_b.account_id, "hours")] == ["b-hours"]
    services.engine.dispose()


def test_one_accounts_rebuild_never_holds_up_another_accounts_search(services, tenant, other_tenant, ingested,
                                                                     monkeypatch):
    ingested(tenant, "velo_verde_faq.txt")
    ingested(other_tenant, "velo_verde_prices.docx")
    indexes = services.components["kb_indexes"]
    rebuilding, release, answered = threading.Event(), threading.Event(), threading.Event()
    filled = AccountIndex.replace

    def held_replace(self, remove, rows):
        # Account A's rebuild stops half-way, holding whatever locks a rebuild holds, until the test releases it.
        if threading.current_thread().name == "rebuild-a":
            rebuilding.set()
            assert release.wait(60)
        return filled(self, remove, rows)

    monkeypatch.setattr(AccountIndex, "replace", held_replace)

    def rebuild_a():
        with services.session_factory() as session:
            indexes.rebuild(session, tenant.account_id)

    found: list[str] = []

    def search_b():
        with services.session_factory() as session:
            found.extend(hit.document_title for hit in retrieve(session, services, other_tenant.account_id,
                                                                "puncture repair price", top_k=3))
        answered.set()

    rebuild = threading.Thread(target=rebuild_a, name="rebuild-a")
    rebuild.start()
    try:
        assert rebuilding.wait(60)
        threading.Thread(target=search_b, name="search-b").start()
        # The wait only bounds a failure (B stuck behind A's lock); the order of events is fixed by the events.
        assert answered.wait(60), "account B's search waited for account A's rebuild"
        assert rebuild.is_alive()  # A's rebuild was still in progress when B got its answer
    finally:
        release.set()
        rebuild.join(60)
    assert found and found[0] == "velo_verde_prices.docx"
    with services.session_factory() as session:  # A's rebuilt index answers once released
        assert retrieve(session, services, tenant.account_id, "opening hours", top_k=3)
