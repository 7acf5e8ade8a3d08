"""Who is calling: API tokens (``Authorization: Bearer …``) and the current user.

Cookie sessions with CSRF protection and sign-in throttling belong to the system-management module;
until then the API is reachable with tokens only, which carry no CSRF risk.
"""
from __future__ import annotations

import functools
import hashlib
import secrets

import sqlalchemy as sa
from flask import g, request
from flask_smorest import abort

from chargehub.db import reset_actor, set_actor, utcnow
from chargehub.extensions import db
from chargehub.tenancy.models import ApiToken, User, UserType
from chargehub.tenancy.passwords import verify_password

TOKEN_PREFIX = "chp_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str) -> str:
    """Create an API token for ``user``; return it (shown once, only its digest is kept)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, name=name, digest=_digest(token)))
    db.session.commit()
    return token


def authenticate(phone: str, password: str) -> User | None:
    """The enabled user with that phone and password, else ``None`` (same answer for every failure)."""
    user = db.session.execute(sa.select(User).where(User.phone == phone)).scalar_one_or_none()
    if user is None or not user.enabled or not verify_password(user.password_hash, password):
        return None
    return user


def user_from_request() -> User | None:
    """The user behind the request's bearer token, or ``None``."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    token = header[len("Bearer "):].strip()
    row = db.session.execute(
        sa.select(ApiToken).where(ApiToken.digest == _digest(token), ApiToken.revoked.is_(False))
    ).scalar_one_or_none()
    if row is None:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.enabled:
        return None
    g.api_token_id = row.id
    return user


def current_user() -> User:
    """The signed-in user of this request (``login_required`` ran first)."""
    return g.current_user


def login_required(view):
    """Answer 401 unless the request carries a valid token; sets ``g.current_user`` and the audit actor."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        user = user_from_request()
        if user is None:
            abort(401, message="请先登录 (sign in first: send Authorization: Bearer <token>)")
        g.current_user = user
        token = set_actor(user.id)
        try:
            return view(*args, **kwargs)
        finally:
            reset_actor(token)

    return wrapper


def system_required(view):
    """Like :func:`login_required`, and answer 403 unless the user is a system (platform) user."""

    @login_required
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if g.current_user.user_type is not UserType.SYSTEM:
            abort(403, message="仅平台管理员可执行此操作 (platform administrators only)")
        return view(*args, **kwargs)

    return wrapper


def touch_token() -> None:
    """Record the use time of the request's token."""
    token_id = g.get("api_token_id")
    if token_id:
        db.session.execute(sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))
