"""`replybase jobs list|retry|purge`: the operator's view of background work across all accounts."""

from typing import Annotated

import typer

jobs_cli = typer.Typer(help="Background jobs: list, retry failed ones, purge finished ones.", no_args_is_help=True)


def _services():
    from app.bootstrap import build_services
    from app.config import get_settings

    return build_services(get_settings())


@jobs_cli.command("list")
def list_jobs(status: Annotated[str, typer.Option(help="queued, running, done or failed")] = "",
              lane: Annotated[str, typer.Option(help="replies, outreach or ingest")] = "",
              limit: int = 50) -> None:
    """The newest jobs, one line each."""
    from app.db import unit_of_work
    from app.jobs.service import operator_list

    with unit_of_work(_services().session_factory, read_only=True) as session:
        jobs = operator_list(session, status=status or None, lane=lane or None, limit=limit)
    for job in jobs:
        error = f"  {job.last_error.splitlines()[0][:100]}" if job.last_error else ""
        typer.echo(f"{job.id:>8}  {job.status:<8} {job.lane:<8} {job.kind:<22} "
                   f"{job.attempts}/{job.max_attempts}  {job.created_at:%Y-%m-%d %H:%M:%S}{error}")
    if not jobs:
        typer.echo("no jobs")


@jobs_cli.command("retry")
def retry(job_ids: Annotated[list[int] | None, typer.Argument(help="Job ids; none with --all-failed")] = None,
          all_failed: Annotated[bool, typer.Option("--all-failed", help="Every failed job")] = False) -> None:
    """Run failed jobs again with a fresh set of attempts."""
    from app.db import unit_of_work
    from app.jobs.service import failed_job_ids, requeue

    if not job_ids and not all_failed:
        typer.echo("name job ids, or pass --all-failed", err=True)
        raise typer.Exit(code=2)
    with unit_of_work(_services().session_factory) as session:
        count = requeue(session, failed_job_ids(session) if all_failed else list(job_ids))
    typer.echo(f"re-queued {count} failed job{'s' * (count != 1)}")


@jobs_cli.command("purge")
def purge(older_than_days: Annotated[float, typer.Option(help="Finished more than this many days ago")] = 7) -> None:
    """Delete finished (done or failed) jobs older than --older-than-days."""
    from app.jobs.retention import purge_finished_jobs

    count = purge_finished_jobs(_services(), days=older_than_days)
    typer.echo(f"purged {count} finished job{'s' * (count != 1)}")
