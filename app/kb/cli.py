"""`replybase kb ...`: ingest files with a progress bar, search, rebuild an account's index."""

from pathlib import Path
from typing import Annotated

import typer

kb_cli = typer.Typer(help="The knowledge base.", no_args_is_help=True)
AccountOption = Annotated[str, typer.Option("--account", help="The account id (replybase init prints it)")]


def _principal(session, account_id: str):
    from app.accounts.models import Account
    from app.apikeys.scopes import ALL_SCOPES
    from app.auth.principal import Principal

    account = session.get(Account, account_id)
    if account is None:
        typer.echo(f"error: no account {account_id!r}; `replybase init` creates one", err=True)
        raise typer.Exit(code=1)
    return Principal(account_id=account.id, plan=account.plan, scopes=frozenset(ALL_SCOPES))


@kb_cli.command("ingest")
def ingest(paths: list[Path], account: AccountOption,
           tags: Annotated[str, typer.Option(help="Comma-separated tags")] = "") -> None:
    """Add PDF, DOCX, TXT or Markdown files to an account's knowledge base, now, with progress."""
    from tqdm import tqdm

    from app.cli import build_cli_services
    from app.errors import ReplybaseError
    from app.kb import service
    from app.kb.ingestion import process_document
    from app.kb.models import Document
    from app.kb.schemas import clean_tags

    services = build_cli_services()
    failures = 0
    for path in paths:
        with services.session_factory() as session, tqdm(desc=path.name, unit="step", leave=True) as bar:
            try:
                document, created = service.upload_document(
                    session, _principal(session, account), data=path.read_bytes(), filename=path.name,
                    title=None, tags=clean_tags(tags.split(",")))
                session.commit()
            except (ReplybaseError, OSError) as exc:
                bar.set_postfix_str("refused")
                typer.echo(f"{path}: {getattr(exc, 'detail', exc)}", err=True)
                failures += 1
                continue

            def show(step: str, done: int, total: int) -> None:
                bar.set_description(f"{path.name}: {step}")
                bar.total, bar.n = total, done
                bar.refresh()

            if created:
                process_document(services, document.id, final_attempt=True, progress=show)
            session.expire_all()
            document = session.get(Document, document.id)
            outcome = f"{document.status}, {document.chunk_count} chunks" + (
                f": {document.error}" if document.error else "")
            bar.set_postfix_str(outcome if created else f"already there ({outcome})")
            failures += document.status == "failed"
    raise typer.Exit(code=1 if failures else 0)


@kb_cli.command("search")
def search(query: str, account: AccountOption, top_k: int = 5,
           mode: Annotated[str, typer.Option(help="hybrid, semantic or keyword")] = "hybrid",
           local: Annotated[bool, typer.Option("--local", help="Search in this process even when the service "
                                                                "runs (loads the model: seconds)")] = False) -> None:
    """Search an account's knowledge base and print the cited chunks.

    Asked of the running service (REPLYBASE_API_URL) when one answers, whose model is loaded already; else here."""
    from app.config import get_settings

    settings = get_settings()
    if not local:
        from app.api_client import ask_running_api

        answer = ask_running_api(settings, account, "POST", "/ai/knowledge-base/search",
                                 {"query": query, "top_k": top_k, "mode": mode})
        if answer.response is not None:
            typer.echo(f"(answered by the running service at {answer.url})", err=True)
            if not answer.response.is_success:
                typer.echo(f"error: {answer.response.json().get('detail')}", err=True)
                raise typer.Exit(code=1)
            _print_hits(answer.response.json()["results"])
            return
        typer.echo(f"(searching here, loading the model: {answer.why_not})", err=True)
    _search_here(query, account, top_k, mode)


def _search_here(query: str, account: str, top_k: int, mode: str) -> None:
    from app.cli import build_cli_services
    from app.kb.retrieval import retrieve

    services = build_cli_services()
    with services.session_factory() as session:
        _principal(session, account)
        hits = retrieve(session, services, account, query, top_k=top_k, mode=mode)
    _print_hits([hit.model_dump() for hit in hits])


def _print_hits(hits: list[dict]) -> None:
    for rank, hit in enumerate(hits, 1):
        where = ", ".join(filter(None, [hit["document_title"], hit["page"] and f"page {hit['page']}",
                                        hit["section"]]))
        typer.echo(f"{rank}. [{hit['score']:.3f}] {where}\n   {hit['text'][:300]}")


@kb_cli.command("rebuild-index")
def rebuild_index(account: AccountOption) -> None:
    """Rebuild an account's FAISS and keyword indexes from the database."""
    from app.cli import build_cli_services

    services = build_cli_services()
    with services.session_factory() as session:
        _principal(session, account)
        count = services.components["kb_indexes"].rebuild(session, account)
    typer.echo(f"index rebuilt: {count} chunks")
