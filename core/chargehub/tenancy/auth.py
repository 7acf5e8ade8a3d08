"""Who is calling, and may they: sessions, API tokens, CSRF, permission checks.

Two ways in, one user object:

- **cookie sessions** (the admin in a browser), through Flask-Login. The session stores
  ``"<user id>:<session_version>"``; changing the password or disabling the user bumps the version
  and ends every other session. Every state-changing request that carries the session cookie must
  carry the CSRF token (``X-CSRFToken`` header or ``csrf_token`` form field, Flask-WTF); so must the
  sign-in itself (login CSRF).
- **API tokens** (``Authorization: Bearer chp_…``) for programmatic access; they carry no ambient
  authority, so they need no CSRF token. Only the SHA-256 digest of a token is stored.

Views use :func:`require` (``@require("system.user:add")``) or :func:`login_required`.
"""
from __future__ import annotations

import functools
import hashlib
from contextlib import contextmanager
import logging
import secrets

import sqlalchemy as sa
from flask import Flask, g, request
from flask_login import LoginManager, current_user as _login_user, login_user
from flask_smorest import abort
from flask_wtf.csrf import CSRFError, CSRFProtect

from chargehub.db import reset_actor, set_actor, utcnow
from chargehub.extensions import db
from chargehub.tenancy import throttle
from chargehub.tenancy.audit_log import record
from chargehub.tenancy.models import ApiToken, User, UserType
from chargehub.tenancy.passwords import verify_password
from chargehub.tenancy.permissions import permissions_of

log = logging.getLogger("chargehub.auth")

TOKEN_PREFIX = "chp_"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Endpoints that check CSRF even without a session cookie (signing in with a cookie session).
CSRF_ALWAYS = frozenset({"auth.Session", "webui.login"})

#: ``g`` keys that hold one request's user, scope, permissions and CSRF token
#: (``_login_user`` is Flask-Login's, ``csrf_token`` Flask-WTF's).
REQUEST_STATE = ("_login_user", "current_user", "_scope", "_permissions", "api_token_id", "csrf_token")

login_manager = LoginManager()
csrf = CSRFProtect()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str) -> str:
    """Create an API token for ``user``; return it (shown once, only its digest is kept)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, name=name, digest=_digest(token)))
    db.session.commit()
    return token


def _user_from_token() -> User | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    row = db.session.execute(
        sa.select(ApiToken).where(ApiToken.digest == _digest(header[len("Bearer "):].strip()),
                                  ApiToken.revoked.is_(False))
    ).scalar_one_or_none()
    if row is None:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.enabled:
        return None
    g.api_token_id = row.id
    return user


def _user_from_session(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.enabled or user.session_version != int(version):
        return None
    return user


def init_app(app: Flask) -> None:
    """Install sessions, tokens, CSRF and the audit actor on ``app``."""
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_NAME", "chargehub_session")
    login_manager.init_app(app)
    login_manager.user_loader(_user_from_session)
    login_manager.request_loader(lambda req: _user_from_token())
    csrf.init_app(app)
    throttle.init_app(app)

    @app.url_value_preprocessor  # registered before the scope check, so it runs first
    def _fresh_request_state(endpoint, values) -> None:
        # Per-request caches live on ``g``. When a caller keeps an app context open across requests
        # (scripts, tests), ``g`` outlives a request: start every request without the last one's user.
        for key in REQUEST_STATE:
            g.pop(key, None)

    @login_manager.unauthorized_handler
    def _unauthorized():
        abort(401, message="请先登录 (sign in first)")

    @app.before_request
    def _check_csrf() -> None:
        if request.method not in STATE_CHANGING or request.headers.get("Authorization"):
            return
        if request.path.startswith(("/api/v1/app/", "/api/v1/payments/notify/")):
            return  # bearer tokens (drivers) or vendors' signatures (notifications): an admin cookie is irrelevant
        if app.config["SESSION_COOKIE_NAME"] in request.cookies or request.endpoint in CSRF_ALWAYS:
            csrf.protect()

    @app.errorhandler(CSRFError)
    def _csrf_failed(exc: CSRFError):
        from flask import jsonify  # noqa: PLC0415

        return jsonify({"code": 400, "status": "Bad Request",
                        "message": f"CSRF 令牌缺失或无效，请刷新页面后重试 (CSRF check failed: {exc.description})"}), 400

    @app.teardown_request
    def _reset_actor(exc) -> None:
        token = g.pop("_actor_token", None)
        if token is not None:
            reset_actor(token)


def authenticate_request() -> User:
    """The signed-in user of this request; abort 401 when there is none. Sets the audit actor once."""
    user = g.get("current_user")
    if user is not None:
        return user
    if not _login_user.is_authenticated:
        abort(401, message="请先登录 (sign in first)")
    user = _login_user._get_current_object()
    g.current_user = user
    g._actor_token = set_actor(user.id)
    return user


def current_user() -> User:
    """The signed-in user (after :func:`authenticate_request`)."""
    return authenticate_request()


def current_permissions() -> frozenset[str]:
    """Permission codes the signed-in user holds now (computed once per request)."""
    perms = g.get("_permissions")
    if perms is None:
        perms = g._permissions = permissions_of(authenticate_request())
    return perms


def has_permission(code: str) -> bool:
    """Whether the signed-in user holds ``code``."""
    return code in current_permissions()


def require(permission: str | None = None):
    """Decorator: answer 401 without a signed-in user, 403 without ``permission``."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            authenticate_request()
            if permission is not None and not has_permission(permission):
                abort(403, message=f"无权限执行此操作 (missing permission {permission})")
            return view(*args, **kwargs)

        return wrapper

    return decorator


