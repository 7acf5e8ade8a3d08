"""Drivers sign in with a phone number and an SMS code, then carry a Bearer token.

- :func:`request_code` validates the number, applies the limits (one code per phone every
  ``SMS_CODE_INTERVAL`` seconds, ``SMS_CODES_PER_DAY`` per phone in 24 hours, ``SMS_CODES_PER_ADDRESS``
  per client address an hour), stores only an HMAC-SHA256 of the code (keyed with the app's
  ``SECRET_KEY``) and sends it through the ``send_sms`` hook (default: the log).
- :func:`verify_code` checks it (``SMS_CODE_ATTEMPTS`` wrong entries void a code, a code works once and
  for ``SMS_CODE_TTL`` seconds) and returns the driver, created on first sign-in.
- :func:`issue_driver_token` / :func:`driver_from_token` / :func:`revoke`: app sign-ins that last
  ``APP_TOKEN_DAYS``; only the token's SHA-256 is stored.

The per-phone limits count the ``sms_code`` rows (indexed on phone and time, exact across processes);
the per-address limit uses the sign-in throttle's ``limits`` storage (:mod:`chargehub.tenancy.throttle`:
Redis when configured, memory otherwise), under keys of its own.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_smorest import abort
from limits import RateLimitItemPerHour

from chargehub.config import settings
from chargehub.db import locking, utcnow
from chargehub.errors import ValidationFailed
from chargehub.extensions import db, plugin_host
from chargehub.members.models import Driver, DriverToken, SmsCode
from chargehub.tenancy import throttle

log = logging.getLogger("chargehub.members")
sms_log = logging.getLogger("chargehub.sms")

#: A mainland China mobile number.
PHONE = re.compile(r"^1[3-9]\d{9}$")
CODE = re.compile(r"^\d{6}$")
#: ``last_used_at`` of a token is written at most this often.
TOUCH_EVERY = timedelta(minutes=1)
SIGN_IN = "login"


@dataclass(frozen=True)
class CodeSent:
    """A code went out: how long it is valid and when the next one may be asked for (seconds)."""

    phone: str
    expires_in: int
    retry_after: int


def normalize_phone(value: object) -> str:
    """The 11-digit number in ``value`` (spaces, dashes and a ``+86`` prefix dropped); 422 on ``phone`` otherwise."""
    phone = re.sub(r"[\s-]", "", str(value or ""))
    if phone.startswith("+86"):
        phone = phone[3:]
    elif len(phone) == 13 and phone.startswith("86"):
        phone = phone[2:]
    if not PHONE.match(phone):
        raise ValidationFailed("请输入正确的 11 位手机号 (enter a valid mainland mobile number)", "phone")
    return phone


def code_digest(phone: str, code: str) -> str:
    """HMAC-SHA256 of ``code`` for ``phone`` keyed with the app's secret key (hex)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def send_sms(phone: str, message: str, purpose: str) -> bool:
    """Send ``message`` through the ``send_sms`` hook (platform plugins); log it when no plugin answers.

    Returns whether the message went out; a plugin's exception counts as a failure (logged).
    """
    try:
        result = plugin_host.hooks_for(None).send_sms(phone=phone, message=message, purpose=purpose)
    except Exception:  # noqa: BLE001 - a broken SMS plugin must not become a 500
        log.exception("send_sms plugin failed", extra={"phone_tail": phone[-4:], "purpose": purpose})
        return False
    if result is None:
        sms_log.info("SMS to %s (%s): %s", phone, purpose, message)
        return True
    return bool(result)


def _too_many(message: str, retry_after: int):
    abort(429, message=message, headers={"Retry-After": str(max(1, retry_after))})


def _check_phone_limits(phone: str, now, conf) -> None:
    """429 when ``phone`` got a code less than the interval ago, or its daily count is used up."""
    day_ago = now - timedelta(days=1)
    count, first, last = db.session.execute(
        sa.select(sa.func.count(SmsCode.id), sa.func.min(SmsCode.created_at), sa.func.max(SmsCode.created_at))
        .where(SmsCode.phone == phone, SmsCode.created_at > day_ago)).one()
    interval = int(conf["SMS_CODE_INTERVAL"])
    if last is not None and (now - last).total_seconds() < interval:
        wait = math.ceil(interval - (now - last).total_seconds())
        _too_many(f"验证码已发送，请 {wait} 秒后再试 (a code was just sent; try again in {wait} s)", wait)
    per_day = int(conf["SMS_CODES_PER_DAY"])
    if count >= per_day:
        wait = math.ceil((first + timedelta(days=1) - now).total_seconds())
        _too_many(f"该手机号今日获取验证码次数已达上限 {per_day} 次，请明天再试 "
                  f"(at most {per_day} codes a day for one phone)", wait)


def _count_address(address: str, conf) -> None:
    """Count one code for the client ``address``; 429 when its hourly allowance is used up."""
    limiter = current_app.extensions[throttle.EXTENSION_KEY]
    item = RateLimitItemPerHour(int(conf["SMS_CODES_PER_ADDRESS"]))
    if not limiter.hit(item, "sms-address", address):
        reset_at, _remaining = limiter.get_window_stats(item, "sms-address", address)
        wait = max(1, int(reset_at - time.time()))
        minutes = max(1, math.ceil(wait / 60))
        _too_many(f"请求过于频繁，请 {minutes} 分钟后再试 (too many codes from this address; try again in {minutes} min)",
                  wait)


