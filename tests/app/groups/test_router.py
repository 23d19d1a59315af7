import pytest

BASE = "/api/v2/custom-groups"


def make_group(client, tenant, **body):
    response = client.post(BASE, json={"name": "VIP"} | body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_with_members_and_read_back(client, tenant):
    group = make_group(client, tenant, description="Best customers",
                       contacts=[{"phone": "15551234567", "name": "Ana"}], phones=["447700900123"])
    assert group["member_count"] == 2
    detail = client.get(f"{BASE}/{group['id']}", headers=tenant.headers).json()
    assert detail["name"] == "VIP" and detail["description"] == "Best customers"
    assert {(m["phone"], m["name"]) for m in detail["members"]} == {("447700900123", None), ("15551234567", "Ana")}
    listed = client.get(BASE, headers=tenant.headers).json()
    assert [(g["id"], g["member_count"]) for g in listed] == [(group["id"], 2)]
    assert "members" not in listed[0]


def test_list_counts_members_per_group(client, tenant):
    make_group(client, tenant, name="Empty")
    make_group(client, tenant, name="Three", phones=["15550000001", "15550000002", "15550000003"])
    counts = {g["name"]: g["member_count"] for g in client.get(BASE, headers=tenant.headers).json()}
    assert counts == {"Empty": 0, "Three": 3}


def test_add_merges_duplicates_and_updates_names(client, tenant):
    group = make_group(client, tenant, phones=["15551234567"])
    response = client.post(f"{BASE}/{group['id']}/members/add", headers=tenant.headers, json={
        "phones": ["15551234567", "15557654321", "15557654321"],
        "contacts": [{"phone": "15551234567", "name": "Ana"}, {"phone": "15550001111", "name": "Bo"}],
    })
    assert response.status_code == 200, response.text
    assert response.json() == {"group_id": group["id"], "added": 2, "updated": 1, "removed": 0, "member_count": 3}
    members = client.get(f"{BASE}/{group['id']}", headers=tenant.headers).json()["members"]
    assert sorted((m["phone"], m["name"]) for m in members) == [
        ("15550001111", "Bo"), ("15551234567", "Ana"), ("15557654321", None)]
    again = client.post(f"{BASE}/{group['id']}/members/add", headers=tenant.headers,
                        json={"phones": ["15551234567"]}).json()
    assert again["added"] == 0 and again["member_count"] == 3


@pytest.mark.parametrize("bad", ["+1 (555)", "1555", "1234567890123456", "15551234abc", "+1+5551234567"])
def test_a_bad_phone_is_422_naming_it_and_nothing_is_added(client, tenant, bad):
    group = make_group(client, tenant)
    response = client.post(f"{BASE}/{group['id']}/members/add", headers=tenant.headers,
                           json={"phones": ["15551234567", bad]})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "phones", 1]
    assert repr(bad) in error["msg"] and "country code and number" in error["msg"]
    assert client.get(f"{BASE}/{group['id']}", headers=tenant.headers).json()["member_count"] == 0


def test_members_body_needs_phones_or_contacts(client, tenant):
    group = make_group(client, tenant)
    response = client.post(f"{BASE}/{group['id']}/members/add", headers=tenant.headers, json={})
    assert response.status_code == 422
    assert "at least one phone" in response.json()["detail"][0]["msg"]


def test_remove_members(client, tenant):
    group = make_group(client, tenant, phones=["15550000001", "15550000002", "15550000003"])
    response = client.post(f"{BASE}/{group['id']}/members/remove", headers=tenant.headers,
                           json={"phones": ["15550000001", "15559999999"],
                                 "contacts": [{"phone": "15550000002"}]})
    assert response.json() == {"group_id": group["id"], "added": 0, "updated": 0, "removed": 2, "member_count": 1}


def test_patch_renames_and_keeps_members(client, tenant):
    group = make_group(client, tenant, phones=["15550000001"])
    response = client.patch(f"{BASE}/{group['id']}", headers=tenant.headers, json={"name": "Gold"})
    assert response.status_code == 200
    assert response.json()["name"] == "Gold" and response.json()["member_count"] == 1
    assert response.json()["description"] is None
    cleared = client.patch(f"{BASE}/{group['id']}", headers=tenant.headers, json={"description": "x"}).json()
    assert cleared["name"] == "Gold" and cleared["description"] == "x"


def test_names_are_unique_per_account(client, tenant, other_tenant):
    first = make_group(client, tenant, name="VIP")
    duplicate = client.post(BASE, json={"name": "VIP"}, headers=tenant.headers)
    assert duplicate.status_code == 409
    assert duplicate.json() == {"detail": "A custom group named 'VIP' already exists; choose another name"}
    make_group(client, other_tenant, name="VIP")
    second = make_group(client, tenant, name="Gold")
    rename = client.patch(f"{BASE}/{second['id']}", json={"name": "VIP"}, headers=tenant.headers)
    assert rename.status_code == 409
    assert client.patch(f"{BASE}/{first['id']}", json={"name": "VIP"}, headers=tenant.headers).status_code == 200


def test_delete_and_tenant_isolation(client, tenant, other_tenant):
    group = make_group(client, tenant, phones=["15550000001"])
    for method, path, body in [("GET", "", None), ("PATCH", "", {"name": "Mine"}), ("DELETE", "", None),
                               ("POST", "/members/add", {"phones": ["15550000009"]})]:
        response = client.request(method, f"{BASE}/{group['id']}{path}", headers=other_tenant.headers, json=body)
        assert response.status_code == 404 and response.json() == {"detail": "Custom group not found"}
    assert client.get(BASE, headers=other_tenant.headers).json() == []
    assert client.delete(f"{BASE}/{group['id']}", headers=tenant.headers).status_code == 204
    assert client.get(f"{BASE}/{group['id']}", headers=tenant.headers).status_code == 404
