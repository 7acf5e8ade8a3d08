"""Driver sign-in: SMS codes (the send_sms hook, limits, attempts, expiry), tokens, the profile."""
from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa

from chargehub import PluginLevel, PluginMeta, hookimpl
from chargehub.db import utcnow
from chargehub.extensions import db
from chargehub.members.models import Driver, DriverToken, SmsCode
from tests.app_api.conftest import SmsOutbox, new_phone

CODE_URL = "/api/v1/app/auth/code"
LOGIN_URL = "/api/v1/app/auth/login"


def field_errors(response) -> dict:
    return response.json["errors"]["json"]


def backdate_codes(phone: str, seconds: int) -> None:
    """Move every code of ``phone`` ``seconds`` into the past (as if sent then)."""
    for row in db.session.execute(sa.select(SmsCode).where(SmsCode.phone == phone)).scalars():
        row.created_at -= timedelta(seconds=seconds)
        row.expires_at -= timedelta(seconds=seconds)
    db.session.commit()


@pytest.mark.smoke
def test_hook_send_sms_delivers_a_code_stored_only_as_hmac(app, client, sms):
    phone = new_phone()
    response = client.post(CODE_URL, json={"phone": phone})
    assert response.status_code == 200, response.json
    assert response.json == {"phone": phone, "expires_in": 300, "retry_after": 60}
    (to, message, purpose), = sms.messages
    assert (to, purpose) == (phone, "login") and "5 分钟内有效" in message
    code = sms.last_code(phone)
    row = db.session.execute(sa.select(SmsCode)).scalar_one()
    expected = hmac.new(app.config["SECRET_KEY"].encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()
    assert row.code_hash == expected and code not in row.code_hash
    assert abs((row.expires_at - row.created_at).total_seconds() - 300) < 1
    assert row.client_ip == "127.0.0.1" and row.attempts == 0 and row.consumed_at is None


def test_hook_send_sms_default_sender_logs_the_code(make_app, caplog):
    app = make_app()  # no SMS plugin: core's default sender
    client = app.test_client()
    phone = new_phone()
    with app.app_context(), caplog.at_level(logging.INFO, logger="chargehub.sms"):
        assert client.post(CODE_URL, json={"phone": phone}).status_code == 200
        logged = [r.getMessage() for r in caplog.records if r.name == "chargehub.sms"]
        assert len(logged) == 1 and phone in logged[0]
        code = logged[0].split("验证码 ")[1][:6]
        login = client.post(LOGIN_URL, json={"phone": phone, "code": code})
        assert login.status_code == 200 and login.json["driver"]["phone"] == phone


def test_hook_send_sms_failure_answers_503_and_voids_the_code(client, sms):
    phone = new_phone()
    sms.answer = False
    refused = client.post(CODE_URL, json={"phone": phone})
    assert refused.status_code == 503 and "短信发送失败" in refused.json["message"]
    assert db.session.execute(sa.select(sa.func.count(SmsCode.id))).scalar_one() == 0
    sms.answer = True
    assert client.post(CODE_URL, json={"phone": phone}).status_code == 200  # a failed send does not throttle
    assert len(sms.messages) == 2


class BrokenSms:
    """An SMS plugin whose gateway always fails."""

    META = PluginMeta(name="sms_broken", verbose_name="坏短信", version="1.0", category="integration",
                      level=PluginLevel.PLATFORM)

    @hookimpl
    def send_sms(self, phone, message, purpose):
        raise RuntimeError("gateway down")


def test_hook_send_sms_plugin_exception_is_a_failed_send(make_app, caplog):
    app = make_app(plugins=[BrokenSms()])
    with app.app_context(), caplog.at_level(logging.ERROR, logger="chargehub.members"):
        response = app.test_client().post(CODE_URL, json={"phone": new_phone()})
        assert response.status_code == 503 and "短信发送失败" in response.json["message"]
        assert db.session.execute(sa.select(sa.func.count(SmsCode.id))).scalar_one() == 0
    assert any("gateway down" in (r.exc_text or "") or r.exc_info for r in caplog.records)


@pytest.mark.parametrize("phone", ["12345", "12800138000", "138001380000", "abc", ""])
def test_code_needs_a_mainland_mobile_number(client, sms, phone):
    response = client.post(CODE_URL, json={"phone": phone})
    assert response.status_code == 422
    assert "请输入正确的 11 位手机号" in field_errors(response)["phone"][0]
    assert sms.messages == []


def test_phone_is_normalized(client, sms):
    response = client.post(CODE_URL, json={"phone": "+86 138-0013-8000"})
    assert response.status_code == 200 and response.json["phone"] == "13800138000"
    assert sms.messages[0][0] == "13800138000"


@pytest.mark.smoke
def test_one_code_a_minute_per_phone(client, sms):
    phone = new_phone()
    assert client.post(CODE_URL, json={"phone": phone}).status_code == 200
    again = client.post(CODE_URL, json={"phone": phone})
    assert again.status_code == 429 and "秒后再试" in again.json["message"]
    assert 1 <= int(again.headers["Retry-After"]) <= 60
    assert len(sms.messages) == 1
    backdate_codes(phone, 61)
    assert client.post(CODE_URL, json={"phone": phone}).status_code == 200
    assert len(sms.messages) == 2


def test_at_most_ten_codes_a_day_per_phone(client, sms):
    phone = new_phone()
    now = utcnow()
    db.session.add_all(SmsCode(phone=phone, code_hash="x" * 64, created_at=now - timedelta(hours=h + 1),
                               expires_at=now - timedelta(hours=h + 1) + timedelta(minutes=5)) for h in range(10))
    db.session.commit()
    refused = client.post(CODE_URL, json={"phone": phone})
    assert refused.status_code == 429 and "今日获取验证码次数已达上限" in refused.json["message"]
    assert int(refused.headers["Retry-After"]) > 3600 * 13  # the oldest of the ten leaves the window in ~14 h
    db.session.execute(sa.update(SmsCode).where(SmsCode.phone == phone, SmsCode.created_at < now - timedelta(hours=9))
                       .values(created_at=now - timedelta(days=2)))
    db.session.commit()
    assert client.post(CODE_URL, json={"phone": phone}).status_code == 200


@pytest.mark.parametrize("redis", [False, True], ids=["memory", "redis"])
def test_per_address_limit(make_app, redis):
    outbox = SmsOutbox()
    app = make_app(plugins=[outbox], redis=redis, SMS_CODES_PER_ADDRESS=3)
    client = app.test_client()
    with app.app_context():
        for _ in range(3):
            assert client.post(CODE_URL, json={"phone": new_phone()}).status_code == 200
        refused = client.post(CODE_URL, json={"phone": new_phone()})
        assert refused.status_code == 429 and "请求过于频繁" in refused.json["message"]
        other = client.post(CODE_URL, json={"phone": new_phone()}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert other.status_code == 200
        assert len(outbox.messages) == 4


@pytest.mark.smoke
def test_login_creates_the_driver_once_and_returns_a_token(client, sms):
    phone = new_phone()
    client.post(CODE_URL, json={"phone": phone})
    login = client.post(LOGIN_URL, json={"phone": phone, "code": sms.last_code(phone)},
                        headers={"User-Agent": "MiniProgram/1.0"})
    assert login.status_code == 200, login.json
    body = login.json
    assert body["driver"]["phone"] == phone and body["driver"]["plate"] == "" and body["expires_at"]
    driver = db.session.execute(sa.select(Driver)).scalar_one()
    assert driver.enabled and driver.last_login_at is not None
    first_login = driver.last_login_at
    token_row = db.session.execute(sa.select(DriverToken)).scalar_one()
    assert token_row.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    assert token_row.user_agent == "MiniProgram/1.0"
    assert 29 <= (token_row.expires_at - utcnow()).days <= 30
    me = client.get("/api/v1/app/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json["id"] == driver.id

    backdate_codes(phone, 61)
    client.post(CODE_URL, json={"phone": phone})
    again = client.post(LOGIN_URL, json={"phone": phone, "code": sms.last_code(phone)})
    assert again.status_code == 200 and again.json["driver"]["id"] == driver.id and again.json["token"] != body["token"]
    assert db.session.execute(sa.select(sa.func.count(Driver.id))).scalar_one() == 1
    db.session.refresh(driver)
    assert driver.last_login_at > first_login


def test_wrong_codes_are_counted_and_void_the_code_after_five(client, sms):
    phone = new_phone()
    client.post(CODE_URL, json={"phone": phone})
    right = sms.last_code(phone)
    wrong = f"{(int(right) + 1) % 10 ** 6:06d}"
    for left in (4, 3, 2, 1):
        response = client.post(LOGIN_URL, json={"phone": phone, "code": wrong})
        assert response.status_code == 422
        assert field_errors(response)["code"] == [f"验证码错误，还可尝试 {left} 次 (wrong code; {left} attempts left)"]
    fifth = client.post(LOGIN_URL, json={"phone": phone, "code": wrong})
    assert "错误次数过多" in field_errors(fifth)["code"][0]
    late = client.post(LOGIN_URL, json={"phone": phone, "code": right})
    assert late.status_code == 422 and "错误次数过多" in field_errors(late)["code"][0]
    assert db.session.execute(sa.select(SmsCode.attempts)).scalar_one() == 5
    assert db.session.execute(sa.select(sa.func.count(Driver.id))).scalar_one() == 0


def test_a_code_works_once_within_its_lifetime(client, sms):
    phone = new_phone()
    none_yet = client.post(LOGIN_URL, json={"phone": phone, "code": "123456"})
    assert none_yet.status_code == 422 and "请先获取验证码" in field_errors(none_yet)["code"][0]
    malformed = client.post(LOGIN_URL, json={"phone": phone, "code": "12ab"})
    assert "6 位数字验证码" in field_errors(malformed)["code"][0]

    client.post(CODE_URL, json={"phone": phone})
    code = sms.last_code(phone)
    assert client.post(LOGIN_URL, json={"phone": phone, "code": code}).status_code == 200
    reused = client.post(LOGIN_URL, json={"phone": phone, "code": code})
    assert reused.status_code == 422 and "验证码已使用" in field_errors(reused)["code"][0]

    backdate_codes(phone, 301)  # past the interval and the lifetime of the first code
    client.post(CODE_URL, json={"phone": phone})
    fresh = sms.last_code(phone)
    backdate_codes(phone, 301)
    expired = client.post(LOGIN_URL, json={"phone": phone, "code": fresh})
    assert expired.status_code == 422 and "验证码已过期" in field_errors(expired)["code"][0]


def test_a_disabled_driver_cannot_sign_in_or_use_a_token(client, sms, sign_in):
    phone = new_phone()
    headers = sign_in(phone)
    driver = db.session.execute(sa.select(Driver).where(Driver.phone == phone)).scalar_one()
    driver.enabled = False
    db.session.commit()
    me = client.get("/api/v1/app/me", headers=headers)
    assert me.status_code == 401 and me.json["message"] == "请先登录 (sign in first)"
    backdate_codes(phone, 61)
    client.post(CODE_URL, json={"phone": phone})
    refused = client.post(LOGIN_URL, json={"phone": phone, "code": sms.last_code(phone)})
    assert refused.status_code == 403 and "账号已禁用" in refused.json["message"]


@pytest.mark.smoke
def test_logout_revokes_and_expired_tokens_stop_working(client, sign_in):
    headers = sign_in()
    assert client.get("/api/v1/app/me", headers=headers).status_code == 200
    assert client.post("/api/v1/app/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/app/me", headers=headers).status_code == 401
    assert db.session.execute(sa.select(DriverToken.revoked_at)).scalar_one() is not None

    other = sign_in()
    db.session.execute(sa.update(DriverToken).where(DriverToken.revoked_at.is_(None))
                       .values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    expired = client.get("/api/v1/app/me", headers=other)
    assert expired.status_code == 401 and expired.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/app/me").status_code == 401
    assert client.get("/api/v1/app/me", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert client.post("/api/v1/app/auth/logout").status_code == 401


def test_last_used_at_is_written_at_most_once_a_minute(client, sign_in):
    headers = sign_in()
    client.get("/api/v1/app/me", headers=headers)
    first = db.session.execute(sa.select(DriverToken.last_used_at)).scalar_one()
    assert first is not None
    client.get("/api/v1/app/me", headers=headers)
    assert db.session.execute(sa.select(DriverToken.last_used_at)).scalar_one() == first
    db.session.execute(sa.update(DriverToken).values(last_used_at=first - timedelta(minutes=2)))
    db.session.commit()
    client.get("/api/v1/app/me", headers=headers)
    assert db.session.execute(sa.select(DriverToken.last_used_at)).scalar_one() > first


@pytest.mark.smoke
def test_admin_and_driver_tokens_do_not_cross(client, sign_in, admin_token):
    driver_headers = sign_in()
    assert client.get("/api/v1/admin/users", headers=admin_token).status_code == 200
    for url in ("/api/v1/app/me", "/api/v1/app/me/balances", "/api/v1/app/guns/1"):
        refused = client.get(url, headers=admin_token)
        assert refused.status_code == 401 and refused.json["message"] == "请先登录 (sign in first)", url
    for url in ("/api/v1/admin/users", "/api/v1/auth/me", "/api/v1/admin/car-stations"):
        assert client.get(url, headers=driver_headers).status_code == 401, url


def test_profile_update_validates_plates(client, sign_in):
    headers = sign_in()
    ok = client.patch("/api/v1/app/me", headers=headers,
                      json={"nickname": " 小王 ", "name": "王五", "gender": "male", "plate": "京a 12345"})
    assert ok.status_code == 200, ok.json
    assert [ok.json[k] for k in ("nickname", "name", "gender", "plate")] == ["小王", "王五", "male", "京A12345"]
    for plate in ("粤BD12345", "沪AFA1234", "京A12345D", "粤B1234学"):
        response = client.patch("/api/v1/app/me", headers=headers, json={"plate": plate})
        assert response.status_code == 200 and response.json["plate"] == plate, (plate, response.json)
    for plate in ("ABC123", "京I12345", "京A1234", "京AD1234567", "京AX12345", "沪AF1A234"):
        response = client.patch("/api/v1/app/me", headers=headers, json={"plate": plate})
        assert response.status_code == 422 and "车牌号格式不正确" in field_errors(response)["plate"][0], plate
    too_long = client.patch("/api/v1/app/me", headers=headers, json={"nickname": "x" * 51})
    assert too_long.status_code == 422 and "nickname" in field_errors(too_long)
    cleared = client.patch("/api/v1/app/me", headers=headers, json={"plate": ""})
    assert cleared.status_code == 200 and cleared.json["plate"] == "" and cleared.json["nickname"] == "小王"
    phone_change = client.patch("/api/v1/app/me", headers=headers, json={"phone": "13900000000"})
    assert phone_change.status_code == 422
