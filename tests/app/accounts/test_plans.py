"""Every feature GET /account advertises is enforced where it applies, and each refusal says how to change plan."""

import dataclasses

import pytest

from app.accounts.plans import FEATURE_LABELS, PLANS
from app.accounts.service import set_plan

KB = "/api/v2/ai/knowledge-base"


def new_session(client, tenant) -> str:
    response = client.post("/api/v2/sessions", json={"name": "Shop"}, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def upload(client, tenant):
    return client.post(f"{KB}/upload", files={"file": ("faq.txt", b"We open at nine.")}, headers=tenant.headers)


def add_text(client, tenant):
    return client.post(f"{KB}/text", json={"title": "FAQ", "text": "We open at nine."}, headers=tenant.headers)


def enable_auto_reply(client, tenant):
    session_id = new_session(client, tenant)
    return client.put(f"/api/v2/ai/auto-reply/{session_id}", json={"enabled": True}, headers=tenant.headers)


def preview(client, tenant):
    return client.post("/api/v2/ai/preview", json={"message": "When do you open?"}, headers=tenant.headers)


def evaluate(client, tenant):
    return client.post("/api/v2/ai/evaluate", json={"questions": [{"message": "When do you open?"}]},
                       headers=tenant.headers)


def choose_openai_drafter(client, tenant):
    session_id = new_session(client, tenant)
    return client.put(f"/api/v2/ai/auto-reply/{session_id}", json={"drafter": "openai"}, headers=tenant.headers)


def bulk_send(client, tenant):
    return client.post("/api/v2/messages/bulk", headers=tenant.headers,
                       json={"session_id": new_session(client, tenant), "phones": ["15551234567"], "message": "Hi"})


# Each advertised feature and the requests it gates.
GATES = {
    "knowledge_base": [upload, add_text],
    "auto_reply": [enable_auto_reply, preview, evaluate],
    "openai_drafter": [choose_openai_drafter],
    "bulk_messages": [bulk_send],
}
GATED_REQUESTS = [(feature, request) for feature, requests in GATES.items() for request in requests]
IDS = [f"{feature}-{request.__name__}" for feature, request in GATED_REQUESTS]


def test_every_advertised_feature_has_a_gate():
    assert set(GATES) == set(FEATURE_LABELS)


@pytest.fixture
def plan_without(monkeypatch):
    """Take one feature out of the Free plan (Free includes the knowledge base and auto-reply today)."""

    def remove(feature: str) -> None:
        free = PLANS["free"]
        monkeypatch.setitem(PLANS, "free", dataclasses.replace(free, features=free.features - {feature}))

    return remove


@pytest.mark.parametrize(("feature", "request_"), GATED_REQUESTS, ids=IDS)
def test_a_plan_without_the_feature_is_refused(client, tenant, plan_without, feature, request_):
    plan_without(feature)
    advertised = client.get("/api/v2/account", headers=tenant.headers).json()["limits"]["features"]
    assert feature not in advertised
    response = request_(client, tenant)
    assert response.status_code == 403, response.text
    detail = response.json()["detail"]
    assert detail.startswith(f"{FEATURE_LABELS[feature]} is not included in the Free plan; it is included in the ")
    assert "The server's operator can change the plan with `replybase accounts set-plan " in detail


@pytest.mark.parametrize(("feature", "request_"), GATED_REQUESTS, ids=IDS)
@pytest.mark.parametrize("plan", ["growth", "self-hosted"])
def test_a_plan_with_the_feature_is_served(client, make_tenant, feature, request_, plan):
    tenant = make_tenant(plan=plan)
    assert feature in client.get("/api/v2/account", headers=tenant.headers).json()["limits"]["features"]
    response = request_(client, tenant)
    assert response.status_code < 300, response.text


def test_the_refusal_names_the_account_and_the_cheapest_plan_with_it(client, tenant):
    response = choose_openai_drafter(client, tenant)
    assert response.status_code == 403
    assert response.json() == {"detail": (
        "The OpenAI-compatible reply drafter is not included in the Free plan; it is included in the Growth, "
        "Business and Self-hosted plans. The server's operator can change the plan with "
        f"`replybase accounts set-plan {tenant.account_id} growth`.")}


def test_auto_reply_may_be_saved_off_on_a_plan_without_it(client, tenant, plan_without):
    plan_without("auto_reply")
    session_id = new_session(client, tenant)
    response = client.put(f"/api/v2/ai/auto-reply/{session_id}", json={"enabled": False}, headers=tenant.headers)
    assert response.status_code == 200 and response.json()["enabled"] is False


def test_a_downgraded_account_cannot_preview_with_the_openai_drafter(client, services, make_tenant):
    tenant = make_tenant(plan="growth")
    session_id = new_session(client, tenant)
    saved = client.put(f"/api/v2/ai/auto-reply/{session_id}", json={"drafter": "openai"}, headers=tenant.headers)
    assert saved.status_code == 200
    with services.session_factory() as session:
        set_plan(session, tenant.account_id, "free")
        session.commit()
    response = client.post("/api/v2/ai/preview", json={"message": "When do you open?", "session_id": session_id},
                           headers=tenant.headers)
    assert response.status_code == 403
    assert "reply drafter is not included in the Free plan" in response.json()["detail"]
    assert preview(client, tenant).status_code == 200  # the default (extractive) drafter stays available
