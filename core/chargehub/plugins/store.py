"""Reading and writing plugin enablement and settings (tables ``tenant_plugin``, ``platform_plugin``).

Enablement rules:

- a PLATFORM plugin is on unless the platform operator switched it off (a ``platform_plugin`` row with
  ``enabled = false``);
- a TENANT plugin is on for a service provider only when that provider switched it on (a
  ``tenant_plugin`` row with ``enabled = true``) *and* the platform operator has not switched it off
  for everyone;
- an unavailable plugin (compatibility errors) is never on.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import sqlalchemy as sa

from chargehub.config import settings as app_settings
from chargehub.db import current_actor
from chargehub.errors import SettingsValidationError
from chargehub.extensions import db
from chargehub.plugins import settings as plugin_settings
from chargehub.plugins.meta import PluginLevel, PluginMeta
from chargehub.plugins.models import PlatformPlugin, TenantPlugin


def secret_box() -> plugin_settings.SecretBox:
    """The :class:`SecretBox` of the current app."""
    return plugin_settings.SecretBox(app_settings()["SECRETS_KEYS"])


def platform_switched_off() -> set[str]:
    """Plugins the platform operator switched off for everyone."""
    rows = db.session.execute(sa.select(PlatformPlugin.plugin).where(PlatformPlugin.enabled.is_(False)))
    return {r[0] for r in rows}


def tenant_switched_on(tenant_id: int) -> set[str]:
    """TENANT-level plugins the service provider switched on."""
    rows = db.session.execute(
        sa.select(TenantPlugin.plugin).where(TenantPlugin.tenant_id == tenant_id, TenantPlugin.enabled.is_(True)))
    return {r[0] for r in rows}


def enabled_names(metas: Iterable[PluginMeta], tenant_id: int | None) -> set[str]:
    """Names among ``metas`` (available plugins) that are on for ``tenant_id`` (``None``: platform only)."""
    off = platform_switched_off()
    tenant_on = tenant_switched_on(tenant_id) if tenant_id is not None else set()
    names = set()
    for meta in metas:
        if meta.name in off:
            continue
        if meta.level is PluginLevel.PLATFORM or meta.name in tenant_on:
            names.add(meta.name)
    return names


def _row(meta: PluginMeta, tenant_id: int | None, create: bool = False):
    if tenant_id is None:
        row = db.session.get(PlatformPlugin, meta.name)
        if row is None and create:
            row = PlatformPlugin(plugin=meta.name, enabled=True, settings={})
            db.session.add(row)
        return row
    row = db.session.execute(
        sa.select(TenantPlugin).where(TenantPlugin.tenant_id == tenant_id, TenantPlugin.plugin == meta.name)
    ).scalar_one_or_none()
    if row is None and create:
        row = TenantPlugin(tenant_id=tenant_id, plugin=meta.name, enabled=False, settings={})
        db.session.add(row)
    return row


def save(meta: PluginMeta, tenant_id: int | None, *, enabled: bool | None = None,
         settings: Mapping[str, Any] | None = None) -> None:
    """Switch a plugin on/off and/or store new settings for a tenant (``None``: the platform).

    Validates first; on :class:`SettingsValidationError` nothing is written. Commits on success.
    Switching a plugin on whose schema has required fields and that has no valid settings yet is
    refused with those fields' messages.
    """
    if tenant_id is not None and meta.level is PluginLevel.PLATFORM and enabled is not None:
        raise SettingsValidationError({"enabled": ["平台级插件由平台运营方统一启用或停用 (platform-level plugin)"]})
    box = secret_box()
    row = _row(meta, tenant_id)
    stored_public = dict(row.settings) if row is not None else {}
    stored_secrets = box.decrypt(row.secrets) if row is not None else {}
    if settings is not None:
        public, secrets = plugin_settings.validate(meta, settings, stored_secrets)
    else:
        public, secrets = stored_public, stored_secrets
        if enabled:
            plugin_settings.load(meta, public, secrets)  # refuse switching on with invalid/missing settings
    row = row or _row(meta, tenant_id, create=True)
    if enabled is not None:
        row.enabled = enabled
    row.settings = public
    row.secrets = box.encrypt(secrets)
    row.updated_by = current_actor()
    db.session.commit()


def load_settings(meta: PluginMeta, tenant_id: int | None) -> dict[str, Any]:
    """The validated settings (secrets decrypted) a provider of ``meta`` receives for ``tenant_id``.

    Tenant plugins read the tenant's row; platform plugins read the platform row.

    :raises SettingsValidationError: when the stored settings no longer pass the schema.
    """
    scope = None if meta.level is PluginLevel.PLATFORM else tenant_id
    row = _row(meta, scope)
    if row is None:
        return plugin_settings.load(meta, {}, {})
    return plugin_settings.load(meta, row.settings, secret_box().decrypt(row.secrets))


def describe(meta: PluginMeta, tenant_id: int | None) -> dict[str, Any]:
    """Stored state of a plugin for a tenant (or the platform), safe to return: no secret values."""
    row = _row(meta, tenant_id)
    box = secret_box()
    public = dict(row.settings) if row is not None else {}
    secrets = box.decrypt(row.secrets) if row is not None else {}
    configured_ok = True
    problems: dict[str, Any] = {}
    try:
        plugin_settings.load(meta, public, secrets)
    except SettingsValidationError as exc:
        configured_ok, problems = False, exc.messages
    if tenant_id is None:
        enabled = row.enabled if row is not None else True
    elif meta.level is PluginLevel.PLATFORM:
        enabled = meta.name not in platform_switched_off()
    else:
        enabled = bool(row and row.enabled) and meta.name not in platform_switched_off()
    return {
        "enabled": enabled,
        "configured": configured_ok,
        "problems": problems,
        "updated_at": row.updated_at.isoformat() if row is not None else None,
        **plugin_settings.describe(meta, public, secrets),
    }
