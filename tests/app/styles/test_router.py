STYLES = "/api/v2/ai/style-profiles"

FULL = {
    "name": "Shop voice", "tone": "friendly", "formality": "casual", "language": "en", "max_reply_length": 400,
    "emoji": "light", "greeting": "Hi {name}!", "sign_off": "Cheers, Tom", "persona": "You are Vera.",
    "rules": {"always": ["Mention the workshop closes on Sundays"], "never": ["Promise delivery dates"]},
    "examples": ["Hi Anna! Your bike is ready 🚲"],
}


def create(client, tenant, **fields):
    response = client.post(STYLES, json={"name": "Default"} | fields, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_with_every_field_and_read_it_back(client, tenant):
    created = create(client, tenant, **FULL)
    assert {k: created[k] for k in FULL} == FULL
    assert created["learned"] is None and created["id"]
    assert client.get(f"{STYLES}/{created['id']}", headers=tenant.headers).json() == created
    assert client.get(STYLES, headers=tenant.headers).json() == [created]


def test_defaults(client, tenant):
    created = create(client, tenant)
    assert {k: created[k] for k in ("tone", "formality", "language", "max_reply_length", "emoji", "greeting",
                                    "sign_off", "persona", "rules", "examples")} == {
        "tone": "friendly", "formality": "neutral", "language": "auto", "max_reply_length": 600, "emoji": "light",
        "greeting": "", "sign_off": "", "persona": "", "rules": {"always": [], "never": []}, "examples": []}


def test_invalid_fields_get_422_with_loc_msg_type(client, tenant):
    body = {"name": "", "tone": "grumpy", "formality": "posh", "language": "english", "max_reply_length": 5000,
            "emoji": "lots", "rules": {"sometimes": []}, "examples": ["x"] * 11}
    response = client.post(STYLES, json=body, headers=tenant.headers)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert {tuple(e["loc"][1:2]) for e in errors} >= {("name",), ("tone",), ("formality",), ("language",),
                                                       ("max_reply_length",), ("emoji",), ("rules",), ("examples",)}
    assert all(set(e) == {"loc", "msg", "type"} for e in errors)
    language = next(e for e in errors if e["loc"][1] == "language")
    assert "ISO 639-1" in language["msg"]


def test_language_codes_are_normalised(client, tenant):
    assert create(client, tenant, language="PT-br")["language"] == "pt-BR"
    assert create(client, tenant, name="b", language="AUTO")["language"] == "auto"


def test_names_are_unique_per_account(client, tenant, other_tenant):
    create(client, tenant, name="Voice")
    response = client.post(STYLES, json={"name": "Voice"}, headers=tenant.headers)
    assert response.status_code == 409
    assert response.json() == {"detail": "A style profile named 'Voice' already exists; choose another name"}
    create(client, other_tenant, name="Voice")


def test_patch_changes_only_what_is_sent(client, tenant):
    created = create(client, tenant, **FULL)
    response = client.patch(f"{STYLES}/{created['id']}", json={"emoji": "none", "rules": {"never": ["Swear"]}},
                            headers=tenant.headers)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["emoji"] == "none"
    assert updated["rules"] == {"always": [], "never": ["Swear"]}
    assert updated["greeting"] == "Hi {name}!" and updated["name"] == "Shop voice"
    assert updated["updated_at"] >= created["updated_at"]


def test_patch_refuses_null_and_duplicate_names(client, tenant):
    first = create(client, tenant, name="One")
    create(client, tenant, name="Two")
    null = client.patch(f"{STYLES}/{first['id']}", json={"tone": None}, headers=tenant.headers)
    assert null.status_code == 422
    assert null.json() == {"detail": "tone cannot be null; leave the field out to keep its value"}
    taken = client.patch(f"{STYLES}/{first['id']}", json={"name": "Two"}, headers=tenant.headers)
    assert taken.status_code == 409
    unknown = client.patch(f"{STYLES}/{first['id']}", json={"colour": "red"}, headers=tenant.headers)
    assert unknown.status_code == 422


def test_delete(client, tenant):
    created = create(client, tenant)
    assert client.delete(f"{STYLES}/{created['id']}", headers=tenant.headers).status_code == 204
    missing = client.get(f"{STYLES}/{created['id']}", headers=tenant.headers)
    assert missing.status_code == 404 and missing.json() == {"detail": "Style profile not found"}


def test_other_accounts_profiles_are_invisible(client, tenant, other_tenant):
    created = create(client, tenant)
    assert client.get(STYLES, headers=other_tenant.headers).json() == []
    assert client.get(f"{STYLES}/{created['id']}", headers=other_tenant.headers).status_code == 404


def test_read_only_keys_can_list_but_not_create(client, make_tenant):
    reader = make_tenant(scopes=["ai:read"])
    assert client.get(STYLES, headers=reader.headers).status_code == 200
    response = client.post(STYLES, json={"name": "x"}, headers=reader.headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "This API key lacks the required scope: ai:write"}


SAMPLES = [
    "Hi Anna! Your bike is ready for pickup 🚲 Cheers, Tom",
    "Hi Ben! We've fixed the brakes, come by anytime 👍 Cheers, Tom",
    "Hi Carla! Sorry, we're closed today. See you tomorrow! Cheers, Tom",
    "Hi Dan! The new tyres are in 😊 Cheers, Tom",
    "Hi Eve! Yep, we can do Saturday at 10:00. Cheers, Tom",
]


def test_learn_from_samples_creates_the_profile_and_shows_what_was_learned(client, tenant):
    response = client.post(f"{STYLES}/learn", json={"name": "Tom's voice", "samples": SAMPLES},
                           headers=tenant.headers)
    assert response.status_code == 201, response.text
    profile = response.json()
    assert profile["greeting"] == "Hi {name}!"
    assert profile["sign_off"] == "Cheers, Tom"
    assert profile["emoji"] == "light"
    assert profile["formality"] == "casual"
    assert profile["language"] == "en"
    assert 1 <= len(profile["examples"]) <= 3 and set(profile["examples"]) <= set(SAMPLES)
    learned = profile["learned"]
    assert learned["source"] == "samples" and learned["sample_count"] == 5
    assert learned["greeting"] == {"phrase": "Hi {name}!", "share": 1.0}
    assert learned["sign_off"] == {"phrase": "Cheers, Tom", "share": 1.0}
    assert learned["typical_length"] == sorted(len(s) for s in SAMPLES)[2]
    assert learned["emoji_rate"] == 0.6
    assert client.get(f"{STYLES}/{profile['id']}", headers=tenant.headers).json()["learned"] == learned


def test_learn_needs_exactly_one_source(client, tenant):
    neither = client.post(f"{STYLES}/learn", json={"name": "x"}, headers=tenant.headers)
    both = client.post(f"{STYLES}/learn", json={"name": "x", "samples": ["Hi"], "session_id": "s"},
                       headers=tenant.headers)
    for response in (neither, both):
        assert response.status_code == 422
        assert "either samples" in response.json()["detail"][0]["msg"]


def test_learn_from_blank_samples_is_a_clear_422(client, tenant):
    response = client.post(f"{STYLES}/learn", json={"name": "x", "samples": ["  ", ""]}, headers=tenant.headers)
    assert response.status_code == 422
    assert response.json() == {"detail": "no non-empty messages to learn from; send samples with text"}


def make_session(client, tenant) -> str:
    response = client.post("/api/v2/sessions", json={"name": "shop"}, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_learn_from_a_sessions_sent_messages(client, tenant):
    session_id = make_session(client, tenant)
    for text in SAMPLES:
        sent = client.post("/api/v2/messages/send", headers=tenant.headers,
                           json={"session_id": session_id, "phone": "15551234567", "message": text})
        assert sent.status_code == 200, sent.text
    response = client.post(f"{STYLES}/learn", json={"name": "From chats", "session_id": session_id},
                           headers=tenant.headers)
    assert response.status_code == 201, response.text
    profile = response.json()
    assert profile["learned"]["source"] == "session" and profile["learned"]["session_id"] == session_id
    assert profile["learned"]["sample_count"] == 5
    assert profile["sign_off"] == "Cheers, Tom"


def test_learn_from_a_session_without_sent_messages_is_a_clear_422(client, tenant):
    session_id = make_session(client, tenant)
    response = client.post(f"{STYLES}/learn", json={"name": "x", "session_id": session_id}, headers=tenant.headers)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"Session {session_id} has no sent text messages to learn from")


def test_learn_from_another_accounts_session_is_404(client, tenant, other_tenant):
    session_id = make_session(client, other_tenant)
    response = client.post(f"{STYLES}/learn", json={"name": "x", "session_id": session_id}, headers=tenant.headers)
    assert response.status_code == 404 and response.json() == {"detail": "Session not found"}
