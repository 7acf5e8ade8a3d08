"""Sign-in with cookie sessions and tokens, CSRF, throttling, password changes, the audit log."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from chargehub.extensions import db
from chargehub.tenancy.audit_log import AuditLog
from chargehub.tenancy.models import User
from chargehub.testing.fixtures import ADMIN_PASSWORD, ADMIN_PHONE

pytestmark = pytest.mark.smoke


def test_session_sign_in_me_and_sign_out(admin_user, session_client):
    c = session_client()
    response = c.sign_in(remember=True)
    assert response.status_code == 200, response.json
    assert response.json["user_type"] == "system" and "system.provider:add" in response.json["permissions"]
    assert [m["code"] for m in response.json["menus"]][:1] == ["home"]
    assert c.get("/api/v1/auth/me").json["phone"] == ADMIN_PHONE
    assert c.delete("/api/v1/auth/session").status_code == 204
    assert c.get("/api/v1/auth/me").status_code == 401


def test_cookie_requests_without_csrf_token_are_refused(admin_user, session_client):
    c = session_client()
    assert c.sign_in().status_code == 200
    refused = c.client.post("/api/v1/admin/providers", json={"name": "X", "phone": "13911112222"})
    assert refused.status_code == 400 and "CSRF" in refused.json["message"]
    assert db.session.execute(sa.text("select count(*) from service_provider")).scalar() == 0
    wrong = c.client.post("/api/v1/admin/providers", json={"name": "X", "phone": "13911112222"},
                          headers={"X-CSRFToken": "forged"})
    assert wrong.status_code == 400
    ok = c.post("/api/v1/admin/providers", json={"name": "X", "phone": "13911112222"})
    assert ok.status_code == 201


def test_sign_in_itself_needs_the_csrf_token(admin_user, app):
    client = app.test_client()
    response = client.post("/api/v1/auth/session", json={"phone": ADMIN_PHONE, "password": ADMIN_PASSWORD})
    assert response.status_code == 400 and "CSRF" in response.json["message"]


def test_token_requests_need_no_csrf(admin_token, client):
    response = client.post("/api/v1/admin/providers", json={"name": "T", "phone": "13911113333"}, headers=admin_token)
    assert response.status_code == 201


def test_wrong_passwords_are_throttled_per_account(admin_user, session_client):
    c = session_client()
    for _ in range(5):
        assert c.sign_in(password="wrong-password").status_code == 401
    blocked = c.sign_in()  # even the right password is refused while the account is throttled
    assert blocked.status_code == 429
    assert "登录失败次数过多" in blocked.json["message"] and int(blocked.headers["Retry-After"]) > 0
    entries = db.session.execute(sa.select(AuditLog).where(AuditLog.action == "sign_in")).scalars().all()
    assert [e.success for e in entries].count(False) == 6
    assert all(ADMIN_PASSWORD not in str(e.detail) and "wrong-password" not in str(e.detail) for e in entries)


def test_throttling_per_address_spans_accounts(admin_user, session_client):
    c = session_client()
    for i in range(20):
        assert c.sign_in(phone=f"1390000{i:04d}", password="nope").status_code == 401
    assert c.sign_in().status_code == 429


def test_throttle_counters_shared_through_redis(make_app, admin_user):
    from chargehub.tenancy import throttle

    first, second = make_app(redis=True, REDIS_NAMESPACE="chtest-throttle-shared"), None
    second = make_app(redis=True, REDIS_NAMESPACE="chtest-throttle-shared")
    with first.test_request_context():
        for _ in range(5):
            throttle.failed("13800000000", "10.0.0.1")
    with second.test_request_context():
        assert throttle.check("13800000000", "10.0.0.2") is not None  # another web process sees it
    from chargehub.testing.helpers import delete_namespace

    delete_namespace("redis://127.0.0.1:6379/0", "chtest-throttle-shared")


def test_disabled_user_cannot_sign_in(admin_user, session_client):
    admin_user.enabled = False
    db.session.commit()
    response = session_client().sign_in()
    assert response.status_code == 401 and "禁用" in response.json["message"]


def test_password_change_ends_other_sessions(admin_user, session_client):
    first, second = session_client(), session_client()
    assert first.sign_in().status_code == 200 and second.sign_in().status_code == 200
    wrong = first.post("/api/v1/auth/password", json={"old_password": "nope", "new_password": "brand-new-pass"})
    assert wrong.status_code == 422 and "old_password" in wrong.json["errors"]["json"]
    short = first.post("/api/v1/auth/password", json={"old_password": ADMIN_PASSWORD, "new_password": "short"})
    assert short.status_code == 422 and "new_password" in short.json["errors"]["json"]
    ok = first.post("/api/v1/auth/password", json={"old_password": ADMIN_PASSWORD, "new_password": "brand-new-pass"})
    assert ok.status_code == 204
    assert first.get("/api/v1/auth/me").status_code == 200  # this session continues
    assert second.get("/api/v1/auth/me").status_code == 401  # the other one ended
    stored = db.session.execute(sa.select(User.password_hash)).scalar_one()
    assert "brand-new-pass" not in stored
    assert session_client().sign_in(password="brand-new-pass").status_code == 200


def test_passwords_never_logged(admin_user, session_client, caplog):
    import logging

    with caplog.at_level(logging.DEBUG):
        session_client().sign_in(password="wrong-secret-password")
        session_client().sign_in()
    assert "wrong-secret-password" not in caplog.text and ADMIN_PASSWORD not in caplog.text


def test_revoking_a_token(admin_token, client):
    assert client.delete("/api/v1/auth/tokens/current", headers=admin_token).status_code == 204
    assert client.get("/api/v1/auth/me", headers=admin_token).status_code == 401
