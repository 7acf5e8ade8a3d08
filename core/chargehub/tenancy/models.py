"""Tenant root and users.

This issue ships the minimum the plugin host and the first administrator need; the system-management
module (properties, departments, posts, roles) extends these models.
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from chargehub.db import AuditMixin, UTCDateTime
from chargehub.extensions import db


class AuditState(str, enum.Enum):
    """审核状态."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ServiceProvider(AuditMixin, db.Model):
    """服务商: the tenant. Plugins are switched on per service provider; every tenant-owned row carries it."""

    __tablename__ = "service_provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    contact: Mapped[str] = mapped_column(sa.String(50), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), unique=True)
    email: Mapped[str] = mapped_column(sa.String(120), default="")
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    audit_state: Mapped[AuditState] = mapped_column(
        sa.Enum(AuditState, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=AuditState.PENDING, nullable=False)


class UserType(str, enum.Enum):
    """用户类型."""

    SYSTEM = "system"
    PROVIDER = "provider"
    PROPERTY = "property"
    COLLECTIVE = "collective"


class User(AuditMixin, db.Model):
    """用户: signs in with phone + password. System users see every tenant; others their provider's rows."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    user_type: Mapped[UserType] = mapped_column(
        sa.Enum(UserType, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]))
    provider_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("service_provider.id", ondelete="RESTRICT"), index=True, nullable=True)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @property
    def is_system(self) -> bool:
        return self.user_type is UserType.SYSTEM


class ApiToken(AuditMixin, db.Model):
    """An API token for programmatic access; only its SHA-256 digest is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
