"""Knowledge-base jobs: background ingestion, and sentence vectors for chunks stored without them."""

from app.jobs.registry import INGEST, JobContext, job_handler
from app.kb.ingestion import fail_document, process_document
from app.kb.sentence_backfill import KIND as SENTENCES, backfill_sentences
from app.state import Services

INGEST_ATTEMPTS = 3


def _give_up(services: Services, payload: dict, error: str) -> None:
    """Out of attempts (say, the file crashed the worker every time): the document ends failed, never stuck."""
    fail_document(services, payload["document_id"], f"indexing failed: {error}; retry with POST .../reindex")


@job_handler("kb.ingest", lane=INGEST, max_attempts=INGEST_ATTEMPTS, base_delay_seconds=5, on_give_up=_give_up)
def ingest_document(context: JobContext, payload: dict) -> None:
    process_document(context.services, payload["document_id"],
                     final_attempt=context.attempt >= INGEST_ATTEMPTS)


@job_handler(SENTENCES, lane=INGEST, max_attempts=INGEST_ATTEMPTS, base_delay_seconds=5)
def store_sentences(context: JobContext, payload: dict) -> None:
    backfill_sentences(context.services, payload["document_id"])
