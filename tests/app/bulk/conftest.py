import pytest

from app.accounts.service import set_plan


@pytest.fixture
def growth_tenant(make_tenant, services):
    tenant = make_tenant()
    with services.session_factory() as session:
        set_plan(session, tenant.account_id, "growth")
        session.commit()
    return tenant


@pytest.fixture
def wa_session(client, growth_tenant) -> str:
    response = client.post("/api/v2/sessions", json={"name": "Shop"}, headers=growth_tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture
def fast_pace(services):
    """Pacing as a setting: high enough that tests never wait."""
    services.settings.bulk_messages_per_minute = 60_000_000
