"""Auto-reply latency: from an inbound event to the gateway's send call, through the real path (record_inbound,
the durable job, the handler, hybrid search, the extractive drafter, guardrails), against the bare hybrid search
time in the same run. Target p95 < 150 ms. Also prints the answer/handoff tally on the Velo Verde questions.

    python bench/autoreply_latency.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import common  # noqa: F401 - puts the repository on sys.path and keeps the model offline
from sqlmodel import select

from app.apikeys.scopes import ALL_SCOPES
from app.auth.principal import Principal
from app.auth.service import create_account_with_owner
from app.autoreply.models import Reply
from app.autoreply.schemas import AutoReplyConfig
from app.autoreply.service import put_settings
from app.bootstrap import build_services
from app.config import Settings
from app.gateways.base import InboundMessage
from app.gateways.registry import get_gateway
from app.jobs.worker import drain
from app.kb import service as kb_service
from app.kb.ingestion import process_document
from app.kb.retrieval import retrieve
from app.messages.service import record_inbound
from app.sessions.models import WhatsAppSession
from app.sessions.schemas import SessionCreate
from app.sessions.service import create_session

FILES = Path(__file__).resolve().parent.parent / "tests" / "files"
ANSWERABLE = ["When are you open on Sunday?", "How much does a puncture repair cost?", "What is your phone number?",
              "How long is the warranty on the frame?", "How many days do I have to return something?",
              "How much is shipping?", "Where is the shop?", "How much is a tune-up?"]
UNANSWERABLE = ["Do you sell tractors?", "Can I pay with bitcoin?", "Do you deliver to the Moon?"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def setup(data_dir: Path):
    services = build_services(Settings(_env_file=None, data_dir=data_dir, run_workers=False))
    with services.session_factory() as session:
        account, _ = create_account_with_owner(session, email="bench@example.com", password="password-123",
                                               account_name="Velo Verde", plan="business")
        session.commit()
    principal = Principal(account_id=account.id, plan="business", scopes=frozenset(ALL_SCOPES))
    wa_session = create_session(services, principal, SessionCreate(name="Shop"))
    with services.session_factory() as session:
        documents = [kb_service.upload_document(session, principal, data=(FILES / name).read_bytes(),
                                                filename=name, title=None, tags=[])[0].id
                     for name in ("velo_verde_handbook.pdf", "velo_verde_prices.docx", "velo_verde_faq.txt")]
        put_settings(session, principal, wa_session.id,
                     AutoReplyConfig(enabled=True, debounce_seconds=0, human_pause_minutes=0,
                                     max_replies_per_chat_per_hour=1000))
        session.commit()
    for document_id in documents:
        process_document(services, document_id, final_attempt=True)
    drain(services)
    return services, account.id, wa_session.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        services, account_id, session_id = setup(Path(directory))
        gateway = get_gateway(services, "sandbox")
        send_calls: list[float] = []
        original_send = gateway.send_text

        def timed_send(*send_args, **send_kwargs):
            send_calls.append(time.perf_counter())
            return original_send(*send_args, **send_kwargs)

        gateway.send_text = timed_send
        latencies, searches, outcomes = [], [], {}
        counter = 0
        for round_number in range(args.rounds):
            for question in ANSWERABLE + UNANSWERABLE:
                counter += 1
                with services.session_factory() as session:
                    started = time.perf_counter()
                    retrieve(session, services, account_id, question, top_k=5)
                    searches.append((time.perf_counter() - started) * 1000)
                with services.session_factory() as session:
                    wa_session = session.get(WhatsAppSession, session_id)
                    before = len(send_calls)
                    started = time.perf_counter()
                    message = record_inbound(session, services, wa_session, InboundMessage(
                        gateway_message_id=f"wamid.bench{counter}", phone=f"4477009{counter:05d}", text=question))
                    session.commit()
                    message_id = message.id
                drain(services)
                if len(send_calls) > before:
                    latencies.append((send_calls[before] - started) * 1000)
                if round_number == 0:
                    with services.session_factory() as session:
                        reply = session.exec(select(Reply).where(Reply.inbound_message_id == message_id)).one()
                        outcomes[question] = (reply.status, reply.reply_text)

    print("\nAuto-reply, inbound event -> gateway send call (extractive drafter, debounce 0, 3 documents)\n")
    print("| measurement | n | p50 ms | p95 ms |")
    print("|---|---|---|---|")
    print(f"| inbound -> send (full path) | {len(latencies)} | {statistics.median(latencies):.1f} "
          f"| {percentile(latencies, 0.95):.1f} |")
    print(f"| bare hybrid search (query embedding included) | {len(searches)} | {statistics.median(searches):.1f} "
          f"| {percentile(searches, 0.95):.1f} |")
    print(f"\nratio p50 full / search: {statistics.median(latencies) / statistics.median(searches):.1f}x; "
          f"target p95 < 150 ms\n")
    answered = sum(outcomes[q][0] == "sent" for q in ANSWERABLE)
    handed_off = sum(outcomes[q][0] == "handoff" for q in UNANSWERABLE)
    print(f"answerable answered: {answered}/{len(ANSWERABLE)}; unanswerable handed off: "
          f"{handed_off}/{len(UNANSWERABLE)}")
    for question, (status, text) in outcomes.items():
        print(f"- {question} -> {status}: {(text or '')[:90]!r}")


if __name__ == "__main__":
    main()
