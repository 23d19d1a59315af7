"""The Velo Verde test shop (tests/files) through the preview service, with each answer decision in turn.

    python bench/velo_verde.py

The shop's questions of tests/app/drafters/test_extractive.py, and three more customers ask ("What is your
address?", "What are your hours", "Great, and your address?"); then its unanswerable ones and "Can I pay with
bitcoin?". Prints each reply's confidence and outcome, and a summary table. The rules of
REPLYBASE_EXTRACTIVE_DECISION=tuned were tuned on this shop, so it is a check, not a measure.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import common  # noqa: F401 - puts the repository on sys.path and keeps the model offline
from answerability import ask, new_account, use_decision

from app.bootstrap import build_services
from app.config import Settings
from app.jobs.worker import drain
from app.kb import service as kb_service
from tests.app.drafters.test_extractive import ANSWERABLE, UNANSWERABLE

FILES = Path(__file__).resolve().parents[1] / "tests" / "files"
DOCUMENTS = ("velo_verde_handbook.pdf", "velo_verde_prices.docx", "velo_verde_faq.txt")
MORE_ANSWERABLE = [("What is your address?", ["14 Canal Street"]), ("What are your hours", ["09:00"]),
                   ("Great, and your address?", ["14 Canal Street"])]
MORE_UNANSWERABLE = ["Can I pay with bitcoin?"]


def main() -> None:
    # Sentence vectors are stored at ingestion, so both decisions can be asked of one knowledge base.
    services = build_services(Settings(data_dir=Path(tempfile.mkdtemp()), extractive_decision="fitted",
                                       run_workers=False))
    principal = new_account(services, "Velo Verde")
    with services.session_factory() as session:
        for name in DOCUMENTS:
            kb_service.upload_document(session, principal, data=(FILES / name).read_bytes(), filename=name,
                                       title=None, tags=[])
        session.commit()
    drain(services)
    answerable = list(ANSWERABLE) + MORE_ANSWERABLE
    unanswerable = list(UNANSWERABLE) + MORE_UNANSWERABLE
    summary = []
    for decision in ("tuned", "fitted"):
        use_decision(services, decision)
        print(f"\nREPLYBASE_EXTRACTIVE_DECISION={decision}")
        right = 0
        for question, facts in answerable:
            result, _ = ask(services, principal, question)
            ok = not result.handoff and all(fact in result.reply for fact in facts)
            right += ok
            print(f"  {'right' if ok else 'WRONG' if not result.handoff else 'handed off'} {result.confidence or 0:.2f} "
                  f"{question!r} -> {result.reply[:80]!r}")
        handed_off = 0
        for question in unanswerable:
            result, _ = ask(services, principal, question)
            handed_off += result.handoff
            print(f"  {'handed off' if result.handoff else 'ANSWERED'} {result.confidence or 0:.2f} {question!r} -> "
                  f"{result.reply[:80]!r}")
        summary.append((decision, right, handed_off))
    print(f"\n| decision | answerable right of {len(answerable)} | unanswerable handed off of {len(unanswerable)} |")
    print("|---|---|---|")
    for decision, right, handed_off in summary:
        print(f"| {decision} | {right} | {handed_off} |")


if __name__ == "__main__":
    main()
