"""Two real workers on PostgreSQL: separate connections, committed rows (cleaned up afterwards)."""

from datetime import timedelta

import pytest
from sqlmodel import Session

from app.accounts.models import Account
from app.common import utcnow
from app.scheduled.firing import claim
from app.scheduled.models import ScheduledMessage
from app.sessions.models import WhatsAppSession


@pytest.fixture
def committed_due_rows(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    with Session(engine) as session:
        account = Account(name="race")
        wa_session = WhatsAppSession(account_id=account.id, name="s", status="working", phone_number="15550000000")
        rows = [ScheduledMessage(account_id=account.id, session_id=wa_session.id, phone="15551234567", message="x",
                                 scheduled_at=utcnow(), next_run_at=utcnow() - timedelta(seconds=1))
                for _ in range(3)]
        session.add(account)
        session.flush()
        session.add(wa_session)
        session.flush()
        session.add_all(rows)
        session.commit()
        ids, account_id = sorted(row.id for row in rows), account.id
    yield ids
    with Session(engine) as session:
        session.delete(session.get(Account, account_id))  # cascades to its session and messages
        session.commit()


def test_a_second_worker_skips_rows_the_first_is_claiming(engine, committed_due_rows):
    now = utcnow()
    with Session(engine) as first, Session(engine) as second:
        taken_by_first = claim(first, now, limit=2)
        assert len(taken_by_first) == 2
        # While the first worker's claim is uncommitted, the second neither waits nor takes its rows.
        taken_by_second = claim(second, now)
        assert len(taken_by_second) == 1
        assert sorted(row_id for row_id, _ in taken_by_first + taken_by_second) == committed_due_rows
        first.commit()
        second.commit()
    with Session(engine) as third:
        assert claim(third, now) == []
