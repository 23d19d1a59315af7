from app.sessions.models import WhatsAppSession


def create(client, tenant, **body):
    return client.post("/api/v2/sessions", json={"name": "Shop", **body}, headers=tenant.headers)


def test_sandbox_session_is_working_at_once_with_the_contract_fields(client, tenant):
    response = create(client, tenant, phone_number="15550001111")
    assert response.status_code == 201
    body = response.json()
    assert {"id", "name", "status", "phone_number", "created_at", "gateway"} <= set(body)
    assert (body["status"], body["gateway"], body["phone_number"]) == ("working", "sandbox", "15550001111")
    assert client.get("/api/v2/sessions", headers=tenant.headers).json()[0]["id"] == body["id"]
    assert client.get(f"/api/v2/sessions/{body['id']}", headers=tenant.headers).json()["status"] == "working"


def test_sandbox_session_gets_a_fictional_number_when_none_is_given(client, tenant):
    assert create(client, tenant).json()["phone_number"].startswith("1555")


def test_stop_restart_and_delete(client, tenant):
    session_id = create(client, tenant).json()["id"]
    assert client.post(f"/api/v2/sessions/{session_id}/stop", headers=tenant.headers).json()["status"] == "stopped"
    assert client.post(f"/api/v2/sessions/{session_id}/restart",
                       headers=tenant.headers).json()["status"] == "working"
    assert client.delete(f"/api/v2/sessions/{session_id}", headers=tenant.headers).status_code == 204
    assert client.get(f"/api/v2/sessions/{session_id}", headers=tenant.headers).status_code == 404


def test_unknown_gateway_and_bad_config_are_422_saying_what_is_allowed(client, tenant):
    unknown = create(client, tenant, gateway="telegram")
    assert unknown.status_code == 422
    assert "available: sandbox, waha, meta" in unknown.json()["detail"]
    meta = create(client, tenant, gateway="meta", config={"phone_number_id": "1"})
    assert meta.status_code == 422
    assert "access_token" in str(meta.json()["detail"])
    extra = create(client, tenant, gateway="waha", config={"password": "x"})
    assert "allowed: base_url, api_key, session" in str(extra.json()["detail"])


def test_sandbox_can_be_switched_off(client, tenant, settings):
    settings.sandbox = False
    response = create(client, tenant, gateway="sandbox")
    assert response.status_code == 422
    assert "REPLYBASE_SANDBOX=false" in response.json()["detail"]


def test_without_the_sandbox_a_session_goes_to_the_operators_waha(client, tenant, settings, fake_waha):
    settings.sandbox = False
    response = create(client, tenant)  # {"name": ...} alone, as the guides create one
    assert response.status_code == 201, response.text
    assert response.json()["gateway"] == "waha"


def test_sandbox_session_has_no_qr_code(client, tenant):
    session_id = create(client, tenant).json()["id"]
    response = client.get(f"/api/v2/sessions/{session_id}/qr", headers=tenant.headers)
    assert response.status_code == 409
    assert "no QR code" in response.json()["detail"]


def test_patch_turns_chats_off(client, tenant):
    session_id = create(client, tenant).json()["id"]
    response = client.patch(f"/api/v2/sessions/{session_id}", json={"chats_enabled": False}, headers=tenant.headers)
    assert response.json()["chats_enabled"] is False


def test_waha_session_lifecycle_and_qr(client, tenant, fake_waha, db):
    response = create(client, tenant, gateway="waha", config={"api_key": fake_waha.api_key})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "qr_code"
    assert "config" not in body and fake_waha.api_key not in response.text  # secrets never returned
    name = f"rb-{body['id']}"
    assert fake_waha.sessions[name]["status"] == "SCAN_QR_CODE"

    qr = client.get(f"/api/v2/sessions/{body['id']}/qr", headers=tenant.headers).json()
    assert qr["mimetype"] == "image/png" and qr["data"]

    fake_waha.connect(name, "15550009999")
    refreshed = client.get(f"/api/v2/sessions/{body['id']}", headers=tenant.headers).json()
    assert (refreshed["status"], refreshed["phone_number"]) == ("working", "15550009999")
    assert client.post(f"/api/v2/sessions/{body['id']}/stop", headers=tenant.headers).json()["status"] == "stopped"
    assert fake_waha.sessions[name]["status"] == "STOPPED"
    client.delete(f"/api/v2/sessions/{body['id']}", headers=tenant.headers)
    assert name not in fake_waha.sessions


def test_waha_down_on_create_is_502_and_nothing_is_stored(client, tenant, fake_waha, db):
    fake_waha.fail_status = 503
    response = create(client, tenant, gateway="waha")
    assert response.status_code == 502
    assert "WAHA failed with HTTP 503" in response.json()["detail"]
    assert client.get("/api/v2/sessions", headers=tenant.headers).json() == []


def test_waha_timeout_on_restart_is_504_and_the_session_is_marked_failed(client, tenant, fake_waha, settings):
    fake_waha.pair_phone = "15550009999"
    session_id = create(client, tenant, gateway="waha").json()["id"]
    settings.gateway_timeout_seconds = 0.2
    fake_waha.delay_seconds = 1.0
    response = client.post(f"/api/v2/sessions/{session_id}/restart", headers=tenant.headers)
    assert response.status_code == 504
    assert "did not answer within 0.2 seconds" in response.json()["detail"]
    fake_waha.delay_seconds = 0
    fake_waha.fail_status = 500  # still down: GET shows the stored status instead of failing
    assert client.get(f"/api/v2/sessions/{session_id}", headers=tenant.headers).json()["status"] == "failed"


def test_waha_wrong_api_key_is_a_clear_502(client, tenant, fake_waha):
    response = create(client, tenant, gateway="waha", config={"api_key": "wrong"})
    assert response.status_code == 502
    assert "API key" in response.json()["detail"]


def test_meta_session_is_checked_against_the_graph_api(client, tenant, fake_meta):
    config = {"phone_number_id": fake_meta.phone_number_id, "access_token": fake_meta.token}
    response = create(client, tenant, gateway="meta", config=config)
    assert response.status_code == 201, response.text
    assert (response.json()["status"], response.json()["phone_number"]) == ("working", "15550104242")
    assert fake_meta.token not in response.text
    assert fake_meta.requests[0].headers["Authorization"] == f"Bearer {fake_meta.token}"


def test_meta_bad_token_is_a_clear_502(client, tenant, fake_meta):
    config = {"phone_number_id": fake_meta.phone_number_id, "access_token": "expired"}
    response = create(client, tenant, gateway="meta", config=config)
    assert response.status_code == 502
    assert "access token" in response.json()["detail"]


def test_deleting_a_session_deletes_its_messages(client, tenant, db):
    session_id = create(client, tenant).json()["id"]
    client.post("/api/v2/messages/send", json={"session_id": session_id, "phone": "15551234567", "message": "hi"},
                headers=tenant.headers)
    client.delete(f"/api/v2/sessions/{session_id}", headers=tenant.headers)
    assert db.get(WhatsAppSession, session_id) is None
    assert client.get("/api/v2/messages/chats", headers=tenant.headers).json()["total"] == 0
