"""The `replybase` command: serve, worker, init, db upgrade, accounts set-plan. Calls services only.

Every command imports what it needs when it runs (settings included): `replybase --help` and a `replybase kb
search` answered by the running service are new processes that should load little.
"""

import secrets
from typing import Annotated

import typer

from app.jobs.cli import jobs_cli
from app.kb.cli import kb_cli

cli = typer.Typer(help="Replybase: self-hosted WhatsApp automation API with an AI knowledge base.",
                  no_args_is_help=True, add_completion=False)
db_cli = typer.Typer(help="Database migrations.", no_args_is_help=True)
accounts_cli = typer.Typer(help="Manage accounts.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(accounts_cli, name="accounts")
cli.add_typer(kb_cli, name="kb")
cli.add_typer(jobs_cli, name="jobs")


def build_cli_services():
    from app.bootstrap import build_services
    from app.config import get_settings

    return build_services(get_settings())


@cli.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1, help="API processes sharing the port; above 1 needs "
                                                       "REPLYBASE_REDIS_URL (shared rate limits)")] = 1,
) -> None:
    """Run the API (and its background worker) on HOST:PORT."""
    import uvicorn

    from app.config import get_settings
    from app.logs import configure_logging

    settings = get_settings()
    if workers > 1 and not settings.redis_url:
        # Budgets and login throttles count in each process's memory without Redis: N processes would allow N times.
        raise typer.BadParameter("more than one process needs REPLYBASE_REDIS_URL, so that the processes share "
                                 "rate limits and login throttles; start Redis and set it, or use --workers 1",
                                 param_hint="--workers")
    configure_logging(settings)
    typer.echo(f"Replybase API on http://{host}:{port}/api/v2 - docs at http://{host}:{port}/docs")
    typer.echo("No key yet? In another shell run: replybase init")
    # Logging is ours (REPLYBASE_LOG_*): uvicorn neither configures it nor writes its access log, which would print
    # raw paths (with phone numbers); the app logs one line per request by route template instead.
    # proxy_headers off: X-Forwarded-For is believed only from REPLYBASE_TRUSTED_PROXIES (app/main.py).
    options = {"host": host, "port": port, "log_config": None, "log_level": None, "access_log": False,
               "proxy_headers": False}
    if workers == 1:
        from app.main import create_app

        uvicorn.run(create_app(), **options)
        return
    _prepare_shared_state(settings)
    uvicorn.run("app.main:create_app", factory=True, workers=workers, **options)


def _prepare_shared_state(settings) -> None:
    """Once, before the processes start: the migrations and the JWT secret file, which they would otherwise race
    to create."""
    from app.auth.tokens import load_or_create_jwt_secret
    from app.db import create_db_engine
    from app.migrate import upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings.resolved_database_url)
    upgrade(engine)
    engine.dispose()
    load_or_create_jwt_secret(settings.jwt_secret, settings.data_dir)


@cli.command()
def worker(
    metrics_port: Annotated[int, typer.Option(help="Serve Prometheus metrics on this port (0: off)")] = 0,
    metrics_host: Annotated[str, typer.Option(help="Address the metrics port listens on")] = "127.0.0.1",
) -> None:
    """Run background jobs in the foreground (for deployments that separate API and workers)."""
    from app.config import get_settings
    from app.jobs.worker import Worker
    from app.logs import configure_logging

    settings = get_settings()
    configure_logging(settings)
    services = build_cli_services()
    if metrics_port and settings.metrics:
        from prometheus_client import start_http_server

        from app.metrics import scrape_registry

        start_http_server(metrics_port, addr=metrics_host, registry=scrape_registry(services.session_factory))
        typer.echo(f"Worker metrics on http://{metrics_host}:{metrics_port}/metrics")
    typer.echo("Replybase worker running; Ctrl-C stops it.")
    try:
        Worker(services).run_forever()
    except KeyboardInterrupt:
        pass


@cli.command()
def init(
    plan: Annotated[str, typer.Option(help="self-hosted (no limits), free, growth or business")] = "self-hosted",
    email: Annotated[str, typer.Option(help="The owner's login email")] = "",
    password: Annotated[str, typer.Option(help="The owner's password (generated when omitted)")] = "",
    name: Annotated[str, typer.Option(help="The account name")] = "My business",
) -> None:
    """Create an account (on the self-hosted plan: no limits), its owner and a full-access API key; print the key."""
    from app.accounts.service import set_plan
    from app.apikeys.scopes import ALL_SCOPES
    from app.apikeys.service import create_key
    from app.auth.service import create_account_with_owner
    from app.errors import ReplybaseError

    services = build_cli_services()
    email = email or f"owner-{secrets.token_hex(3)}@localhost.localdomain"
    password = password or secrets.token_urlsafe(12)
    with services.session_factory() as session:
        try:
            account, user = create_account_with_owner(session, email=email, password=password, account_name=name)
            set_plan(session, account.id, plan)
        except ReplybaseError as exc:
            typer.echo(f"error: {exc.detail}", err=True)
            raise typer.Exit(code=1) from None
        _key, secret = create_key(session, account.id, "Created by replybase init", list(ALL_SCOPES))
        session.commit()
    typer.echo(f"account_id: {account.id}\nplan:       {plan}\nlogin:      {email} / {password}")
    typer.echo(f"api_key:    {secret}\n\nThe key is shown once; store it now, e.g. export MOLTFLOW_API_KEY={secret}")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply all database migrations."""
    from app.config import get_settings
    from app.db import create_db_engine
    from app.migrate import upgrade

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(create_db_engine(settings.resolved_database_url))
    typer.echo("database is up to date")


@accounts_cli.command("set-plan")
def accounts_set_plan(account_id: str, plan: str) -> None:
    """Move ACCOUNT_ID to PLAN (free, growth, business, self-hosted)."""
    from app.accounts.service import set_plan
    from app.errors import ReplybaseError

    services = build_cli_services()
    with services.session_factory() as session:
        try:
            set_plan(session, account_id, plan)
        except ReplybaseError as exc:
            typer.echo(f"error: {exc.detail}", err=True)
            raise typer.Exit(code=1) from None
        session.commit()
    typer.echo(f"account {account_id} is now on the {plan} plan")


def main() -> None:
    cli()
