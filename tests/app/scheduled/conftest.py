from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from app.common import utcnow
from app.messages.models import Message
from app.scheduled.models import ScheduledMessage


@pytest.fixture
def wa_session(client, tenant) -> str:
    response = client.post("/api/v2/sessions", json={"name": "Shop"}, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def in_minutes(minutes: float) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


def make_due(services, scheduled_id: str | None = None) -> None:
    """Move the next run into the past, as if the clock had reached it."""
    with services.session_factory() as session:
        statement = update(ScheduledMessage).values(next_run_at=utcnow() - timedelta(seconds=1))
        if scheduled_id:
            statement = statement.where(ScheduledMessage.id == scheduled_id)
        session.execute(statement)
        session.commit()


def sent_messages(services, origin: str = "scheduled") -> list[Message]:
    with services.session_factory() as session:
        return list(session.exec(select(Message).where(Message.origin == origin).order_by(Message.created_at)))
