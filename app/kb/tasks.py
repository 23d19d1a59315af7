"""Knowledge-base jobs: background ingestion."""

from app.jobs.registry import JobContext, job_handler
from app.kb.ingestion import process_document

INGEST_ATTEMPTS = 3


@job_handler("kb.ingest", max_attempts=INGEST_ATTEMPTS, base_delay_seconds=5)
def ingest_document(context: JobContext, payload: dict) -> None:
    process_document(context.services, payload["document_id"],
                     final_attempt=context.attempt >= INGEST_ATTEMPTS)
