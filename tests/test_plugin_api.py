"""The plugin administration API: listing, switching on per tenant, validation, secret masking, scope."""
from __future__ import annotations

import json

import pytest

from chargehub.extensions import plugin_host
from tests import plugins_support as ps

pytestmark = pytest.mark.smoke

SECRET = "api-key-that-must-never-leak-42"


@pytest.fixture
def api(make_app, make_provider, admin_user, auth_headers):
    import chargehub_sample.plugin as sample

    app = make_app(plugins=[sample, ps.ProtocolPlugin()])
    with app.app_context():
        a, user_a = make_provider("A")
        b, user_b = make_provider("B")
        from chargehub.extensions import db  # noqa: PLC0415
        from chargehub.tenancy.models import User  # noqa: PLC0415

        admin = db.session.get(User, admin_user.id)
        yield {
            "client": app.test_client(), "a": a.id, "b": b.id,
            "admin": auth_headers(admin), "user_a": auth_headers(user_a), "user_b": auth_headers(user_b),
        }


def test_requests_without_token_are_refused(api):
    response = api["client"].get("/api/v1/admin/plugins")
    assert response.status_code == 401
    assert "请先登录" in response.json["message"]


def test_admin_sees_all_plugins_provider_sees_tenant_level_only(api):
    admin = api["client"].get("/api/v1/admin/plugins", headers=api["admin"]).json
    assert [p["name"] for p in admin] == ["proto_test", "sample"]
    provider = api["client"].get("/api/v1/admin/plugins", headers=api["user_a"]).json
    assert [p["name"] for p in provider] == ["sample"]


def test_provider_enables_and_configures_for_itself_only(api):
    c = api["client"]
    url = f"/api/v1/admin/providers/{api['a']}/plugins/sample"
    response = c.put(url, headers=api["user_a"], json={"enabled": True, "settings": {"merchant_no": "M-123456", "api_key": SECRET}})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["enabled"] is True and body["secrets"] == {"api_key": "set"}
    assert SECRET not in response.get_data(as_text=True)
    # tenant B is unaffected
    other = c.get(f"/api/v1/admin/providers/{api['b']}/plugins/sample", headers=api["user_b"]).json
    assert other["enabled"] is False and other["secrets"] == {"api_key": "unset"}
    assert plugin_host.is_enabled("sample", api["a"]) and not plugin_host.is_enabled("sample", api["b"])
    # every read path masks the secret
    for path, headers in ((url, api["user_a"]), (f"/api/v1/admin/providers/{api['a']}/plugins", api["user_a"]),
                          (url, api["admin"]), ("/api/v1/admin/plugins/sample", api["admin"])):
        text = c.get(path, headers=headers).get_data(as_text=True)
        assert SECRET not in text


def test_invalid_settings_answer_422_with_field_messages_and_store_nothing(api):
    c = api["client"]
    url = f"/api/v1/admin/providers/{api['a']}/plugins/sample"
    response = c.put(url, headers=api["user_a"], json={"enabled": True, "settings": {"merchant_no": "1", "mode": "bogus"}})
    assert response.status_code == 422
    fields = response.json["errors"]["json"]["settings"]
    assert set(fields) == {"merchant_no", "api_key", "mode"}
    assert c.get(url, headers=api["user_a"]).json["updated_at"] is None
    bad_shape = c.put(url, headers=api["user_a"], json={"enabled": "perhaps"})
    assert bad_shape.status_code == 422 and "enabled" in bad_shape.json["errors"]["json"]


def test_foreign_tenant_id_answers_404_and_changes_nothing(api):
    c = api["client"]
    foreign = f"/api/v1/admin/providers/{api['b']}/plugins/sample"
    assert c.get(foreign, headers=api["user_a"]).status_code == 404
    assert c.get(f"/api/v1/admin/providers/{api['b']}/plugins", headers=api["user_a"]).status_code == 404
    response = c.put(foreign, headers=api["user_a"], json={"enabled": True, "settings": {"merchant_no": "M-123456", "api_key": SECRET}})
    assert response.status_code == 404
    assert not plugin_host.is_enabled("sample", api["b"])
    assert c.get("/api/v1/admin/providers/999999/plugins", headers=api["admin"]).status_code == 404


def test_platform_plugins_are_the_platform_operators(api):
    c = api["client"]
    assert c.put(f"/api/v1/admin/providers/{api['a']}/plugins/proto_test", headers=api["user_a"], json={"enabled": False}).status_code == 404
    assert c.put("/api/v1/admin/plugins/proto_test", headers=api["user_a"], json={"enabled": False}).status_code == 403
    response = c.put("/api/v1/admin/plugins/proto_test", headers=api["admin"], json={"enabled": False})
    assert response.status_code == 200 and response.json["enabled"] is False
    assert c.get("/api/v1/admin/plugins/nope", headers=api["admin"]).status_code == 404


def test_openapi_document_lists_the_endpoints(api):
    spec = api["client"].get("/api/v1/openapi.json").json
    assert "/api/v1/admin/providers/{provider_id}/plugins/{name}" in spec["paths"]
    assert "/api/v1/auth/tokens" in spec["paths"]
    assert SECRET not in json.dumps(spec)


def test_token_sign_in_and_sign_out(api):
    c = api["client"]
    bad = c.post("/api/v1/auth/tokens", json={"phone": "13800000000", "password": "wrong"})
    assert bad.status_code == 401 and "密码错误" in bad.json["message"]
    good = c.post("/api/v1/auth/tokens", json={"phone": "13800000000", "password": "admin-pass-123"})
    assert good.status_code == 201
    headers = {"Authorization": f"Bearer {good.json['token']}"}
    assert c.get("/api/v1/auth/me", headers=headers).json["user_type"] == "system"
    assert c.delete("/api/v1/auth/tokens/current", headers=headers).status_code == 204
    assert c.get("/api/v1/auth/me", headers=headers).status_code == 401
