import pytest


@pytest.fixture
def waha_session(client, tenant, fake_waha):
    """A WAHA session, paired at once (its number: 15550009999)."""
    fake_waha.pair_phone = "15550009999"
    response = client.post("/api/v2/sessions", json={"name": "Shop", "gateway": "waha"}, headers=tenant.headers)
    assert response.json()["status"] == "working", response.text
    return response.json()["id"]
