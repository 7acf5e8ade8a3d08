"""服务商管理 and 集团物业管理: add, edit, audit, enable / disable and what each state allows."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from chargehub.extensions import db
from chargehub.tenancy.audit_log import AuditLog
from chargehub.tenancy.models import User
from chargehub.tenancy.org_models import Department

pytestmark = pytest.mark.smoke
P = "/api/v1/admin/providers"


def add_provider(client, headers, phone="13912340001", **extra):
    return client.post(P, headers=headers, json={"name": "新能源服务商", "contact": "张三", "phone": phone,
                                                 "email": "a@example.com", **extra})


def test_add_validates_fields_and_phone_uniqueness(client, admin_token):
    bad = client.post(P, headers=admin_token, json={"name": "", "phone": "12345", "email": "not-mail"})
    assert bad.status_code == 422
    assert set(bad.json["errors"]["json"]) == {"name", "phone", "email"}
    assert "11 位手机号" in bad.json["errors"]["json"]["phone"][0]
    assert add_provider(client, admin_token).status_code == 201
    dup = add_provider(client, admin_token)
    assert dup.status_code == 422 and "已被使用" in dup.json["errors"]["json"]["phone"][0]
    assert db.session.execute(sa.text("select count(*) from service_provider")).scalar() == 1


def test_search_reset_paging_and_sorting(client, admin_token):
    for i in range(25):
        add_provider(client, admin_token, phone=f"139123{i:05d}", name=f"服务商{i:02d}")
    page = client.get(P, headers=admin_token, query_string={"page": 2, "page_size": 10, "sort": "name"}).json
    assert page["total"] == 25 and page["page"] == 2 and [p["name"] for p in page["items"]][0] == "服务商10"
    found = client.get(P, headers=admin_token, query_string={"name": "服务商2", "audit_state": "pending"}).json
    assert sorted(p["name"] for p in found["items"]) == ["服务商20", "服务商21", "服务商22", "服务商23", "服务商24"]
    assert client.get(P, headers=admin_token, query_string={"sort": "password"}).status_code == 422
    detail = client.get(f"{P}/{page['items'][0]['id']}", headers=admin_token).json
    assert detail["created_by_name"] == "平台管理员" and detail["created_at"]


def test_phone_is_immutable_and_edit_changes_the_rest(client, admin_token):
    provider = add_provider(client, admin_token).json
    response = client.put(f"{P}/{provider['id']}", headers=admin_token,
                          json={"name": "改名", "contact": "李四", "email": "b@example.com", "phone": "13900000000"})
    assert response.status_code == 422 and "phone" in response.json["errors"]["json"]
    response = client.put(f"{P}/{provider['id']}", headers=admin_token, json={"name": "改名", "contact": "李四"})
    assert response.json["name"] == "改名" and response.json["phone"] == provider["phone"]


def test_approval_creates_login_account_and_top_department(client, admin_token, session_client):
    provider = add_provider(client, admin_token).json
    result = client.post(f"{P}/{provider['id']}/audit", headers=admin_token, json={"approved": True}).json
    assert result["provider"]["audit_state"] == "approved" and len(result["initial_password"]) >= 12
    owner = db.session.execute(sa.select(User).where(User.phone == provider["phone"])).scalar_one()
    assert owner.is_owner and owner.user_type.value == "provider" and owner.provider_id == provider["id"]
    top = db.session.get(Department, owner.department_id)
    assert top.parent_id is None and top.name == provider["name"]
    c = session_client()
    assert c.sign_in(phone=provider["phone"], password=result["initial_password"]).status_code == 200
    again = client.post(f"{P}/{provider['id']}/audit", headers=admin_token, json={"approved": True})
    assert again.status_code == 409
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.action == "provider.audit")).scalar() == 1


def test_rejection_needs_a_reason_and_creates_no_account(client, admin_token):
    provider = add_provider(client, admin_token).json
    response = client.post(f"{P}/{provider['id']}/audit", headers=admin_token, json={"approved": False})
    assert response.status_code == 422 and "remark" in response.json["errors"]["json"]
    response = client.post(f"{P}/{provider['id']}/audit", headers=admin_token, json={"approved": False, "remark": "资料不全"})
    assert response.json["provider"]["audit_state"] == "rejected" and response.json["initial_password"] is None
    assert db.session.execute(sa.select(User).where(User.phone == provider["phone"])).first() is None


def test_disabled_provider_keeps_login_but_cannot_add(client, admin_token, auth_headers):
    provider = add_provider(client, admin_token).json
    client.post(f"{P}/{provider['id']}/audit", headers=admin_token, json={"approved": True})
    assert client.post(f"{P}/{provider['id']}/disable", headers=admin_token).json["enabled"] is False
    owner = db.session.execute(sa.select(User).where(User.phone == provider["phone"])).scalar_one()
    headers = auth_headers(owner)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    refused = client.post("/api/v1/admin/properties", headers=headers, json={"name": "物业", "phone": "13912349999"})
    assert refused.status_code == 422 and "已禁用" in refused.json["errors"]["json"]["provider_id"][0]
    refused = client.post("/api/v1/admin/roles", headers=headers, json={"user_type": "provider", "name": "r"})
    assert refused.status_code == 422
    client.post(f"{P}/{provider['id']}/enable", headers=admin_token)
    assert client.post("/api/v1/admin/properties", headers=headers,
                       json={"name": "物业", "phone": "13912349999"}).status_code == 201


def test_sub_merchant_belongs_to_an_approved_provider(client, admin_token, auth_headers):
    parent = add_provider(client, admin_token).json
    sub = add_provider(client, admin_token, phone="13912340002", merchant_type="sub_merchant", parent_id=parent["id"])
    assert sub.status_code == 422 and "尚未审核通过" in sub.json["errors"]["json"]["parent_id"][0]
    client.post(f"{P}/{parent['id']}/audit", headers=admin_token, json={"approved": True})
    sub = add_provider(client, admin_token, phone="13912340002", merchant_type="sub_merchant", parent_id=parent["id"])
    assert sub.status_code == 201 and sub.json["parent_id"] == parent["id"]
    orphan = add_provider(client, admin_token, phone="13912340003", merchant_type="sub_merchant")
    assert orphan.status_code == 422 and "parent_id" in orphan.json["errors"]["json"]
    client.post(f"{P}/{sub.json['id']}/audit", headers=admin_token, json={"approved": True})
    owner = db.session.execute(sa.select(User).where(User.phone == parent["phone"])).scalar_one()
    visible = client.get("/api/v1/admin/options/providers", headers=auth_headers(owner)).json
    assert {o["value"] for o in visible} == {parent["id"], sub.json["id"]}  # a provider sees its sub-merchants


def test_properties_lifecycle(client, admin_token, auth_headers, session_client):
    provider = add_provider(client, admin_token).json
    client.post(f"{P}/{provider['id']}/audit", headers=admin_token, json={"approved": True})
    owner = db.session.execute(sa.select(User).where(User.phone == provider["phone"])).scalar_one()
    h = auth_headers(owner)
    created = client.post("/api/v1/admin/properties", headers=h, json={
        "name": "阳光物业", "contact": "王五", "phone": "13912345678", "email": "", "province": "江苏", "city": "南京",
        "address": "中山路 1 号"})
    assert created.status_code == 201, created.json
    prop = created.json["property"]
    assert prop["provider_id"] == provider["id"] and prop["provider_name"] == provider["name"]
    assert session_client().sign_in(phone="13912345678", password=created.json["initial_password"]).status_code == 200
    tops = db.session.execute(sa.select(Department).where(Department.property_id == prop["id"])).scalars().all()
    assert len(tops) == 1 and tops[0].parent_id is None
    listed = client.get("/api/v1/admin/properties", headers=h, query_string={"name": "阳光"}).json
    assert listed["total"] == 1
    edited = client.put(f"/api/v1/admin/properties/{prop['id']}", headers=h, json={"address": "中山路 2 号"}).json
    assert edited["address"] == "中山路 2 号" and edited["updated_by_name"] == provider["name"]
    client.post(f"/api/v1/admin/properties/{prop['id']}/disable", headers=h)
    refused = client.post("/api/v1/admin/users", headers=h, json={
        "user_type": "property", "property_id": prop["id"], "name": "物业员工", "phone": "13912345679",
        "password": "staff-pass-1"})
    assert refused.status_code == 422 and "已禁用" in refused.json["errors"]["json"]["property_id"][0]


def test_provider_users_cannot_manage_providers(client, admin_token, auth_headers):
    provider = add_provider(client, admin_token).json
    client.post(f"{P}/{provider['id']}/audit", headers=admin_token, json={"approved": True})
    owner = db.session.execute(sa.select(User).where(User.phone == provider["phone"])).scalar_one()
    response = client.get(P, headers=auth_headers(owner))
    assert response.status_code == 403 and "无权限" in response.json["message"]
