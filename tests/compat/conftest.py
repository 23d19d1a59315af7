"""MoltFlow's guides replayed: requests sent as the guides write them (only ids replaced)."""

import pytest

from app.accounts.service import set_plan
from tests.compat.endpoints import ENDPOINTS, template_of

API = "/api/v2"


@pytest.fixture
def moltflow(client, tenant, services):
    """A MoltFlow client: the tenant on a plan with every feature, calling documented endpoints by template."""
    with services.session_factory() as session:
        set_plan(session, tenant.account_id, "business")
        session.commit()

    class Client:
        headers = tenant.headers
        http = client  # for what a guide does not cover (playing the customer in the sandbox)

        def __call__(self, endpoint: str, *, ids: dict | None = None, **kwargs):
            """`endpoint` is "METHOD /path/{id}" exactly as a guide lists it, and must be a supported one."""
            method, path = endpoint.split(" ", 1)
            assert ENDPOINTS[template_of(endpoint)].supported, f"{endpoint} is listed as unsupported"
            for name, value in (ids or {}).items():
                path = path.replace("{" + name + "}", value)
            assert "{" not in path, f"give an id for every placeholder of {endpoint}"
            return client.request(method, API + path, headers={**tenant.headers, **kwargs.pop("headers", {})},
                                  **kwargs)

    return Client()


@pytest.fixture
def session_id(moltflow):
    response = moltflow("POST /sessions", json={"name": "My WhatsApp"})
    assert response.status_code == 201, response.text
    return response.json()["id"]
