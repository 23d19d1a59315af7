"""A verified API key is remembered for a few seconds, yet a change to keys or plans made here applies at once."""

from sqlmodel import select

from app.apikeys.models import ApiKey
from app.auth.verified_keys import VerifiedKeys, current_generation
from app.common import utcnow


def test_a_key_revoked_directly_in_the_database_stops_working_at_the_next_call(client, tenant, db):
    assert client.get("/api/v2/sessions", headers=tenant.headers).status_code == 200  # now remembered
    for key in db.exec(select(ApiKey).where(ApiKey.account_id == tenant.account_id)):
        key.revoked_at = utcnow()
        db.add(key)
    db.commit()
    assert client.get("/api/v2/sessions", headers=tenant.headers).status_code == 401


def test_a_remembered_key_is_forgotten_after_its_time():
    remembered = VerifiedKeys(ttl_seconds=0.0)
    remembered.put("hash", object(), current_generation())
    assert remembered.get("hash") is None
