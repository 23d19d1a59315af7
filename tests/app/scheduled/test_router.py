from datetime import UTC, datetime, timedelta

import pytest

from tests.app.scheduled.conftest import in_minutes

BASE = "/api/v2/scheduled-messages"


def schedule(client, tenant, **body):
    return client.post(BASE, json=body, headers=tenant.headers)


def test_create_a_one_off_message(client, tenant, wa_session):
    at = in_minutes(5)
    response = schedule(client, tenant, session_id=wa_session, phone="15551234567", message="Hi", scheduled_at=at)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["status"] == "pending" and created["run_count"] == 0
    assert datetime.fromisoformat(created["next_run_at"]) == datetime.fromisoformat(at)
    assert created["cron"] is None and created["timezone"] == "UTC"
    assert client.get(f"{BASE}/{created['id']}", headers=tenant.headers).json() == created
    assert [m["id"] for m in client.get(BASE, headers=tenant.headers).json()] == [created["id"]]


def test_a_recurring_message_starts_at_its_first_cron_time_in_its_zone(client, tenant, wa_session):
    # A Saturday start for a weekdays-at-9 schedule in Madrid: the first run is Monday 9:00 local (8:00 UTC).
    saturday = datetime(2030, 1, 5, 12, 0, tzinfo=UTC).isoformat()
    response = schedule(client, tenant, session_id=wa_session, phone="15551234567", message="Good morning",
                        scheduled_at=saturday, cron="0 9 * * 1-5", timezone="Europe/Madrid")
    assert response.status_code == 201, response.text
    assert datetime.fromisoformat(response.json()["next_run_at"]) == datetime(2030, 1, 7, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("change", "message"), [
    ({"scheduled_at": "2030-01-01T09:00:00"}, "timezone info"),
    ({"scheduled_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()}, "in the past"),
    ({"scheduled_at": "next tuesday"}, "datetime"),
    ({"phone": "+1 (555)"}, "invalid phone '+1 (555)'"),
    ({"group_id": "g1"}, "exactly one of `phone` or `group_id`"),
    ({"phone": None}, "exactly one of `phone` or `group_id`"),
    ({"cron": "every day"}, "invalid cron expression"),
    ({"cron": "0 0 9 * * 1-5"}, "5 fields"),
    ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
    ({"timezone": "America"}, "unknown time zone 'America'"),  # a folder of zones, not a zone
    ({"timezone": "A" * 300}, "unknown time zone"),
    ({"scheduled_at": "9999-12-31T23:59:59-14:00"}, "years ahead"),
    ({"cron": "0 0 31 2 *"}, "never matches"),  # February 31st
    ({"message": ""}, "at least 1 character"),
    ({"message": "x" * 4097}, "at most 4096 characters"),
])
def test_validation(client, tenant, wa_session, change, message):
    body = {"session_id": wa_session, "phone": "15551234567", "message": "Hi", "scheduled_at": in_minutes(5)}
    response = schedule(client, tenant, **(body | change))
    assert response.status_code == 422, response.text
    assert message in str(response.json()["detail"])


def test_unknown_session_and_other_accounts_group_are_404(client, tenant, other_tenant, wa_session):
    theirs = client.post("/api/v2/custom-groups", json={"name": "Theirs", "phones": ["15550000001"]},
                         headers=other_tenant.headers).json()
    assert schedule(client, tenant, session_id="nope", phone="15551234567", message="Hi",
                    scheduled_at=in_minutes(5)).json() == {"detail": "Session not found"}
    response = schedule(client, tenant, session_id=wa_session, group_id=theirs["id"], message="Hi",
                        scheduled_at=in_minutes(5))
    assert response.status_code == 404 and response.json() == {"detail": "Custom group not found"}


def test_media_url_must_be_public(client, tenant, wa_session, services):
    services.settings.allow_private_urls = False
    response = schedule(client, tenant, session_id=wa_session, phone="15551234567", message="Hi",
                        media_url="http://127.0.0.1/x.jpg", scheduled_at=in_minutes(5))
    assert response.status_code == 422 and "private" in response.json()["detail"]


def test_delete_cancels_then_deletes(client, tenant, other_tenant, wa_session):
    created = schedule(client, tenant, session_id=wa_session, phone="15551234567", message="Hi",
                       scheduled_at=in_minutes(5)).json()
    assert client.delete(f"{BASE}/{created['id']}", headers=other_tenant.headers).status_code == 404
    cancelled = client.delete(f"{BASE}/{created['id']}", headers=tenant.headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["next_run_at"] is None
    assert client.get(f"{BASE}?status=cancelled", headers=tenant.headers).json()[0]["id"] == created["id"]
    assert client.get(f"{BASE}?status=pending", headers=tenant.headers).json() == []
    # A finished one (cancelled, sent or failed) is deleted, as MoltFlow's guide has it.
    assert client.delete(f"{BASE}/{created['id']}", headers=tenant.headers).status_code == 204
    assert client.get(f"{BASE}/{created['id']}", headers=tenant.headers).status_code == 404
