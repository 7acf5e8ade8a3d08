"""Which payment provider takes a station's money, and with which settings.

A station's 支付配置 (:mod:`chargehub.assets.services.stations_config`) switches payment plugins on for
it, each with its station settings. The provider that serves a payment is built from the plugin's class
with the tenant settings overlaid by the station settings (secrets decrypted), validated by both schemas:
a plugin switched off for the tenant, or settings that no longer validate, give no provider.

Built providers are kept per process, keyed by both settings rows and their ``updated_at``: a change of
either builds a new one, and a notification does not pay for decrypting, validating and parsing keys
each time (providers are read-only after construction, so threads share them).
"""
from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
from flask import current_app

from chargehub.assets.models import StationPlugin
from chargehub.assets.services.stations_config import PAYMENT_CATEGORY, station_meta
from chargehub.contracts.payments import PaymentProvider
from chargehub.errors import PluginNotFound, SettingsValidationError
from chargehub.extensions import db, plugin_host
from chargehub.plugins import settings as plugin_settings
from chargehub.plugins.models import TenantPlugin
from chargehub.plugins.store import platform_switched_off, secret_box
from chargehub.tenancy.models import StationKind

#: The station model of each side.
STATION_MODELS: dict[str, Any] = {}
#: Built providers by (app, station row, its version, tenant row, its version); cleared when it grows.
_BUILT: dict[tuple, PaymentProvider] = {}
_BUILT_LIMIT = 512
_BUILT_LOCK = threading.Lock()


def station_model(kind: str):
    """The station model of ``kind`` (``car`` / ``bike``)."""
    if not STATION_MODELS:
        from chargehub.assets.bike_models import BikeStation  # noqa: PLC0415
        from chargehub.assets.car_models import CarStation  # noqa: PLC0415

        STATION_MODELS.update(car=CarStation, bike=BikeStation)
    return STATION_MODELS[kind]


def _enabled_rows(kind: str, station_id: int) -> list[StationPlugin]:
    return list(db.session.execute(sa.select(StationPlugin).where(
        StationPlugin.station_kind == StationKind(kind), StationPlugin.station_id == station_id,
        StationPlugin.enabled.is_(True)).order_by(StationPlugin.plugin)).scalars())


def station_plugins(kind: str, station) -> list[str]:
    """Payment plugins switched on for ``station`` that can serve now (on for the tenant, settings valid)."""
    return [row.plugin for row in _enabled_rows(kind, station.id) if _build(row, station.provider_id) is not None]


def provider_for(kind: str, station, plugin: str | None = None) -> PaymentProvider | None:
    """The provider for ``station`` (``plugin``, or the first usable one by name); ``None`` when none."""
    for row in _enabled_rows(kind, station.id):
        if plugin is not None and row.plugin != plugin:
            continue
        provider = _build(row, station.provider_id)
        if provider is not None:
            return provider
    return None


def provider_of_record(record) -> PaymentProvider | None:
    """The provider that serves a payment / refund / split record (its station, its plugin)."""
    kind = "car" if record.car_station_id is not None else "bike"
    station = db.session.get(station_model(kind), record.car_station_id or record.bike_station_id)
    return provider_for(kind, station, record.plugin) if station is not None else None


def _build(row: StationPlugin, tenant_id: int) -> PaymentProvider | None:
    try:
        info = plugin_host.info(row.plugin)
    except PluginNotFound:  # uninstalled since: it serves nothing
        return None
    if not info.available or info.meta.category != PAYMENT_CATEGORY or info.meta.station_settings_schema is None:
        return None
    tenant_row = db.session.execute(sa.select(TenantPlugin.id, TenantPlugin.enabled, TenantPlugin.updated_at).where(
        TenantPlugin.tenant_id == tenant_id, TenantPlugin.plugin == row.plugin)).one_or_none()
    if tenant_row is None or not tenant_row.enabled or row.plugin in platform_switched_off():
        return None
    key = (id(current_app._get_current_object()), row.id, row.updated_at, tenant_row.id, tenant_row.updated_at)
    provider = _BUILT.get(key)
    if provider is None:
        provider = _construct(row, tenant_id, info.meta)
        if provider is None:
            return None
        with _BUILT_LOCK:
            if len(_BUILT) >= _BUILT_LIMIT:
                _BUILT.clear()
            _BUILT[key] = provider
    return provider


def _construct(row: StationPlugin, tenant_id: int, meta) -> PaymentProvider | None:
    template = next((p for p in plugin_host.providers("payment_providers", tenant_id).values()
                     if p.plugin_name == row.plugin), None)
    if template is None:  # its tenant settings do not validate
        return None
    try:
        station_settings = plugin_settings.load(station_meta(meta), dict(row.settings), secret_box().decrypt(row.secrets))
    except SettingsValidationError:
        return None
    return type(template)({**template.settings, **station_settings}, tenant_id=tenant_id, plugin_name=row.plugin)
