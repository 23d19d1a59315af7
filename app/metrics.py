"""Prometheus metrics: HTTP traffic, jobs, auto-reply and webhook outcomes, and the job queue read at scrape time.

Counters and histograms live in prometheus_client's default registry, one set per process; the queue gauges are
read from the jobs table when scraped, so every process reports the same queue. README "Operations" lists them all.
"""

import logging
from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from app.common import utcnow
from app.jobs.models import Job
from app.jobs.registry import LANES

logger = logging.getLogger("replybase.metrics")

# Label values bounded by the code, never by the client: any other HTTP method is counted as "other".
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "<unmatched>"
AUTOREPLY_STATUSES = ("sent", "draft", "handoff", "skipped", "merged", "failed", "unknown")
WEBHOOK_OUTCOMES = ("delivered", "retry", "failed")
# Job statuses counted in the queue gauge; "done" rows are history, not queue.
QUEUE_STATUSES = ("queued", "running", "failed")
# What the queue is grouped by, and the groups shown (at 0) when they have no jobs, so a drained queue reads 0, not
# "no data".
QUEUE_GROUP = Job.lane


def _queue_groups() -> set[str]:
    return set(LANES)


# Edges from the calls jobs wait on: the webhook (10 s), gateway (15 s) and LLM (20 s) timeouts are edges, so a job
# that ran into one shows as such; the buckets past a minute are for document ingestion.
JOB_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 20, 30, 60, 120, 300, 600)

HTTP_REQUESTS = Counter("replybase_http_requests", "HTTP requests answered, by method, route template and status.",
                        ["method", "route", "status"])
# prometheus_client's default buckets (5 ms to 10 s) fit API calls; the uploads that take longer land in +Inf.
HTTP_DURATION = Histogram("replybase_http_request_duration_seconds",
                          "Time to answer an HTTP request, by method, route template and status.",
                          ["method", "route", "status"])
JOB_DURATION = Histogram("replybase_job_duration_seconds", "Time one job attempt took, by kind and lane.",
                         ["kind", "lane"], buckets=JOB_BUCKETS)
JOB_FAILURES = Counter("replybase_job_failures", "Job attempts that raised (each is retried until max_attempts).",
                       ["kind", "lane"])
AUTOREPLY_OUTCOMES = Counter("replybase_autoreply_outcomes", "Inbound messages the auto-reply settled, by status.",
                             ["status"])
WEBHOOK_DELIVERIES = Counter("replybase_webhook_deliveries",
                             "Webhook delivery attempts: delivered, retry (scheduled again) or failed (gave up).",
                             ["outcome"])
for _status in AUTOREPLY_STATUSES:  # every series exists from the start, so rate() sees the first increment
    AUTOREPLY_OUTCOMES.labels(_status)
for _outcome in WEBHOOK_OUTCOMES:
    WEBHOOK_DELIVERIES.labels(_outcome)


# (method, route, status) -> its counter and histogram, looked up once: labels() takes a lock and checks its labels
# on every call. Bounded as the labels are.
_request_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    method = method if method in HTTP_METHODS else "other"
    series = _request_series.get((method, route, status))
    if series is None:
        labels = (method, route, str(status))
        series = _request_series.setdefault((method, route, status),
                                            (HTTP_REQUESTS.labels(*labels), HTTP_DURATION.labels(*labels)))
    series[0].inc()
    series[1].observe(seconds)


def observe_job(kind: str, lane: str, seconds: float, ok: bool) -> None:
    """Record one job attempt; the worker calls it after each attempt, whatever the outcome."""
    JOB_DURATION.labels(kind, lane).observe(seconds)
    if not ok:
        JOB_FAILURES.labels(kind, lane).inc()


def record_autoreply_outcome(status: str) -> None:
    """Count one auto-reply settled as `status` (one of AUTOREPLY_STATUSES)."""
    AUTOREPLY_OUTCOMES.labels(status).inc()


def record_webhook_delivery(outcome: str) -> None:
    """Count one webhook delivery attempt as delivered, retry or failed."""
    WEBHOOK_DELIVERIES.labels(outcome).inc()


class JobQueueCollector(Collector):
    """Jobs waiting, running and failed per lane, and the wait of the oldest due job, counted when scraped."""

    def __init__(self, session_factory: sessionmaker) -> None:
        self.session_factory = session_factory

    def collect(self) -> Iterator[Metric]:
        now = utcnow()
        try:
            with self.session_factory() as session:  # two reads, then closed: no lock is held past the scrape
                counts = session.execute(
                    select(QUEUE_GROUP, Job.status, func.count()).where(Job.status.in_(QUEUE_STATUSES))
                    .group_by(QUEUE_GROUP, Job.status)).all()
                oldest = session.execute(
                    select(QUEUE_GROUP, func.min(Job.run_at)).where(Job.status == "queued", Job.run_at <= now)
                    .group_by(QUEUE_GROUP)).all()
        except SQLAlchemyError as exc:
            logger.warning("queue metrics skipped: the database did not answer (%s)", type(exc).__name__)
            return
        depth = {(group, status): 0 for group in _queue_groups() for status in QUEUE_STATUSES}
        depth |= {(group, status): count for group, status, count in counts}
        jobs = GaugeMetricFamily("replybase_jobs", "Jobs in the queue by lane and status (queued, running, failed).",
                                 labels=["lane", "status"])
        for (group, status), count in sorted(depth.items()):
            jobs.add_metric([group, status], count)
        waits = dict.fromkeys(_queue_groups(), 0.0) | {group: max(0.0, (now - run_at).total_seconds())
                                                      for group, run_at in oldest}
        waited = GaugeMetricFamily("replybase_jobs_oldest_due_seconds",
                                   "How long the oldest due queued job of each lane has waited for a worker.",
                                   labels=["lane"])
        for group, seconds in sorted(waits.items()):
            waited.add_metric([group], seconds)
        yield jobs
        yield waited


class _ProcessMetrics(Collector):
    """This process's counters and histograms (the default registry), for a registry of our own."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def scrape_registry(session_factory: sessionmaker) -> CollectorRegistry:
    """Everything /metrics shows: this process's metrics plus the queue, read through `session_factory`."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ProcessMetrics())
    registry.register(JobQueueCollector(session_factory))
    return registry
