"""Station configuration shared by car and e-bike stations: 发票配置 (invoice) and 支付配置 (payment).

Both sides call the same functions with their ``kind`` (:class:`StationKind` or ``"car"`` / ``"bike"``)
and the station row:

- invoice: :func:`get_invoice_config`, :func:`save_invoice_config` — one row of seller data per
  station; every field is required, ``taxpayer_id`` is 15–20 letters/digits, rates are ``Decimal``
  between 0 and 1 with 2–4 decimals. Without it the station's orders cannot be invoiced.
- payment: :func:`payment_config`, :func:`save_payment_config` — one ``StationPlugin`` row per payment
  plugin, validated by the plugin's ``META.station_settings_schema`` with the very validation of
  tenant plugin settings (:func:`chargehub.plugins.settings.validate`); secrets are encrypted with the
  app's secret box and only ever described as ``set`` / ``unset``.
- list flags: :func:`annotate_config_flags` sets ``has_invoice_config`` / ``has_payment_config`` on a
  page of stations with two queries.
"""
from __future__ import annotations

import dataclasses
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

import sqlalchemy as sa

from chargehub.assets.models import StationInvoiceConfig, StationPlugin
from chargehub.db import current_actor
from chargehub.errors import Conflict, PluginNotFound, ValidationFailed
from chargehub.extensions import db, plugin_host
from chargehub.plugins import settings as plugin_settings
from chargehub.plugins.meta import PluginMeta
from chargehub.plugins.store import secret_box
from chargehub.tenancy.audit_log import record
from chargehub.tenancy.models import StationKind

#: Invoice fields and their labels (all required); the rates are checked separately.
INVOICE_TEXT_FIELDS = {
    "merchant_no": ("商户号", 64), "seller_address": ("售方地址", 200), "bank_account": ("银行账号", 64),
    "bank_name": ("银行名称", 100), "drawer": ("开票人", 50), "company_name": ("公司名称", 100),
    "payee": ("收款人", 50), "reviewer": ("复核人", 50), "taxpayer_id": ("纳税人识别号", 30),
    "electricity_rate_code": ("电费费率编码", 30), "service_rate_code": ("服务费率编码", 30), "phone": ("电话", 30),
}
INVOICE_RATE_FIELDS = {"electricity_rate": "电费费率", "service_rate": "服务费率"}
INVOICE_FIELDS = (*INVOICE_TEXT_FIELDS, *INVOICE_RATE_FIELDS)
TAXPAYER_ID = re.compile(r"^[0-9A-Za-z]{15,20}$")
PAYMENT_CATEGORY = "payment"


def _kind(kind: StationKind | str) -> StationKind:
    return kind if isinstance(kind, StationKind) else StationKind(kind)


# ------------------------------------------------------------------------------------------ invoice


def get_invoice_config(kind: StationKind | str, station) -> StationInvoiceConfig | None:
    """The invoice configuration (发票配置) of ``station``, or ``None`` when it has none yet."""
    return db.session.execute(sa.select(StationInvoiceConfig).where(
        StationInvoiceConfig.station_kind == _kind(kind), StationInvoiceConfig.station_id == station.id)
    ).scalar_one_or_none()


def _rate(value: Any, label: str) -> Decimal:
    message = f"{label}须为 0–1 之间、2–4 位小数的数字，如 0.13 ({label}: a rate from 0 to 1 with 2–4 decimals)"
    if isinstance(value, bool) or value in (None, ""):
        raise ValueError(f"请填写{label} ({label} is required)")
    try:
        rate = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(message) from None
    exponent = rate.as_tuple().exponent
    if not rate.is_finite() or not isinstance(exponent, int) or not -4 <= exponent <= -2 or not 0 <= rate <= 1:
        raise ValueError(message)
    return rate


def validate_invoice_config(data: Mapping[str, Any]) -> dict[str, Any]:
    """Check an invoice payload; return the clean values (text stripped, rates as ``Decimal``).

    :raises ValidationFailed: with a message per bad field (all fields are required).
    """
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name, (label, limit) in INVOICE_TEXT_FIELDS.items():
        value = str(data.get(name) or "").strip()
        if not value:
            errors[name] = [f"请填写{label} ({name} is required)"]
        elif len(value) > limit:
            errors[name] = [f"{label}最多 {limit} 个字符 (at most {limit} characters)"]
        clean[name] = value
    if "taxpayer_id" not in errors and not TAXPAYER_ID.match(clean["taxpayer_id"]):
        errors["taxpayer_id"] = ["纳税人识别号须为 15–20 位字母或数字 (15–20 letters or digits)"]
    for name, label in INVOICE_RATE_FIELDS.items():
        try:
            clean[name] = _rate(data.get(name), label)
        except ValueError as exc:
            errors[name] = [str(exc)]
    if errors:
        raise ValidationFailed(errors)
    return clean


def save_invoice_config(kind: StationKind | str, station, data: Mapping[str, Any]) -> StationInvoiceConfig:
    """Create or replace the invoice configuration of ``station``; audit-logged, committed.

    :raises ValidationFailed: see :func:`validate_invoice_config`; nothing is stored then.
    """
    clean = validate_invoice_config(data)
    row = get_invoice_config(kind, station)
    if row is None:
        row = StationInvoiceConfig(station_kind=_kind(kind), station_id=station.id, provider_id=station.provider_id,
                                   property_id=station.property_id)
        db.session.add(row)
    for name, value in clean.items():
        setattr(row, name, value)
    record(f"{_kind(kind).value}_station.invoice_config", target=station, fields=sorted(clean))
    db.session.commit()
    return row


