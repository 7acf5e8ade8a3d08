"""Tenant isolation: every scoped admin endpoint, called by another tenant with a foreign id, answers 404
and changes nothing. Endpoints are discovered from the app's URL map, so new ones are covered without
editing this test; a new kind of id parameter must be registered with ``register_path_param``."""
from __future__ import annotations

import hashlib
import json
import re

import pytest
import sqlalchemy as sa

from chargehub.extensions import db
from chargehub.tenancy.scope import path_params

pytestmark = pytest.mark.smoke

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PARAM = re.compile(r"<(?:int):(\w+)>")


def snapshot() -> str:
    """A digest of every row of every table."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
        digest.update(table.name.encode() + json.dumps([list(map(str, r)) for r in rows]).encode())
    return digest.hexdigest()


def scoped_rules(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/v1/admin/", "/admin/")):
            continue
        params = PARAM.findall(rule.rule)
        if params:
            yield rule, params


def test_every_id_parameter_is_registered(app):
    registered = path_params()
    unregistered = {p for rule, params in scoped_rules(app) for p in params if p not in registered}
    assert not unregistered, f"register these with chargehub.tenancy.scope.register_path_param: {unregistered}"


@pytest.mark.parametrize("actor", ["provider_headers", "property_headers"])
def test_foreign_ids_answer_404_and_change_nothing(app, world, actor):
    client, a, b = world["client"], world["A"], world["B"]
    headers = b[actor]
    checked = 0
    for rule, params in scoped_rules(app):
        url = rule.rule
        for name in params:
            assert name in a, f"the isolation world has no {name}: add one to tests/system/conftest.py"
            url = url.replace(f"<int:{name}>", str(a[name]))
        for method in sorted(rule.methods & set(METHODS)):
            before = snapshot()
            response = client.open(url, method=method, headers=headers, json={} if method != "GET" else None)
            assert response.status_code == 404, f"{method} {url} answered {response.status_code}: {response.get_data(as_text=True)[:200]}"
            db.session.rollback()
            assert snapshot() == before, f"{method} {url} changed data"
            checked += 1
    assert checked >= 30  # the suite really walked the endpoints


def test_lists_and_options_never_show_another_tenants_rows(app, world):
    client, b = world["client"], world["B"]
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/admin/") or "GET" not in rule.methods or PARAM.search(rule.rule):
            continue
        for actor in ("provider_headers", "property_headers"):
            response = client.get(rule.rule, headers=b[actor])
            if response.status_code in (403, 404):
                continue
            assert response.status_code == 200, f"GET {rule.rule}: {response.status_code}"
            assert "甲" not in response.get_data(as_text=True), f"GET {rule.rule} as B's {actor} shows tenant A's rows"


FOREIGN_PAYLOADS = [
    ("POST", "/api/v1/admin/properties", lambda a: {"provider_id": a["provider_id"], "name": "x", "phone": "13955550001"}),
    ("POST", "/api/v1/admin/users", lambda a: {"user_type": "provider", "provider_id": a["provider_id"], "name": "x",
                                              "phone": "13955550002", "password": "password-1"}),
    ("POST", "/api/v1/admin/users", lambda a: {"user_type": "property", "property_id": a["property_id"], "name": "x",
                                              "phone": "13955550003", "password": "password-1"}),
    ("POST", "/api/v1/admin/users", lambda a: {"user_type": "collective", "collective_id": a["collective_id"], "name": "x",
                                              "phone": "13955550004", "password": "password-1"}),
    ("POST", "/api/v1/admin/roles", lambda a: {"user_type": "property", "property_id": a["property_id"], "name": "x"}),
    ("POST", "/api/v1/admin/departments", lambda a: {"parent_id": a["department_id"], "name": "x"}),
    ("POST", "/api/v1/admin/posts", lambda a: {"department_id": a["department_id"], "name": "x"}),
]


@pytest.mark.parametrize("method,url,payload", FOREIGN_PAYLOADS)
def test_foreign_ids_in_payloads_answer_404(world, method, url, payload):
    client, a, b = world["client"], world["A"], world["B"]
    before = snapshot()
    response = client.open(url, method=method, headers=b["provider_headers"], json=payload(a))
    assert response.status_code == 404, response.json
    db.session.rollback()
    assert snapshot() == before


def test_foreign_ids_inside_own_rows_payloads_answer_404(world):
    client, a, b = world["client"], world["A"], world["B"]
    h = b["provider_headers"]
    before = snapshot()
    for method, url, body in (
        ("PUT", f"/api/v1/admin/users/{b['user_id']}", {"department_id": a["department_id"]}),
        ("PUT", f"/api/v1/admin/users/{b['user_id']}", {"role_ids": [a["role_id"]]}),
        ("PUT", f"/api/v1/admin/users/{b['user_id']}/stations", {"car_station_ids": [a["car_station_id"]]}),
        ("POST", f"/api/v1/admin/roles/{b['role_id']}/users", {"user_ids": [a["user_id"]]}),
        ("PUT", f"/api/v1/admin/posts/{b['post_id']}", {"department_id": a["department_id"]}),
        ("PUT", f"/api/v1/admin/departments/{b['department_id']}", {"parent_id": a["department_id"]}),
    ):
        response = client.open(url, method=method, headers=h, json=body)
        assert response.status_code == 404, f"{method} {url} {body}: {response.status_code} {response.json}"
        db.session.rollback()
    assert snapshot() == before
