"""Structured logging: one JSON object per line (or plain text), every record tagged with a request id.

The request id comes from the ``X-Request-ID`` header when a proxy set one (validated), else a new
one; it is echoed in the response header and attached to every log record made while the request
runs (and to jobs enqueued from it, through the job's description). Secrets are never logged: code
logs identifiers and states, never payloads of settings, callbacks or passwords.
"""
from __future__ import annotations

import contextvars
import logging
import re
import sys
import uuid

from flask import Flask, g, request
from pythonjsonlogger.json import JsonFormatter

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("chargehub_request_id", default=None)
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _install_record_factory() -> None:
    """Give every log record a ``request_id`` attribute (``None`` outside a request). Idempotent."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_chargehub", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.request_id = _request_id.get()
        return record

    factory._chargehub = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Send ChargeHub's (and the servers') logs to stderr in the chosen format. Idempotent."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "_chargehub", False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler._chargehub = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    _install_record_factory()
    if fmt == "json":
        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root.setLevel(level.upper())
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def init_app(app: Flask) -> None:
    """Install the request-id handling on ``app``."""

    @app.before_request
    def _assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        g.request_id = rid
        g._request_id_token = _request_id.set(rid)

    @app.after_request
    def _echo_request_id(response):
        rid = g.get("request_id")
        if rid:
            response.headers["X-Request-ID"] = rid
        return response

    @app.teardown_request
    def _clear_request_id(exc) -> None:
        token = g.pop("_request_id_token", None)
        if token is not None:
            _request_id.reset(token)
