"""The two sides billing rules live on (car / e-bike): which tables, which menu, what they are called."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from chargehub.assets.bike_models import BikeArea, BikeStation
from chargehub.assets.car_models import CarArea, CarStation
from chargehub.billing.models import BikeBillingRule, BikeBillingRuleVersion, CarBillingRule, CarBillingRuleVersion

BillingRule = Union[CarBillingRule, BikeBillingRule]
RuleVersion = Union[CarBillingRuleVersion, BikeBillingRuleVersion]


@dataclass(frozen=True)
class Side:
    """Everything that differs between car and e-bike rules.

    :param vehicle: ``"car"`` or ``"bike"`` (a billing mode's ``vehicle``).
    :param menu: the permission menu (``car.rule``): codes are ``menu + ":" + button``.
    :param options_label: what the rule's options are called (预充值 / 预估值).
    """

    vehicle: str
    rule: type
    version: type
    station: type
    area: type
    menu: str
    options_label: str


SIDES: dict[str, Side] = {
    "car": Side("car", CarBillingRule, CarBillingRuleVersion, CarStation, CarArea, "car.rule", "预充值"),
    "bike": Side("bike", BikeBillingRule, BikeBillingRuleVersion, BikeStation, BikeArea, "bike.rule", "预估值"),
}


def side_of(rule: BillingRule) -> Side:
    """The :class:`Side` of a rule row."""
    return SIDES[rule.vehicle]
