"""岗位管理 (manual 3.7.6): posts inside departments, search and paging, linking rules, isolation."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from chargehub.extensions import db
from chargehub.tenancy.models import Property, User, UserType
from chargehub.tenancy.org_models import Department, Post
from chargehub.tenancy.passwords import hash_password
from chargehub.tenancy.services.org import create_top_department

pytestmark = pytest.mark.smoke

URL = "/api/v1/admin/posts"
DEPARTMENTS = "/api/v1/admin/departments"


def add(client, headers, department_id, name, **fields):
    response = client.post(URL, json={"department_id": department_id, "name": name, **fields}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def department(client, headers, parent_id, name, **fields):
    response = client.post(DEPARTMENTS, json={"parent_id": parent_id, "name": name, **fields}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def employee(provider, phone, **links):
    user = User(phone=phone, name="员工", password_hash=hash_password("x-pass-123"), user_type=UserType.PROVIDER,
                provider_id=provider.id, **links)
    db.session.add(user)
    db.session.commit()
    return user


def error(response, field):
    assert response.status_code == 422, response.get_json()
    return response.get_json()["errors"]["json"][field][0]


def test_a_post_inherits_its_departments_owner(client, tenant, make_provider):
    provider, top, headers = tenant()
    post = add(client, headers, top.id, "总经理", order_num=1)
    assert (post["provider_id"], post["property_id"], post["department_id"]) == (provider.id, None, top.id)
    assert (post["department_name"], post["enabled"], post["order_num"]) == ("服务商A", True, 1)
    assert {"id", "name", "created_at", "updated_at", "created_by", "updated_by"} <= post.keys()

    prop = Property(provider_id=provider.id, name="物业一", phone="13700000011")
    db.session.add(prop)
    db.session.flush()
    prop_top = create_top_department(provider, prop)
    db.session.commit()
    guard = add(client, headers, prop_top.id, "保安")
    assert (guard["provider_id"], guard["property_id"], guard["department_name"]) == (provider.id, prop.id, "物业一")
    assert client.get(f"{URL}/{guard['id']}", headers=headers).get_json()["department_name"] == "物业一"


def test_only_linkable_departments_take_posts(client, tenant):
    provider, top, headers = tenant()
    closed = department(client, headers, top.id, "停用部门", enabled=False)
    gone = department(client, headers, top.id, "撤销部门")
    assert client.delete(f"{DEPARTMENTS}/{gone['id']}", headers=headers).status_code == 204

    assert "已禁用" in error(client.post(URL, json={"department_id": closed["id"], "name": "x"}, headers=headers),
                          "department_id")
    assert "已删除" in error(client.post(URL, json={"department_id": gone["id"], "name": "x"}, headers=headers),
                          "department_id")
    assert "部门" in error(client.post(URL, json={"name": "无部门"}, headers=headers), "department_id")
    post = add(client, headers, top.id, "专员")
    assert "已禁用" in error(client.put(f"{URL}/{post['id']}", json={"department_id": closed["id"]}, headers=headers),
                          "department_id")
    assert "0–9999" in error(client.post(URL, json={"department_id": top.id, "name": "x", "order_num": -1},
                                         headers=headers), "order_num")

    provider.enabled = False
    db.session.commit()
    assert "服务商" in error(client.post(URL, json={"department_id": top.id, "name": "新岗"}, headers=headers),
                          "department_id")
    assert db.session.execute(sa.select(sa.func.count(Post.id))).scalar_one() == 1


def test_names_are_unique_within_a_department(client, tenant):
    _, top, headers = tenant()
    sales = department(client, headers, top.id, "销售部")
    first = add(client, headers, top.id, "经理")
    assert "已有岗位「经理」" in error(client.post(URL, json={"department_id": top.id, "name": "经理"}, headers=headers),
                                "name")
    other = add(client, headers, sales["id"], "经理")  # another department: allowed
    assert "name" in client.put(f"{URL}/{other['id']}", json={"department_id": top.id},
                                headers=headers).get_json()["errors"]["json"]
    second = add(client, headers, top.id, "助理")
    assert "已有岗位" in error(client.put(f"{URL}/{second['id']}", json={"name": "经理"}, headers=headers), "name")
    assert client.delete(f"{URL}/{first['id']}", headers=headers).status_code == 204
    assert add(client, headers, top.id, "经理")["name"] == "经理"  # a deleted post's name is free again


def test_search_paging_and_sorting(client, tenant):
    _, top, headers = tenant()
    sales = department(client, headers, top.id, "销售部")
    for order, name in ((3, "岗位C"), (1, "岗位A"), (2, "岗位B")):
        add(client, headers, top.id, name, order_num=order)
    add(client, headers, sales["id"], "销售代表", order_num=0)
    add(client, headers, sales["id"], "销售助理", order_num=9, enabled=False)

    page = client.get(URL, query_string={"page_size": 2}, headers=headers).get_json()
    assert (page["total"], page["page"], page["page_size"]) == (5, 1, 2)
    assert [p["name"] for p in page["items"]] == ["销售代表", "岗位A"]  # default: order_num ascending
    page3 = client.get(URL, query_string={"page_size": 2, "page": 3}, headers=headers).get_json()
    assert [p["name"] for p in page3["items"]] == ["销售助理"]
    by_order = client.get(URL, query_string={"sort": "-order_num"}, headers=headers).get_json()["items"]
    assert [p["order_num"] for p in by_order] == [9, 3, 2, 1, 0]
    by_name = client.get(URL, query_string={"name": "岗位", "sort": "name"}, headers=headers).get_json()["items"]
    assert [p["name"] for p in by_name] == ["岗位A", "岗位B", "岗位C"]
    by_name = client.get(URL, query_string={"name": "岗位", "sort": "-name"}, headers=headers).get_json()["items"]
    assert [p["name"] for p in by_name] == ["岗位C", "岗位B", "岗位A"]
    newest = client.get(URL, query_string={"sort": "-created_at"}, headers=headers).get_json()["items"]
    assert newest[0]["name"] == "销售助理"

    in_sales = client.get(URL, query_string={"department_id": sales["id"]}, headers=headers).get_json()
    assert in_sales["total"] == 2 and {p["department_name"] for p in in_sales["items"]} == {"销售部"}
    named = client.get(URL, query_string={"name": "销售"}, headers=headers).get_json()
    assert sorted(p["name"] for p in named["items"]) == ["销售代表", "销售助理"]
    disabled = client.get(URL, query_string={"enabled": "false"}, headers=headers).get_json()
    assert [p["name"] for p in disabled["items"]] == ["销售助理"]
    assert client.get(URL, query_string={"sort": "id"}, headers=headers).status_code == 422
    assert client.get(URL, query_string={"page_size": 101}, headers=headers).status_code == 422


def test_update_and_move_a_post(client, tenant):
    provider, top, headers = tenant()
    sales = department(client, headers, top.id, "销售部")
    post = add(client, headers, top.id, "专员")
    response = client.put(f"{URL}/{post['id']}", json={"name": "高级专员", "order_num": 7, "enabled": False},
                          headers=headers)
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["name"], response.get_json()["order_num"], response.get_json()["enabled"]) == \
        ("高级专员", 7, False)
    moved = client.put(f"{URL}/{post['id']}", json={"department_id": sales["id"]}, headers=headers).get_json()
    assert (moved["department_id"], moved["department_name"]) == (sales["id"], "销售部")

    employee(provider, "13600000021", department_id=sales["id"], post_id=post["id"])
    assert "用户" in error(client.put(f"{URL}/{post['id']}", json={"department_id": top.id}, headers=headers),
                         "department_id")
    assert db.session.get(Post, post["id"]).department_id == sales["id"]


def test_delete_is_refused_while_users_hold_the_post(client, tenant):
    provider, top, headers = tenant()
    post = add(client, headers, top.id, "客服")
    user = employee(provider, "13600000031", department_id=top.id, post_id=post["id"])
    response = client.delete(f"{URL}/{post['id']}", headers=headers)
    assert response.status_code == 409 and "用户" in response.get_json()["message"]
    assert db.session.get(Post, post["id"]).deleted_at is None

    user.post_id = None
    db.session.commit()
    assert client.delete(f"{URL}/{post['id']}", headers=headers).status_code == 204
    assert client.get(f"{URL}/{post['id']}", headers=headers).status_code == 404
    assert client.put(f"{URL}/{post['id']}", json={"name": "x"}, headers=headers).status_code == 404
    assert client.get(URL, headers=headers).get_json()["total"] == 0
    row = db.session.get(Post, post["id"])
    db.session.refresh(row)
    assert row.deleted_at is not None


def test_foreign_posts_answer_404_and_stay_unchanged(client, tenant):
    _, top_a, headers_a = tenant("服务商A")
    _, top_b, headers_b = tenant("服务商B")
    theirs = add(client, headers_b, top_b.id, "B的岗位")
    add(client, headers_a, top_a.id, "A的岗位")

    assert client.get(f"{URL}/{theirs['id']}", headers=headers_a).status_code == 404
    assert client.put(f"{URL}/{theirs['id']}", json={"name": "改名"}, headers=headers_a).status_code == 404
    assert client.delete(f"{URL}/{theirs['id']}", headers=headers_a).status_code == 404
    foreign = client.post(URL, json={"department_id": top_b.id, "name": "渗透"}, headers=headers_a)
    assert foreign.status_code == 404  # a foreign id in a payload answers like one in a URL
    listed = client.get(URL, headers=headers_a).get_json()
    assert [p["name"] for p in listed["items"]] == ["A的岗位"]
    assert client.get(URL, query_string={"department_id": top_b.id}, headers=headers_a).get_json()["total"] == 0

    row = db.session.get(Post, theirs["id"])
    db.session.refresh(row)
    assert (row.name, row.deleted_at) == ("B的岗位", None)
    assert db.session.execute(sa.select(sa.func.count(Post.id)).where(Post.department_id == top_b.id)).scalar_one() == 1


def test_missing_permission_answers_403(client, make_provider, auth_headers):
    provider, user = make_provider()
    user.is_owner = False  # no roles either: no permissions at all
    top = create_top_department(provider)
    db.session.add(Post(provider_id=provider.id, department_id=top.id, name="岗位"))
    db.session.commit()
    post_id = db.session.execute(sa.select(Post.id)).scalar_one()
    headers = auth_headers(user)
    assert client.get(URL, headers=headers).status_code == 403
    assert client.post(URL, json={"department_id": top.id, "name": "x"}, headers=headers).status_code == 403
    assert client.get(f"{URL}/{post_id}", headers=headers).status_code == 403
    assert client.put(f"{URL}/{post_id}", json={"name": "x"}, headers=headers).status_code == 403
    assert client.delete(f"{URL}/{post_id}", headers=headers).status_code == 403
    assert db.session.execute(sa.select(Post.name)).scalars().all() == ["岗位"]
    assert db.session.execute(sa.select(sa.func.count(Department.id))).scalar_one() == 1
