"""Idempotent driver requests: a retried start or stop with the same ``Idempotency-Key`` is answered from
the stored answer, never run twice.

The key is claimed first, in its own transaction (``app_request``, unique on driver, action and key), so
two copies of a request racing each other cannot both run: the second gets 409 while the first runs,
and the stored answer afterwards. The same key with a different body is refused (422). Answers with a
4xx status are stored too (a retry of a refused start is refused the same way); an unexpected error
releases the key so the driver may retry.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Callable

import sqlalchemy as sa
from flask import jsonify, request
from flask_smorest import abort
from sqlalchemy.exc import IntegrityError

from chargehub.charging.models import AppRequest
from chargehub.errors import Conflict, ValidationFailed
from chargehub.extensions import db

HEADER = "Idempotency-Key"
KEY = re.compile(r"^[A-Za-z0-9_.:\-]{8,64}$")


def _fingerprint(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def request_key(required: bool) -> str | None:
    """The request's ``Idempotency-Key`` (8–64 of ``A-Z a-z 0-9 _ . : -``); 422 when missing but required."""
    key = request.headers.get(HEADER)
    if key is None:
        if required:
            raise ValidationFailed(f"缺少请求头 {HEADER} (an {HEADER} header is required)", HEADER)
        return None
    if not KEY.match(key):
        raise ValidationFailed(f"{HEADER} 须为 8–64 位字母、数字或 _.:- (invalid {HEADER})", HEADER)
    return key


def _claim(driver_id: int, action: str, key: str, fingerprint: str) -> AppRequest | None:
    """Claim the key (committed); ``None`` when it was claimed before."""
    db.session.add(AppRequest(driver_id=driver_id, action=action[:60], key=key, fingerprint=fingerprint))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return db.session.execute(sa.select(AppRequest).where(
        AppRequest.driver_id == driver_id, AppRequest.action == action[:60], AppRequest.key == key)).scalar_one()


def run_once(driver_id: int, action: str, body: Any, produce: Callable[[], tuple[dict, int]], *,
             required: bool = True):
    """Run ``produce() -> (payload, status)`` at most once per key and answer it as JSON (see the module
    docstring); without a key (allowed when not ``required``) it simply runs."""
    key = request_key(required)
    if key is None:
        payload, status = produce()
        return jsonify(payload), status
    fingerprint = _fingerprint(body)
    claim = _claim(driver_id, action, key, fingerprint)
    if claim is None:
        stored = db.session.execute(sa.select(AppRequest).where(
            AppRequest.driver_id == driver_id, AppRequest.action == action[:60], AppRequest.key == key)).scalar_one()
        if stored.fingerprint != fingerprint:
            raise ValidationFailed(f"该 {HEADER} 已用于另一个请求 (the key was used for a different request)", HEADER)
        if stored.status_code is None:
            abort(409, message="相同请求正在处理中，请稍后重试 (the same request is still running)")
        response = jsonify(stored.response)
        response.headers["Idempotent-Replayed"] = "true"
        return response, stored.status_code
    claim_id = claim.id
    try:
        payload, status = produce()
    except (Conflict, ValidationFailed) as exc:
        db.session.rollback()
        status = 409 if isinstance(exc, Conflict) else 422
        payload = ({"code": 409, "status": "Conflict", "message": str(exc)} if status == 409 else
                   {"code": 422, "status": "Unprocessable Entity", "message": "输入有误 (invalid input)",
                    "errors": {"json": exc.messages}})
        _store(claim_id, payload, status)
        raise
    except BaseException:
        db.session.rollback()
        db.session.execute(sa.delete(AppRequest).where(AppRequest.id == claim_id))
        db.session.commit()
        raise
    _store(claim_id, payload, status)
    return jsonify(payload), status


def _store(claim_id: int, payload: dict, status: int) -> None:
    db.session.execute(sa.update(AppRequest).where(AppRequest.id == claim_id).values(
        response=json.loads(json.dumps(payload, default=str)), status_code=status))
    db.session.commit()
