"""The audit log (操作日志) of sign-ins and sensitive changes."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context, request
from sqlalchemy.orm import Mapped, mapped_column

from chargehub.db import JSONType, UTCDateTime, utcnow
from chargehub.extensions import db


class AuditLog(db.Model):
    """One sign-in attempt or sensitive change: who, what, on which row, from where, and whether it worked.

    Never holds a password or a secret: ``detail`` carries field names and non-secret values only.
    """

    __tablename__ = "audit_log"
    __scope__ = {"provider": "provider_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.Integer, index=True, nullable=True)
    actor_phone: Mapped[str] = mapped_column(sa.String(20), default="")
    provider_id: Mapped[int | None] = mapped_column(sa.Integer, index=True, nullable=True)
    action: Mapped[str] = mapped_column(sa.String(50), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(50), default="")
    target_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    success: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    ip: Mapped[str] = mapped_column(sa.String(64), default="")
    detail: Mapped[dict] = mapped_column(JSONType, default=dict)


def record(action: str, *, target=None, success: bool = True, actor=None, provider_id: int | None = None,
           **detail: Any) -> AuditLog:
    """Add an audit entry to the session (committed with the change it describes).

    :param action: e.g. ``"sign_in"``, ``"user.create"``, ``"role.delete"``, ``"password.change"``.
    :param target: the row acted on (its table name and id are kept).
    :param actor: the acting user (default: the signed-in user of the request).
    """
    if actor is None and has_request_context():
        actor = g.get("current_user")
    if provider_id is None:  # the tenant the entry belongs to: the target's, else the actor's
        provider_id = getattr(target, "provider_id", None) or getattr(actor, "provider_id", None)
    entry = AuditLog(
        at=utcnow(), action=action, success=success, detail=detail,
        actor_id=getattr(actor, "id", None), actor_phone=getattr(actor, "phone", "") or "",
        provider_id=provider_id,
        target_type=getattr(target, "__tablename__", "") if target is not None else "",
        target_id=getattr(target, "id", None) if target is not None else None,
        ip=(request.remote_addr or "") if has_request_context() else "",
    )
    db.session.add(entry)
    return entry
