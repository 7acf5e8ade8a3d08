"""用户管理 and 角色管理: accounts, roles from the permission registry, data scope and station bindings."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from chargehub.extensions import db
from chargehub.tenancy.models import User

pytestmark = pytest.mark.smoke
U, R = "/api/v1/admin/users", "/api/v1/admin/roles"


def staff(client, headers, t, phone, **extra):
    body = {"user_type": "provider", "name": "员工", "phone": phone, "password": "staff-pass-1", **extra}
    return client.post(U, headers=headers, json=body)


def sign_in_headers(client, phone, password):
    token = client.post("/api/v1/auth/tokens", json={"phone": phone, "password": password}).json["token"]
    return {"Authorization": f"Bearer {token}"}


def test_role_limits_menus_and_api(world):
    client, a = world["client"], world["A"]
    h = a["provider_headers"]
    role = client.post(R, headers=h, json={"user_type": "provider", "name": "只看用户",
                                          "permissions": ["home:list", "system.user:list", "system.user:detail"]}).json
    staff(client, h, a, "13930000001", role_ids=[role["id"]])
    me_h = sign_in_headers(client, "13930000001", "staff-pass-1")
    me = client.get("/api/v1/auth/me", headers=me_h).json
    assert sorted(me["permissions"]) == ["home:list", "system.user:detail", "system.user:list"]
    assert [m["code"] for m in me["menus"]] == ["home", "system"]
    assert [c["code"] for c in me["menus"][1]["children"]] == ["system.user"]
    assert client.get(U, headers=me_h).status_code == 200
    assert client.get(R, headers=me_h).status_code == 403
    assert staff(client, me_h, a, "13930000002").status_code == 403
    # disabling the role takes the rights away at once; it can no longer be assigned
    client.post(f"{R}/{role['id']}/disable", headers=h)
    assert client.get(U, headers=me_h).status_code == 403
    refused = staff(client, h, a, "13930000003", role_ids=[role["id"]])
    assert refused.status_code == 422 and "已禁用" in refused.json["errors"]["json"]["role_ids"][0]


def test_role_permissions_are_validated(world):
    client, a = world["client"], world["A"]
    h = a["provider_headers"]
    unknown = client.post(R, headers=h, json={"user_type": "provider", "name": "x", "permissions": ["nope:list"]})
    assert unknown.status_code == 422 and "未知的权限" in unknown.json["errors"]["json"]["permissions"][0]
    platform_only = client.post(R, headers=h, json={"user_type": "provider", "name": "x",
                                                    "permissions": ["system.provider:list"]})
    assert platform_only.status_code == 422
    dup = client.post(R, headers=h, json={"user_type": "provider", "name": "甲运营"})
    assert dup.status_code == 422 and "已存在" in dup.json["errors"]["json"]["name"][0]
    tree = client.get("/api/v1/admin/permissions", headers=h, query_string={"user_type": "property"}).json
    codes = {m["code"] for m in tree}
    assert "system" in codes and "open" not in codes  # property roles cannot get the plugin center


def test_deleting_a_role_that_users_hold_is_refused(world):
    client, a = world["client"], world["A"]
    h = a["provider_headers"]
    response = client.delete(f"{R}/{a['role_id']}", headers=h)
    assert response.status_code == 409 and "请先取消授权" in response.json["message"]
    assert [u["id"] for u in client.get(f"{R}/{a['role_id']}/users", headers=h).json] == [a["user_id"]]
    assert client.delete(f"{R}/{a['role_id']}/users/{a['user_id']}", headers=h).status_code == 204
    assert client.delete(f"{R}/{a['role_id']}", headers=h).status_code == 204


def test_assign_users_to_role(world):
    client, a = world["client"], world["A"]
    h = a["provider_headers"]
    role = client.post(R, headers=h, json={"user_type": "provider", "name": "新角色", "permissions": ["home:list"]}).json
    assigned = client.post(f"{R}/{role['id']}/users", headers=h, json={"user_ids": [a["user_id"]]}).json
    assert assigned["user_count"] == 1
    wrong_type = client.post(R, headers=h, json={"user_type": "property", "property_id": a["property_id"], "name": "物业角色"}).json
    refused = client.post(f"{R}/{wrong_type['id']}/users", headers=h, json={"user_ids": [a["user_id"]]})
    assert refused.status_code == 422


def test_users_lifecycle(world, session_client):
    client, a = world["client"], world["A"]
    h = a["provider_headers"]
    bad = client.post(U, headers=h, json={"user_type": "martian", "name": "", "phone": "1", "password": "x"})
    assert bad.status_code == 422 and {"user_type", "name", "phone", "password"} <= set(bad.json["errors"]["json"])
    user = staff(client, h, a, "13930000010", email="s@example.com", department_id=a["department_id"],
                 post_id=a["post_id"]).json
    assert user["department_name"] == "甲运营部" and user["post_name"] == "甲运维" and user["provider_name"] == "甲服务商"
    found = client.get(U, headers=h, query_string={"phone": "13930000010", "user_type": "provider",
                                                   "created_from": "2000-01-01"}).json
    assert found["total"] == 1
    edited = client.put(f"{U}/{user['id']}", headers=h, json={"name": "改名", "post_id": None}).json
    assert edited["name"] == "改名" and edited["post_name"] is None
    reset = client.post(f"{U}/{user['id']}/reset-password", headers=h, json={}).json
    assert session_client().sign_in(phone="13930000010", password=reset["password"]).status_code == 200
    assert client.post(f"{U}/{user['id']}/disable", headers=h).json["enabled"] is False
    assert session_client().sign_in(phone="13930000010", password=reset["password"]).status_code == 401
    assert client.delete(f"{U}/{user['id']}", headers=h).status_code == 204
    assert client.get(f"{U}/{user['id']}", headers=h).status_code == 404


def test_owner_and_self_cannot_be_disabled_or_deleted(world):
    client, a = world["client"], world["A"]
    h = a["provider_headers"]
    owner = db.session.execute(sa.select(User).where(User.provider_id == a["provider_id"], User.is_owner.is_(True),
                                                     User.property_id.is_(None))).scalar_one()
    assert client.post(f"{U}/{owner.id}/disable", headers=h).status_code == 409
    prop_owner = db.session.execute(sa.select(User).where(User.property_id == a["property_id"], User.is_owner.is_(True))).scalar_one()
    response = client.delete(f"{U}/{prop_owner.id}", headers=h)
    assert response.status_code == 409 and "主账号" in response.json["message"]


def test_disabled_department_or_post_cannot_be_linked(world):
    client, a = world["client"], world["A"]
    h = a["provider_headers"]
    client.put(f"/api/v1/admin/posts/{a['post_id']}", headers=h, json={"enabled": False})
    refused = staff(client, h, a, "13930000020", department_id=a["department_id"], post_id=a["post_id"])
    assert refused.status_code == 422 and "post_id" in refused.json["errors"]["json"]
    client.put(f"/api/v1/admin/departments/{a['department_id']}", headers=h, json={"enabled": False})
    refused = staff(client, h, a, "13930000021", department_id=a["department_id"])
    assert refused.status_code == 422 and "department_id" in refused.json["errors"]["json"]


def test_property_user_sees_only_its_property(world):
    client, a = world["client"], world["A"]
    h = a["property_headers"]
    users = client.get(U, headers=h).json["items"]
    assert {u["property_id"] for u in users} == {a["property_id"]}
    assert client.get(f"{U}/{a['user_id']}", headers=h).status_code == 404  # the provider-level staff member
    refused = client.post(U, headers=h, json={"user_type": "provider", "name": "x", "phone": "13930000030",
                                              "password": "staff-pass-1"})
    assert refused.status_code == 422 and "user_type" in refused.json["errors"]["json"]
    ok = client.post(U, headers=h, json={"user_type": "collective", "collective_id": a["collective_id"], "name": "集体户员工",
                                         "phone": "13930000031", "password": "staff-pass-1"})
    assert ok.status_code == 201 and ok.json["collective_name"] == "甲集体户"


def test_station_binding_narrows_data(world):
    from chargehub.assets.car_models import CarStation

    client, a = world["client"], world["A"]
    h = a["provider_headers"]
    other = CarStation(provider_id=a["provider_id"], property_id=a["property_id"], name="甲二号站")
    db.session.add(other)
    db.session.commit()
    bound = client.put(f"{U}/{a['user_id']}/stations", headers=h,
                       json={"car_station_ids": [a["car_station_id"]], "bike_station_ids": [a["bike_station_id"]]})
    assert bound.json == {"car_station_ids": [a["car_station_id"]], "bike_station_ids": [a["bike_station_id"]]}
    client.put(f"{U}/{a['user_id']}", headers=h, json={"auth_scope": "stations"})
    staff_headers = sign_in_headers(client, "13910000002", "staff-pass-1")  # tenant A's staff member
    seen = client.get("/api/v1/admin/options/stations", headers=staff_headers, query_string={"kind": "car"}).json
    assert [s["value"] for s in seen] == [a["car_station_id"]]
    client.put(f"{U}/{a['user_id']}", headers=h, json={"auth_scope": "all"})
    seen = client.get("/api/v1/admin/options/stations", headers=staff_headers, query_string={"kind": "car"}).json
    assert {s["value"] for s in seen} == {a["car_station_id"], other.id}
    foreign = client.put(f"{U}/{a['user_id']}/stations", headers=h, json={"car_station_ids": [world["B"]["car_station_id"]]})
    assert foreign.status_code == 404
    stations = client.get("/api/v1/admin/options/stations", headers=h, query_string={"kind": "car"}).json
    assert {s["value"] for s in stations} == {a["car_station_id"], other.id}


def test_audit_log_records_changes(world):
    client, a = world["client"], world["A"]
    page = client.get("/api/v1/admin/audit-logs", headers=a["provider_headers"], query_string={"page_size": 100}).json
    actions = {e["action"] for e in page["items"]}
    assert {"property.create", "role.create", "user.create", "department.create", "post.create"} <= actions
    assert all(e["provider_id"] == a["provider_id"] for e in page["items"])