# ------------------------------------------------------------------------------------------ payment


def station_meta(meta: PluginMeta) -> PluginMeta:
    """``meta`` seen through its station schema, so the tenant-settings validation applies unchanged."""
    return dataclasses.replace(meta, settings_schema=meta.station_settings_schema)


def payment_plugins(provider_id: int) -> list[PluginMeta]:
    """Payment plugins a station of ``provider_id`` may configure: on for the tenant, with a station schema."""
    enabled = plugin_host.enabled_plugins(provider_id)
    return [info.meta for info in plugin_host.plugins()
            if info.available and info.meta.name in enabled and info.meta.category == PAYMENT_CATEGORY
            and info.meta.station_settings_schema is not None]


def _station_rows(kind: StationKind, station) -> dict[str, StationPlugin]:
    rows = db.session.execute(sa.select(StationPlugin).where(
        StationPlugin.station_kind == kind, StationPlugin.station_id == station.id)).scalars()
    return {row.plugin: row for row in rows}


def _describe(meta: PluginMeta, row: StationPlugin | None) -> dict[str, Any]:
    adapted = station_meta(meta)
    public = dict(row.settings) if row is not None else {}
    secrets = secret_box().decrypt(row.secrets) if row is not None else {}
    return {
        "plugin": meta.name,
        "verbose_name": meta.verbose_name,
        "enabled": bool(row and row.enabled),
        **plugin_settings.describe(adapted, public, secrets),
        "settings_form": plugin_settings.describe_schema(adapted),
    }


def payment_config(kind: StationKind | str, station) -> list[dict[str, Any]]:
    """支付配置 of ``station``: one entry per payment plugin it may use.

    Each entry: ``plugin``, ``verbose_name``, ``enabled``, ``settings`` (public values), ``secrets``
    (``{name: "set" | "unset"}``, never a value) and ``settings_form`` (the station schema's fields).
    """
    rows = _station_rows(_kind(kind), station)
    return [_describe(meta, rows.get(meta.name)) for meta in payment_plugins(station.provider_id)]


def save_payment_config(kind: StationKind | str, station, plugin: str, enabled: bool | None,
                        settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """Switch payment ``plugin`` on/off for ``station`` and/or store its station settings; return its entry.

    ``settings`` is validated by the plugin's station schema (omitted secrets are kept, ``null`` clears
    one); ``None`` keeps what is stored, and switching on then re-checks the stored settings.

    :raises PluginNotFound: no payment plugin of that name with station settings is installed (404).
    :raises Conflict: the plugin is not switched on for the station's service provider (409).
    :raises SettingsValidationError: the settings fail the schema (422); nothing is stored.
    """
    kind = _kind(kind)
    info = next((i for i in plugin_host.plugins() if i.meta.name == plugin), None)
    if info is None or info.meta.category != PAYMENT_CATEGORY or info.meta.station_settings_schema is None:
        raise PluginNotFound(f"没有名为 {plugin} 的支付插件 (no payment plugin {plugin!r} with station settings)")
    if not info.available or not plugin_host.is_enabled(plugin, station.provider_id):
        raise Conflict(f"支付插件「{info.meta.verbose_name}」未对本服务商启用，请先在插件管理中启用 "
                       f"(switch the plugin on for the service provider first)")
    adapted, box = station_meta(info.meta), secret_box()
    row = _station_rows(kind, station).get(plugin)
    stored_public = dict(row.settings) if row is not None else {}
    stored_secrets = box.decrypt(row.secrets) if row is not None else {}
    if settings is not None:
        public, secrets = plugin_settings.validate(adapted, settings, stored_secrets)
    else:
        public, secrets = stored_public, stored_secrets
        if enabled:
            plugin_settings.load(adapted, public, secrets)  # refuse switching on without valid settings
    if row is None:
        row = StationPlugin(station_kind=kind, station_id=station.id, provider_id=station.provider_id,
                            property_id=station.property_id, plugin=plugin, enabled=False, settings={})
        db.session.add(row)
    if enabled is not None:
        row.enabled = enabled
    row.settings = public
    row.secrets = box.encrypt(secrets)
    row.updated_by = current_actor()
    record(f"{kind.value}_station.payment_config", target=station, plugin=plugin, enabled=row.enabled,
           fields=sorted(public))
    db.session.commit()
    return _describe(info.meta, row)


# ------------------------------------------------------------------------------------------ flags


def annotate_config_flags(kind: StationKind | str, stations: Iterable) -> list:
    """Set ``has_invoice_config`` and ``has_payment_config`` on ``stations`` (two queries); return them.

    A station "has" payment configuration when at least one payment plugin is switched on for it.
    """
    stations = list(stations)
    ids = {s.id for s in stations}
    invoiced: set[int] = set()
    paying: set[int] = set()
    if ids:
        kind = _kind(kind)
        invoiced = set(db.session.execute(sa.select(StationInvoiceConfig.station_id).where(
            StationInvoiceConfig.station_kind == kind, StationInvoiceConfig.station_id.in_(ids))).scalars())
        paying = set(db.session.execute(sa.select(StationPlugin.station_id).where(
            StationPlugin.station_kind == kind, StationPlugin.station_id.in_(ids),
            StationPlugin.enabled.is_(True))).scalars())
    for station in stations:
        station.has_invoice_config = station.id in invoiced
        station.has_payment_config = station.id in paying
    return stations