def request_code(phone: object, client_ip: str, purpose: str = SIGN_IN) -> CodeSent:
    """Send a new 6-digit code to ``phone``; see the module docstring for the limits.

    :raises ValidationFailed: not a mainland mobile number (422 on ``phone``).
    Aborts 429 (with ``Retry-After``) when a limit is reached, 503 when the SMS could not be sent (the
    code is then voided).
    """
    phone = normalize_phone(phone)
    conf = settings()
    now = utcnow()
    _check_phone_limits(phone, now, conf)
    _count_address(client_ip or "unknown", conf)
    code = f"{secrets.randbelow(10 ** 6):06d}"
    ttl = int(conf["SMS_CODE_TTL"])
    row = SmsCode(phone=phone, purpose=purpose, code_hash=code_digest(phone, code), created_at=now,
                  expires_at=now + timedelta(seconds=ttl), attempts=0, client_ip=(client_ip or "")[:45])
    db.session.add(row)
    db.session.commit()
    minutes = max(1, ttl // 60)
    message = f"【ChargeHub】验证码 {code}，{minutes} 分钟内有效，请勿告诉他人。"
    if not send_sms(phone, message, purpose):
        db.session.delete(row)
        db.session.commit()
        abort(503, message="短信发送失败，请稍后再试 (the SMS could not be sent; try again later)")
    log.info("sign-in code sent", extra={"phone_tail": phone[-4:], "purpose": purpose})
    return CodeSent(phone, ttl, int(conf["SMS_CODE_INTERVAL"]))


def _refuse_code(message: str):
    raise ValidationFailed(message, "code")


def verify_code(phone: object, code: object, purpose: str = SIGN_IN) -> Driver:
    """The driver signing in with ``code``: created (enabled) on first sign-in; ``last_login_at`` updated.

    Only the newest code sent to the phone counts. A wrong entry is counted (committed) before the
    refusal; after ``SMS_CODE_ATTEMPTS`` wrong entries, once used or once expired the code is void.

    :raises ValidationFailed: bad phone (``phone``), or a wrong / expired / used / void code (``code``),
        each with its own message. Aborts 403 for a disabled driver.
    """
    phone = normalize_phone(phone)
    code = str(code or "").strip()
    if not CODE.match(code):
        _refuse_code("请输入 6 位数字验证码 (enter the 6-digit code)")
    row = db.session.execute(locking(db.session, sa.select(SmsCode).where(
        SmsCode.phone == phone, SmsCode.purpose == purpose).order_by(SmsCode.created_at.desc(), SmsCode.id.desc())
        .limit(1))).scalar_one_or_none()
    now = utcnow()
    attempts = int(settings()["SMS_CODE_ATTEMPTS"])
    if row is None:
        _refuse_code("请先获取验证码 (request a code first)")
    if row.consumed_at is not None:
        _refuse_code("验证码已使用，请重新获取 (this code was used already; request a new one)")
    if row.attempts >= attempts:
        _refuse_code("验证码错误次数过多，请重新获取 (too many wrong entries; request a new code)")
    if row.expires_at <= now:
        _refuse_code("验证码已过期，请重新获取 (the code has expired; request a new one)")
    if not hmac.compare_digest(row.code_hash, code_digest(phone, code)):
        row.attempts += 1
        left = attempts - row.attempts
        db.session.commit()
        log.info("wrong sign-in code", extra={"phone_tail": phone[-4:], "attempts_left": left})
        if left <= 0:
            _refuse_code("验证码错误次数过多，请重新获取 (too many wrong entries; request a new code)")
        _refuse_code(f"验证码错误，还可尝试 {left} 次 (wrong code; {left} attempts left)")
    row.consumed_at = now
    driver = db.session.execute(sa.select(Driver).where(Driver.phone == phone)).scalar_one_or_none()
    if driver is None:
        driver = Driver(phone=phone, enabled=True)
        db.session.add(driver)
    if not driver.enabled:
        db.session.commit()
        abort(403, message="账号已禁用，请联系客服 (this account is disabled)")
    driver.last_login_at = now
    db.session.commit()
    log.info("driver signed in", extra={"driver_id": driver.id})
    return driver


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_driver_token(driver: Driver, user_agent: str = "") -> str:
    """A new app sign-in for ``driver`` valid ``APP_TOKEN_DAYS``; the token is returned once (digest kept)."""
    token = secrets.token_urlsafe(32)
    days = int(settings()["APP_TOKEN_DAYS"])
    db.session.add(DriverToken(driver_id=driver.id, token_hash=_token_digest(token),
                               expires_at=utcnow() + timedelta(days=days), user_agent=(user_agent or "")[:200]))
    db.session.commit()
    return token


def driver_from_token(token: str | None) -> Driver | None:
    """The enabled driver signed in with ``token`` if it is neither expired nor revoked, else ``None``.

    Marks the token used (``last_used_at``, committed) at most once a minute.
    """
    if not token or len(token) > 200:
        return None
    now = utcnow()
    row = db.session.execute(sa.select(DriverToken).where(
        DriverToken.token_hash == _token_digest(token), DriverToken.revoked_at.is_(None),
        DriverToken.expires_at > now)).scalar_one_or_none()
    if row is None:
        return None
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        row.last_used_at = now
        db.session.commit()
    driver = db.session.get(Driver, row.driver_id)
    if driver is None or not driver.enabled:
        return None
    return driver


def revoke(token: str | None) -> bool:
    """Sign out: revoke ``token`` (committed). Returns whether a live token was revoked."""
    if not token:
        return False
    result = db.session.execute(sa.update(DriverToken).where(
        DriverToken.token_hash == _token_digest(token), DriverToken.revoked_at.is_(None)).values(revoked_at=utcnow()))
    db.session.commit()
    return result.rowcount > 0
