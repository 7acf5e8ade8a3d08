"""Billing modes as core sees them: the platform registry, lookup by vehicle, parameter validation.

Modes come from PLATFORM-level plugins (``register_billing_modes``) through
``plugin_host.platform_providers("billing_modes")``; core never imports a mode's plugin.
"""
from __future__ import annotations

import json
from typing import Any, Mapping

import marshmallow as ma

from chargehub.contracts.billing import BillingMode
from chargehub.errors import ValidationFailed
from chargehub.extensions import plugin_host


def registry() -> Mapping[str, BillingMode]:
    """Every billing mode that is on, by identifier (identifier order)."""
    return plugin_host.platform_providers("billing_modes")


def modes_for(vehicle: str | None = None) -> list[BillingMode]:
    """The modes of one side (``"car"`` / ``"bike"``), or all of them."""
    return [m for m in registry().values() if vehicle is None or m.vehicle == vehicle]


def find_mode(identifier: str, modes: Mapping[str, BillingMode] | None = None) -> BillingMode | None:
    """The mode ``identifier``, or ``None`` when no plugin that is on provides it."""
    return (registry() if modes is None else modes).get(identifier)


def mode_for(vehicle: str, identifier: str, field: str = "mode") -> BillingMode:
    """The mode ``identifier`` for a ``vehicle`` rule; 422 on ``field`` when unknown or of the other side."""
    mode = find_mode(identifier)
    if mode is None:
        raise ValidationFailed(f"计费方式「{identifier}」不存在 (unknown billing mode)", field)
    if mode.vehicle != vehicle:
        side = "汽车" if vehicle == "car" else "单车"
        raise ValidationFailed(f"计费方式「{mode.verbose_name}」不能用于{side}计费规则 "
                               f"(a {mode.vehicle} mode cannot price {vehicle} charging)", field)
    return mode


def validate_params(mode: BillingMode, params: Any, field: str = "params") -> dict[str, Any]:
    """``params`` checked by the mode's ``rule_schema``; returns the JSON stored on a rule version.

    Field messages go under ``field`` (``errors.json.params.<field>``); nothing is saved on error.
    """
    if not isinstance(params, Mapping):
        raise ValidationFailed("计费参数须为对象 (params must be an object)", field)
    schema = mode.rule_schema()
    try:
        loaded = schema.load(params)
    except ma.ValidationError as exc:
        raise ValidationFailed({field: exc.messages}) from None
    # the schema's dump is the stored form; a JSON round trip keeps only JSON types (Decimal -> str)
    return json.loads(json.dumps(schema.dump(loaded), default=str))


def load_params(mode: BillingMode, stored: Mapping[str, Any]) -> dict[str, Any]:
    """A stored version's params in the form ``compile`` / ``describe`` / ``to_ykc`` take."""
    return mode.rule_schema().load(stored)
