"""Car rules for piles that bill locally: the YKC billing model (4 rates + 48 half-hour slots), 计费详情.

``ykc_tariff_for`` is what ``sync_billing`` sends to a pile and what the YKC protocol plugin pushes after
login; ``pile_billing`` is the pile's 计费详情 (the rule in force for its area).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chargehub.api.audit_fields import annotate_actor_names
from chargehub.assets.car_models import CarArea, CarStation, Pile
from chargehub.billing.services.pricing import compiled, mode_of, rule_for_area, version_in_force
from chargehub.billing.services.rules import annotate_rules
from chargehub.billing.sides import BillingRule
from chargehub.contracts.billing import TOU_RATES, YkcTariff, unit_price
from chargehub.db import utcnow
from chargehub.errors import Conflict
from chargehub.extensions import db

NO_RULE = "该区域尚未配置计费规则 (no billing rule for this area yet)"


def ykc_tariff_for(rule: BillingRule, at: datetime) -> YkcTariff:
    """The YKC billing model of the car rule's version in force at ``at``."""
    return _version_tariff(version_in_force(rule, at))


def _version_tariff(version) -> YkcTariff:
    mode = mode_of(version)
    return mode.to_ykc(compiled(mode, version.params, version.id)[0])


def ykc_dict(tariff: YkcTariff) -> dict[str, Any]:
    """JSON form: ``{"prices": [{rate, electricity_price, service_price}] (yuan/kWh), "slots": [48 × 0..3]}``."""
    return {"prices": [{"rate": name, "electricity_price": str(unit_price(e)), "service_price": str(unit_price(s))}
                       for name, (e, s) in zip(TOU_RATES, tariff.prices)],
            "slots": list(tariff.slots)}


def model_code(version_id: int) -> str:
    """The 4-digit YKC billing model code of a rule version: ``0001``–``9999`` (``0000`` means "none")."""
    return f"{version_id % 9999 + 1:04d}"


def billing_settings(area_id: int, now: datetime | None = None) -> dict[str, Any] | None:
    """What a pile of the area is sent (after login, ``sync_billing``): ``{"rule_id", "version_id",
    "model_code", "ykc"}``, or ``None`` when the area has no rule whose mode compiles to a YKC model."""
    now = now or utcnow()
    rule = rule_for_area("car", area_id, now)
    if rule is None:
        return None
    try:
        version = version_in_force(rule, now)
        tariff = _version_tariff(version)
    except (NotImplementedError, Conflict):
        return None
    return {"rule_id": rule.id, "version_id": version.id, "model_code": model_code(version.id),
            "ykc": ykc_dict(tariff)}


def pile_billing(pile: Pile, now: datetime | None = None) -> dict[str, Any]:
    """计费详情: the enabled rule of the pile's area with the version in force, its YKC model.

    Without one: ``{"rule": None, "message": NO_RULE, "station_name", "area_name"}``.
    """
    now = now or utcnow()
    station = db.session.get(CarStation, pile.station_id)
    area = db.session.get(CarArea, pile.area_id)
    rule = rule_for_area("car", area.id, now)
    if rule is None:
        return {"rule": None, "message": NO_RULE, "station_name": station.name, "area_name": area.name}
    annotate_rules(annotate_actor_names([rule]), now, detail=True)
    try:
        ykc = ykc_dict(ykc_tariff_for(rule, now))
    except (NotImplementedError, Conflict):  # an e-bike-only mode cannot, a missing mode is shown as such
        ykc = None
    return {"station_id": station.id, "station_name": station.name, "area_id": area.id, "area_name": area.name,
            "rule": rule, "message": None, "mode_name": rule.mode_name, "effective_from": rule.effective_from,
            "description": rule.description, "ykc": ykc}
