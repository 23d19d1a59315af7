"""Two retries of one send with the same Idempotency-Key, racing on separate connections: one message goes out.

Real committed rows on the test database, cleaned up afterwards. The first retry stores the message (queued) and
commits before calling the gateway; the second either finds it at its lookup or is refused by the unique index at
its insert, and answers 409 "still being sent" (or the first's result, once that is recorded).
"""

import threading
import time

import pytest
from sqlmodel import Session, select

from app.accounts.models import Account
from app.bootstrap import build_services
from app.config import Settings
from app.gateways.sandbox import SandboxGateway
from app.messages.models import Message
from app.messages.repository import MessageRepository
from app.messages.service import send_message
from app.sessions.models import WhatsAppSession


@pytest.fixture
def committed_session(tmp_path, database_url, engine):  # `engine` has migrated the database
    services = build_services(Settings(_env_file=None, data_dir=tmp_path, database_url=database_url,
                                       run_workers=False, embedding_provider="hash"), migrate=False)
    with Session(services.engine) as session:
        account = Account(name="race")
        wa_session = WhatsAppSession(account_id=account.id, name="s", status="working", phone_number="15550000000")
        session.add(account)
        session.flush()
        session.add(wa_session)
        session.commit()
        ids = account.id, wa_session.id
    yield services, *ids
    with Session(services.engine) as session:
        session.delete(session.get(Account, ids[0]))  # cascades to its session and messages
        session.commit()
    services.engine.dispose()


def test_racing_retries_with_one_key_send_once(committed_session, monkeypatch):
    services, account_id, session_id = committed_session
    gateway_calls = []
    real_send_text = SandboxGateway.send_text

    def slow_send_text(self, wa_session, to, text):
        gateway_calls.append(to)
        time.sleep(0.3)  # the second retry arrives while the first is still talking to WhatsApp
        return real_send_text(self, wa_session, to, text)

    monkeypatch.setattr(SandboxGateway, "send_text", slow_send_text)
    lookups = []
    real_lookup = MessageRepository.by_idempotency_key

    def counted_lookup(self, key):
        found = real_lookup(self, key)
        lookups.append(found is not None)
        return found

    monkeypatch.setattr(MessageRepository, "by_idempotency_key", counted_lookup)
    start = threading.Barrier(2)
    outcomes: list = []

    def retry():
        start.wait()
        try:
            result = send_message(services, account_id, session_id=session_id, phone="15551234567",
                                  message="Your order shipped", idempotency_key="order-42-shipped")
            outcomes.append(result.message_id)
        except Exception as exc:  # noqa: BLE001 - recorded and asserted below
            outcomes.append(exc)

    threads = [threading.Thread(target=retry) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(gateway_calls) == 1
    with Session(services.engine) as session:
        messages = session.exec(select(Message).where(Message.account_id == account_id)).all()
    assert len(messages) == 1 and messages[0].status == "sent"
    # The loser either waited and got the first result, or was told the first is still being sent (409).
    results = [o for o in outcomes if isinstance(o, str)]
    conflicts = [o for o in outcomes if not isinstance(o, str)]
    assert results and set(results) == {messages[0].gateway_message_id}
    assert all(getattr(exc, "status_code", None) == 409 for exc in conflicts), conflicts
    # The loser saw the winner's row, at its first lookup or after the unique index refused its insert.
    assert lookups[0] is False and lookups[-1] is True
