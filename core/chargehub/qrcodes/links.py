"""Charging URLs: what a driver's phone opens after scanning a gun's or a socket's QR code.

URLs are stable for the life of the gun or socket: they carry its ``qr_token`` (never its id, which
changes on re-import and can be guessed) and the public base URL, so printed stickers keep working.

The export writer process imports this module without the app, so Flask is imported only by
:func:`base_url`, the one function here that needs it.
"""
from __future__ import annotations

#: Asset kind -> path letter in the charging URL.
KINDS = {"gun": "g", "socket": "s"}
#: Path of the QR prefix pushed to piles that print their own code after it (YKC 0xF0): the pile
#: appends its 14-digit code and the 2-digit gun number; ``/h5/charge/p/<code><gun>`` leads to the gun.
PILE_PREFIX_PATH = "/h5/charge/p/"


def base_url() -> str:
    """The public base URL without a trailing slash: ``CHARGEHUB_PUBLIC_URL`` when set, else the host the
    current request came to. Outside a request (jobs) ``PUBLIC_URL`` must be set or a base passed along.

    :raises RuntimeError: outside a request with no ``PUBLIC_URL`` configured.
    """
    from flask import current_app, has_request_context, request  # noqa: PLC0415 - see the module docstring

    configured = current_app.config["CHARGEHUB"].get("PUBLIC_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    raise RuntimeError("未配置 CHARGEHUB_PUBLIC_URL，无法在请求之外生成充电链接 (set CHARGEHUB_PUBLIC_URL)")


def charge_url(kind: str, token: str, base: str | None = None) -> str:
    """The charging URL of a ``gun`` or ``socket`` with QR token ``token``.

    ``base`` overrides :func:`base_url` (a job passes the base captured when the export was asked for).
    """
    try:
        letter = KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown QR kind {kind!r}; expected one of {', '.join(KINDS)}") from None
    return f"{(base or base_url()).rstrip('/')}/h5/charge/{letter}/{token}"


def pile_qr_prefix(base: str | None = None) -> str:
    """The QR prefix for piles that append their own code and gun number (``…/h5/charge/p/``)."""
    return f"{(base or base_url()).rstrip('/')}{PILE_PREFIX_PATH}"