login_required = require()


@contextmanager
def acting_as(user: User):
    """Run service code outside a request as ``user`` (command-line tasks, demo data).

    Services read the caller from here exactly as in a request: the scope, the permissions and the
    audit author are ``user``'s. Needs an app context.
    """
    saved = {key: g.pop(key) for key in ("current_user", "_scope", "_permissions") if key in g}
    g.current_user = user
    token = set_actor(user.id)
    try:
        yield user
    finally:
        reset_actor(token)
        for key in ("current_user", "_scope", "_permissions"):
            g.pop(key, None)
        for key, value in saved.items():
            setattr(g, key, value)


def system_required(view):
    """Answer 403 unless the signed-in user is a platform (system) user."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if authenticate_request().user_type is not UserType.SYSTEM:
            abort(403, message="仅平台管理员可执行此操作 (platform administrators only)")
        return view(*args, **kwargs)

    return wrapper


def sign_in(phone: str, password: str, *, session: bool, remember: bool = False) -> User:
    """Check credentials with throttling; sign the user in to a cookie session when ``session``.

    :raises: aborts 429 (throttled) or 401 (wrong phone or password, disabled user) with a message.
    Every attempt is written to the audit log.
    """
    address = request.remote_addr or "unknown"
    blocked = throttle.check(phone, address)
    if blocked is not None:
        log.warning("sign-in throttled", extra={"phone_tail": phone[-4:], "address": address})
        record("sign_in", success=False, actor=None, phone=phone, reason="throttled")
        db.session.commit()
        abort(429, message=blocked.message, headers={"Retry-After": str(blocked.retry_after_seconds)})
    user = db.session.execute(sa.select(User).where(User.phone == phone)).scalar_one_or_none()
    if user is None or not verify_password(user.password_hash, password):
        throttle.failed(phone, address)
        log.info("sign-in refused", extra={"phone_tail": phone[-4:], "address": address})
        record("sign_in", success=False, actor=None, phone=phone, reason="wrong phone or password")
        db.session.commit()
        abort(401, message="手机号或密码错误 (wrong phone or password)")
    if not user.enabled:
        record("sign_in", success=False, actor=user, reason="user disabled")
        db.session.commit()
        abort(401, message="账号已被禁用，请联系管理员 (this account is disabled)")
    user.last_login_at = utcnow()
    if session:
        login_user(user, remember=remember)
    log.info("signed in", extra={"user_id": user.id, "method": "session" if session else "token"})
    record("sign_in", actor=user, method="session" if session else "token")
    db.session.commit()
    return user
