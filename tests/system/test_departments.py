"""部门管理 (manual 3.7.5): department trees, search, moving, deleting, and tenant isolation."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from chargehub.extensions import db
from chargehub.tenancy.audit_log import AuditLog
from chargehub.tenancy.models import Property, User, UserType
from chargehub.tenancy.org_models import Department, Post
from chargehub.tenancy.passwords import hash_password
from chargehub.tenancy.services.org import create_top_department

pytestmark = pytest.mark.smoke

URL = "/api/v1/admin/departments"


def add(client, headers, parent_id, name, **fields):
    response = client.post(URL, json={"parent_id": parent_id, "name": name, **fields}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def names(nodes):
    return [(n["name"], names(n["children"])) for n in nodes]


def test_top_departments_are_created_for_providers_and_properties(app, make_provider):
    provider, _ = make_provider("充电服务商")
    top = create_top_department(provider)
    prop = Property(provider_id=provider.id, name="阳光物业", phone="13700000001")
    db.session.add(prop)
    db.session.flush()
    prop_top = create_top_department(provider, prop)
    db.session.commit()
    assert (top.name, top.parent_id, top.path, top.property_id) == ("充电服务商", None, f"/{top.id}/", None)
    assert (prop_top.name, prop_top.provider_id, prop_top.property_id) == ("阳光物业", provider.id, prop.id)
    assert prop_top.path == f"/{prop_top.id}/"
    assert create_top_department(provider).id == top.id  # idempotent
    assert db.session.execute(sa.select(sa.func.count(Department.id))).scalar_one() == 2


def test_tree_is_nested_ordered_and_search_keeps_ancestors(client, tenant, admin_token):
    provider, top, headers = tenant("服务商A")
    other, other_top, _ = tenant("服务商B")
    sales = add(client, headers, top.id, "销售部", order_num=2)
    ops = add(client, headers, top.id, "运维部", order_num=1, leader="张三", phone="13912345678",
              email="ops@example.com")
    east = add(client, headers, sales["id"], "华东销售", enabled=False)
    add(client, headers, sales["id"], "华南销售")
    assert (ops["leader"], ops["phone"], ops["email"], ops["provider_id"]) == ("张三", "13912345678",
                                                                               "ops@example.com", provider.id)
    assert east["parent_id"] == sales["id"] and east["enabled"] is False and east["children"] == []

    tree = client.get(URL, headers=headers).get_json()["items"]
    assert names(tree) == [("服务商A", [("运维部", []), ("销售部", [("华东销售", []), ("华南销售", [])])])]
    node = tree[0]
    assert {"id", "provider_id", "property_id", "parent_id", "name", "order_num", "leader", "phone", "email",
            "enabled", "created_at", "updated_at", "created_by", "updated_by", "children"} <= node.keys()

    found = client.get(URL, query_string={"name": "华东"}, headers=headers).get_json()["items"]
    assert names(found) == [("服务商A", [("销售部", [("华东销售", [])])])]
    disabled = client.get(URL, query_string={"enabled": "false"}, headers=headers).get_json()["items"]
    assert names(disabled) == [("服务商A", [("销售部", [("华东销售", [])])])]
    assert client.get(URL, query_string={"name": "无此部门"}, headers=headers).get_json()["items"] == []

    everything = client.get(URL, headers=admin_token).get_json()["items"]
    assert [n["name"] for n in everything] == ["服务商A", "服务商B"]
    only_b = client.get(URL, query_string={"provider_id": other.id}, headers=admin_token).get_json()["items"]
    assert names(only_b) == [("服务商B", [])]


def test_property_departments_are_searched_by_property(client, make_provider, admin_token, auth_headers):
    provider, _ = make_provider("服务商P")
    create_top_department(provider)
    prop = Property(provider_id=provider.id, name="物业一", phone="13700000002")
    db.session.add(prop)
    db.session.flush()
    prop_top = create_top_department(provider, prop)
    db.session.commit()
    child = add(client, admin_token, prop_top.id, "物业客服")
    assert (child["provider_id"], child["property_id"]) == (provider.id, prop.id)
    tree = client.get(URL, query_string={"property_id": prop.id}, headers=admin_token).get_json()["items"]
    assert names(tree) == [("物业一", [("物业客服", [])])]

    prop_user = User(phone="13700000003", name="物业管理员", password_hash=hash_password("x-pass-123"),
                     user_type=UserType.PROPERTY, provider_id=provider.id, property_id=prop.id, is_owner=True)
    db.session.add(prop_user)
    db.session.commit()
    mine = client.get(URL, headers=auth_headers(prop_user)).get_json()["items"]
    assert names(mine) == [("物业一", [("物业客服", [])])]


def test_field_rules_and_sibling_names(client, tenant):
    _, top, headers = tenant()
    first = add(client, headers, top.id, "财务部")

    def refused(payload, field):
        response = client.post(URL, json=payload, headers=headers)
        assert response.status_code == 422, response.get_json()
        return response.get_json()["errors"]["json"][field][0]

    assert "不能为空" in refused({"parent_id": top.id, "name": "  "}, "name")
    assert "上级部门" in refused({"name": "无上级"}, "parent_id")
    assert "手机号或固定电话" in refused({"parent_id": top.id, "name": "x", "phone": "12345"}, "phone")
    assert "邮箱" in refused({"parent_id": top.id, "name": "x", "email": "not-an-email"}, "email")
    assert "0–9999" in refused({"parent_id": top.id, "name": "x", "order_num": 10000}, "order_num")
    assert "已有「财务部」" in refused({"parent_id": top.id, "name": "财务部"}, "name")
    assert add(client, headers, top.id, "座机部", phone="010-12345678")["phone"] == "010-12345678"
    assert add(client, headers, first["id"], "财务部")["parent_id"] == first["id"]  # another level: allowed
    response = client.put(f"{URL}/{first['id']}", json={"name": "座机部"}, headers=headers)
    assert response.status_code == 422 and "name" in response.get_json()["errors"]["json"]
    assert db.session.execute(sa.select(sa.func.count(Department.id))).scalar_one() == 4


def test_adding_under_a_disabled_provider_or_department_is_refused(client, tenant):
    provider, top, headers = tenant()
    closed = add(client, headers, top.id, "停用部门", enabled=False)
    response = client.post(URL, json={"parent_id": closed["id"], "name": "子部门"}, headers=headers)
    assert response.status_code == 422
    assert "已禁用" in response.get_json()["errors"]["json"]["parent_id"][0]

    provider.enabled = False
    db.session.commit()
    response = client.post(URL, json={"parent_id": top.id, "name": "新部门"}, headers=headers)
    assert response.status_code == 422
    assert "服务商" in response.get_json()["errors"]["json"]["parent_id"][0]
    assert "禁用" in response.get_json()["errors"]["json"]["parent_id"][0]
    assert db.session.execute(sa.select(sa.func.count(Department.id))).scalar_one() == 2


def test_update_changes_fields_and_records_who(client, tenant, make_provider):
    provider, top, headers = tenant()
    dept = add(client, headers, top.id, "市场部")
    response = client.put(f"{URL}/{dept['id']}", headers=headers, json={
        "name": "市场营销部", "order_num": 5, "leader": "李四", "phone": "0755-88886666",
        "email": "mkt@example.com", "enabled": False})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["name"], body["order_num"], body["leader"], body["enabled"]) == ("市场营销部", 5, "李四", False)
    owner = db.session.execute(sa.select(User).where(User.provider_id == provider.id)).scalar_one()
    assert body["updated_by"] == owner.id and body["created_by"] == owner.id
    actions = db.session.execute(sa.select(AuditLog.action).where(AuditLog.target_id == dept["id"],
                                                                  AuditLog.target_type == "department")).scalars()
    assert sorted(actions) == ["department.create", "department.update"]
    assert client.put(f"{URL}/{top.id}", json={"name": "总部"}, headers=headers).get_json()["name"] == "总部"


def test_moving_a_department_repaths_its_subtree(client, tenant, admin_token):
    _, top, headers = tenant("服务商A")
    _, other_top, _ = tenant("服务商B")
    a = add(client, headers, top.id, "A")
    a1 = add(client, headers, a["id"], "A1")
    a2 = add(client, headers, a1["id"], "A2")
    b = add(client, headers, top.id, "B")

    response = client.put(f"{URL}/{a['id']}", json={"parent_id": b["id"]}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert names([response.get_json()]) == [("A", [("A1", [("A2", [])])])]
    paths = dict(db.session.execute(sa.select(Department.id, Department.path)).all())
    assert paths[a["id"]] == f"/{top.id}/{b['id']}/{a['id']}/"
    assert paths[a2["id"]] == f"/{top.id}/{b['id']}/{a['id']}/{a1['id']}/{a2['id']}/"
    tree = client.get(URL, headers=headers).get_json()["items"]
    assert names(tree) == [("服务商A", [("B", [("A", [("A1", [("A2", [])])])])])]

    for parent, field_message in ((a2["id"], "下级部门"), (a["id"], "下级部门")):
        response = client.put(f"{URL}/{a['id']}", json={"parent_id": parent}, headers=headers)
        assert response.status_code == 422 and field_message in response.get_json()["errors"]["json"]["parent_id"][0]
    response = client.put(f"{URL}/{top.id}", json={"parent_id": b["id"]}, headers=headers)
    assert response.status_code == 422 and "一级部门" in response.get_json()["errors"]["json"]["parent_id"][0]
    response = client.put(f"{URL}/{a['id']}", json={"parent_id": other_top.id}, headers=admin_token)
    assert response.status_code == 422
    assert dict(db.session.execute(sa.select(Department.id, Department.path)).all()) == paths


def test_delete_rules(client, tenant):
    provider, top, headers = tenant()
    parent = add(client, headers, top.id, "上级")
    child = add(client, headers, parent["id"], "下级")
    staffed = add(client, headers, top.id, "有用户")
    with_post = add(client, headers, top.id, "有岗位")
    db.session.add(Post(provider_id=provider.id, department_id=with_post["id"], name="专员"))
    db.session.add(User(phone="13600000001", name="员工", password_hash=hash_password("x-pass-123"),
                        user_type=UserType.PROVIDER, provider_id=provider.id, department_id=staffed["id"]))
    db.session.commit()

    for ident, message in ((top.id, "一级部门"), (parent["id"], "下级部门"), (with_post["id"], "岗位"),
                           (staffed["id"], "用户")):
        response = client.delete(f"{URL}/{ident}", headers=headers)
        assert response.status_code == 409, response.get_json()
        assert message in response.get_json()["message"]
    assert db.session.execute(sa.select(Department.id).where(Department.deleted_at.is_not(None))).first() is None

    assert client.delete(f"{URL}/{child['id']}", headers=headers).status_code == 204
    assert client.delete(f"{URL}/{parent['id']}", headers=headers).status_code == 204
    assert client.get(f"{URL}/{parent['id']}", headers=headers).status_code == 404
    tree = client.get(URL, headers=headers).get_json()["items"]
    assert names(tree) == [("服务商A", [("有用户", []), ("有岗位", [])])]
    response = client.post(URL, json={"parent_id": parent["id"], "name": "复活"}, headers=headers)
    assert response.status_code == 422 and "已删除" in response.get_json()["errors"]["json"]["parent_id"][0]
    assert add(client, headers, top.id, "上级")["name"] == "上级"  # a deleted one's name is free again
    row = db.session.get(Department, parent["id"])
    db.session.refresh(row)
    assert row.deleted_at is not None


def test_foreign_departments_answer_404_and_stay_unchanged(client, tenant):
    _, top_a, headers_a = tenant("服务商A")
    _, top_b, headers_b = tenant("服务商B")
    theirs = add(client, headers_b, top_b.id, "B的部门")

    assert client.get(f"{URL}/{theirs['id']}", headers=headers_a).status_code == 404
    assert client.put(f"{URL}/{theirs['id']}", json={"name": "改名"}, headers=headers_a).status_code == 404
    assert client.put(f"{URL}/{theirs['id']}", json={"order_num": -5}, headers=headers_a).status_code == 404
    assert client.delete(f"{URL}/{theirs['id']}", headers=headers_a).status_code == 404
    response = client.post(URL, json={"parent_id": top_b.id, "name": "渗透"}, headers=headers_a)
    assert response.status_code == 404  # a foreign id in a payload answers like one in a URL
    mine = add(client, headers_a, top_a.id, "A的部门")
    response = client.put(f"{URL}/{mine['id']}", json={"parent_id": top_b.id}, headers=headers_a)
    assert response.status_code == 404
    assert names(client.get(URL, headers=headers_a).get_json()["items"]) == [("服务商A", [("A的部门", [])])]

    row = db.session.get(Department, theirs["id"])
    db.session.refresh(row)
    assert (row.name, row.deleted_at, row.order_num) == ("B的部门", None, 0)
    assert db.session.execute(sa.select(sa.func.count(Department.id)).where(
        Department.provider_id == top_b.provider_id)).scalar_one() == 2


def test_missing_permission_answers_403(client, make_provider, auth_headers):
    provider, user = make_provider()
    user.is_owner = False  # no roles either: no permissions at all
    top = create_top_department(provider)
    db.session.commit()
    headers = auth_headers(user)
    assert client.get(URL, headers=headers).status_code == 403
    assert client.post(URL, json={"parent_id": top.id, "name": "x"}, headers=headers).status_code == 403
    assert client.put(f"{URL}/{top.id}", json={"name": "x"}, headers=headers).status_code == 403
    assert client.delete(f"{URL}/{top.id}", headers=headers).status_code == 403
    assert client.get(URL).status_code == 401
    assert db.session.execute(sa.select(sa.func.count(Department.id))).scalar_one() == 1
