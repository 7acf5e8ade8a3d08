"""预充值 (car) and 预估值 (e-bike): the amounts drivers pick in the mini-program, at most 12 per rule.

Car options are prepay amounts (> 0, ≤ 10,000 yuan, 2 decimals, no duplicates). E-bike options are
estimates: a duration (1 minute up to the rule's auto-stop threshold, or 48 h when its mode has none)
and the amount shown for it (≥ 0, 2 decimals).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Sequence

import marshmallow as ma

from chargehub.billing.services.trial import MAX_MINUTES
from chargehub.billing.services.versions import latest_version, version_at
from chargehub.billing.sides import BillingRule, side_of
from chargehub.db import utcnow
from chargehub.errors import ValidationFailed
from chargehub.extensions import db
from chargehub.tenancy.audit_log import record

MAX_OPTIONS = 12
MAX_AMOUNT = Decimal("10000")


def max_places(places: int, label: str):
    """A validator: at most ``places`` decimals."""
    def check(value: Decimal) -> None:
        if value.as_tuple().exponent < -places:
            raise ma.ValidationError(f"{label}最多 {places} 位小数 (at most {places} decimals)")
    return check


class CarOptionSchema(ma.Schema):
    """One 预充值 amount."""

    amount = ma.fields.Decimal(required=True, as_string=True, metadata={"label": "预充值金额 (元)"}, validate=[
        ma.validate.Range(min=Decimal(0), min_inclusive=False, max=MAX_AMOUNT,
                          error="金额须大于 0 且不超过 10000 元 (0 < amount ≤ 10000)"),
        max_places(2, "金额")])


class BikeOptionSchema(ma.Schema):
    """One 预估值: a duration and the amount shown for it."""

    minutes = ma.fields.Integer(required=True, strict=True, metadata={"label": "时长 (分钟)"},
                                validate=ma.validate.Range(min=1, error="时长须至少 1 分钟 (at least 1 minute)"))
    amount = ma.fields.Decimal(required=True, as_string=True, metadata={"label": "金额 (元)"}, validate=[
        ma.validate.Range(min=Decimal(0), max=MAX_AMOUNT, error="金额须在 0–10000 元之间 (0 ≤ amount ≤ 10000)"),
        max_places(2, "金额")])


OPTION_SCHEMAS = {"car": CarOptionSchema, "bike": BikeOptionSchema}


def _max_minutes(rule: BillingRule) -> int:
    """The smallest auto-stop threshold among the version in force and a pending one (48 h without)."""
    versions = [v for v in (version_at(rule, utcnow()), latest_version(rule)) if v is not None]
    limits = [int(v.params["auto_stop_minutes"]) for v in versions if v.params.get("auto_stop_minutes") is not None]
    return min(limits) if limits else MAX_MINUTES


def validate_options(rule: BillingRule, options: Any) -> list[dict[str, Any]]:
    """The options as stored (amounts as 2-decimal strings), or 422 on ``options`` / ``options.<i>.<field>``."""
    side = side_of(rule)
    if not isinstance(options, Sequence) or isinstance(options, (str, bytes)):
        raise ValidationFailed("须为列表 (options must be a list)", "options")
    if len(options) > MAX_OPTIONS:
        raise ValidationFailed(f"最多{MAX_OPTIONS}条{side.options_label} (at most {MAX_OPTIONS} options)", "options")
    try:
        loaded = OPTION_SCHEMAS[side.vehicle](many=True).load(options)
    except ma.ValidationError as exc:
        raise ValidationFailed({"options": exc.messages}) from None
    errors: dict[int, dict[str, list[str]]] = {}
    stored, seen = [], set()
    limit = _max_minutes(rule) if side.vehicle == "bike" else None
    for index, option in enumerate(loaded):
        amount = option["amount"].quantize(Decimal("0.01"))
        key = option.get("minutes", amount)
        if key in seen:
            errors[index] = {"minutes" if limit else "amount": ["重复的选项 (duplicate option)"]}
        seen.add(key)
        if limit is not None and option["minutes"] > limit:
            errors[index] = {"minutes": [f"时长不能超过自停阈值 {limit} 分钟 (at most the auto-stop threshold)"]}
        stored.append({"minutes": option["minutes"], "amount": str(amount)} if limit is not None
                      else {"amount": str(amount)})
    if errors:
        raise ValidationFailed({"options": errors})
    return stored


def set_options(rule: BillingRule, options: Any) -> BillingRule:
    """预充值 / 预估值: replace the rule's options (validated, at most 12)."""
    rule.options = validate_options(rule, options)
    record("billing_rule.options", target=rule, count=len(rule.options))
    db.session.commit()
    return rule
