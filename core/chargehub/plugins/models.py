"""Plugin state in the database: per-tenant and platform enablement with settings, listener failures."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from chargehub.db import JSONType, UTCDateTime, utcnow
from chargehub.extensions import db


class TenantPlugin(db.Model):
    """A plugin switched on or off, and configured, for one service provider (服务商).

    ``settings`` holds the non-secret fields as validated by the plugin's schema; ``secrets`` the
    Fernet-encrypted JSON of the secret (``load_only``) fields. Neither is ever returned as stored.
    """

    __tablename__ = "tenant_plugin"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "plugin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("service_provider.id", ondelete="CASCADE"), index=True)
    plugin: Mapped[str] = mapped_column(sa.String(50))
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    settings: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    secrets: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)
    updated_by: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)


class PlatformPlugin(db.Model):
    """The platform operator's switch and settings for a PLATFORM-level plugin (no row: on, no settings)."""

    __tablename__ = "platform_plugin"

    plugin: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    settings: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    secrets: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)
    updated_by: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)


class PluginListenerFailure(db.Model):
    """One failed attempt of a listener hook call in a plugin (shown to operators for review)."""

    __tablename__ = "plugin_listener_failure"
    __scope__ = {"provider": "tenant_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(sa.Integer, index=True, nullable=True)
    plugin: Mapped[str] = mapped_column(sa.String(50), index=True)
    hook: Mapped[str] = mapped_column(sa.String(80))
    job_id: Mapped[str | None] = mapped_column(sa.String(80), nullable=True)
    attempt: Mapped[int] = mapped_column(sa.Integer)
    final: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    error: Mapped[str] = mapped_column(sa.Text)
    traceback: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
