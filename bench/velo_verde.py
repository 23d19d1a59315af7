"""The Velo Verde test shop (tests/files) through the preview service.

    python bench/velo_verde.py

The shop's questions of tests/app/drafters/velo_verde.py and three more customers ask ("What is your address?",
"What are your hours", "Great, and your address?"), then the questions its documents do not answer and "Can I pay
with bitcoin?". Prints each reply's confidence and outcome, and a summary table. A check on a hand-made shop, not a
measure: the figures that count are bench/answerability.py's, on data the answer model was not fitted on.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import common  # noqa: F401 - puts the repository on sys.path and keeps the model offline
from answerability import ask, new_account

from app.bootstrap import build_services
from app.config import Settings
from app.jobs.worker import drain
from app.kb import service as kb_service
from tests.app.drafters.velo_verde import ANSWERABLE, UNANSWERABLE

FILES = Path(__file__).resolve().parents[1] / "tests" / "files"
DOCUMENTS = ("velo_verde_handbook.pdf", "velo_verde_prices.docx", "velo_verde_faq.txt")
MORE_ANSWERABLE = [("What is your address?", ["14 Canal Street"]), ("What are your hours", ["09:00"]),
                   ("Great, and your address?", ["14 Canal Street"])]
MORE_UNANSWERABLE = ["Can I pay with bitcoin?"]


def main() -> None:
    services = build_services(Settings(_env_file=None, data_dir=Path(tempfile.mkdtemp()), run_workers=False))
    principal = new_account(services, "Velo Verde")
    with services.session_factory() as session:
        for name in DOCUMENTS:
            kb_service.upload_document(session, principal, data=(FILES / name).read_bytes(), filename=name,
                                       title=None, tags=[])
        session.commit()
    drain(services)
    answerable = list(ANSWERABLE) + MORE_ANSWERABLE
    unanswerable = list(UNANSWERABLE) + MORE_UNANSWERABLE
    right = 0
    for question, facts in answerable:
        result, _ = ask(services, principal, question)
        ok = not result.handoff and all(fact in result.reply for fact in facts)
        right += ok
        outcome = "right" if ok else "handed off" if result.handoff else "WRONG"
        print(f"  {outcome} {result.confidence or 0:.2f} {question!r} -> {result.reply[:80]!r}")
    handed_off = 0
    for question in unanswerable:
        result, _ = ask(services, principal, question)
        handed_off += result.handoff
        print(f"  {'handed off' if result.handoff else 'ANSWERED'} {result.confidence or 0:.2f} {question!r} -> "
              f"{result.reply[:80]!r}")
    print(f"\n| answerable right | unanswerable handed off |\n|---|---|\n"
          f"| {right} of {len(answerable)} | {handed_off} of {len(unanswerable)} |")


if __name__ == "__main__":
    main()
