"""Who is calling the driver API: the driver of the request's Bearer token.

Use :func:`driver_required` on every driver view (after flask-smorest's decorators, like ``require`` on
admin views) and :func:`current_driver` inside it::

    @blp.doc(security=APP_SECURITY)
    @blp.response(200, DriverSchema)
    @driver_required
    def get(self):
        return current_driver()

Only driver tokens (table ``driver_token``) are accepted here; the admin's Flask-Login request loader
reads operator API tokens (``api_token``) and is never consulted, so an operator's token gets 401 on
``/api/v1/app`` and a driver's token gets 401 on ``/api/v1/admin``. The driver is kept on the request
itself (its WSGI environ), never on ``g``, so it cannot outlive the request when an app context spans
several requests.
"""
from __future__ import annotations

import functools

from flask import request
from flask_smorest import abort

from chargehub.members.auth import driver_from_token
from chargehub.members.models import Driver

#: OpenAPI security requirement of driver views (scheme ``app``: registered in :mod:`chargehub.api`).
APP_SECURITY = [{"app": []}]
SIGN_IN_FIRST = "请先登录 (sign in first)"
_ENVIRON_KEY = "chargehub.driver"


def bearer_token() -> str | None:
    """The token of the request's ``Authorization: Bearer …`` header, or ``None``."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


def current_driver() -> Driver:
    """The signed-in driver of this request; aborts 401 when the token is missing, unknown, expired,
    revoked, or its driver is disabled."""
    driver = request.environ.get(_ENVIRON_KEY)
    if driver is None:
        driver = driver_from_token(bearer_token())
        if driver is None:
            abort(401, message=SIGN_IN_FIRST, headers={"WWW-Authenticate": 'Bearer realm="app"'})
        request.environ[_ENVIRON_KEY] = driver
    return driver


def driver_required(view):
    """Decorator: answer 401 ``{"message": "请先登录 (sign in first)"}`` unless a driver is signed in."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        current_driver()
        return view(*args, **kwargs)

    return wrapper
