"""Versioning with a controlled clock (services called directly): 当日24:00生效, pricing by the start time."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from chargehub.billing.services import pricing, rules, versions
from chargehub.billing.services.ykc import ykc_tariff_for
from chargehub.contracts.billing import Usage
from tests.billing.conftest import CAR_FLAT, CAR_TOU

SH = ZoneInfo("Asia/Shanghai")
NEW = {"electricity_price": "2.00000", "service_price": "1.00000"}


def local(day, hour, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=SH)


@pytest.fixture
def rule_at(app, site):
    """``rule_at(now, params=CAR_FLAT, mode="car_flat")`` -> a car rule created at ``now`` by the site's owner."""
    from chargehub.tenancy.auth import acting_as

    s = site()

    def factory(now, params=CAR_FLAT, mode="car_flat", vehicle="car"):
        with acting_as(s["user"]):
            return rules.create_rule(vehicle, {"station_id": s[f"{vehicle}_station"].id,
                                               "area_id": s[f"{vehicle}_area"].id, "name": "规则", "mode": mode,
                                               "params": params}, now=now)

    factory.site = s
    return factory


def edit(rule, now, **data):
    from chargehub.tenancy.auth import acting_as

    with acting_as(rule_owner(rule)):
        return rules.update_rule(rule, data, now=now)


def rule_owner(rule):
    import sqlalchemy as sa

    from chargehub.extensions import db
    from chargehub.tenancy.models import User

    return db.session.execute(sa.select(User).where(User.provider_id == rule.provider_id)).scalars().first()


def session(start, end, kwh):
    return Usage.of(start, end, [(start, Decimal(0)), (end, Decimal(kwh))])


def test_next_local_midnight(app):
    assert versions.next_midnight(local(2, 15)) == local(3, 0)
    assert versions.next_midnight(local(2, 0)) == local(3, 0)
    assert versions.next_midnight(local(2, 23, 59)) == local(3, 0)
    assert versions.next_midnight(local(2, 15)).tzinfo == timezone.utc
    with pytest.raises(ValueError):
        versions.next_midnight(datetime(2026, 3, 2, 15))


@pytest.mark.smoke
def test_an_edit_at_15_00_takes_effect_at_the_next_local_midnight(rule_at):
    rule = rule_at(local(1, 10))
    assert versions.version_at(rule, local(1, 10)).number == 1
    assert versions.version_at(rule, local(1, 9, 59)) is None
    edit(rule, local(2, 15), params=NEW)
    assert [v.number for v in rule.versions] == [1, 2]
    pending = versions.pending_version(rule, local(2, 15))
    assert pending.number == 2 and pending.effective_from == local(3, 0) and pending.params == NEW
    assert versions.version_at(rule, local(2, 23, 59)).number == 1
    assert versions.version_at(rule, local(3, 0)).number == 2
    assert versions.version_at(rule, local(3, 0) - timedelta(microseconds=1)).number == 1
    assert pricing.tariff_for(rule, local(2, 16)).price(session(local(2, 16), local(2, 17), 10)).total == 1800
    assert pricing.tariff_for(rule, local(3, 1)).price(session(local(3, 1), local(3, 2), 10)).total == 3000


@pytest.mark.smoke
def test_an_order_across_midnight_is_priced_by_the_version_in_force_when_it_started(rule_at):
    rule = rule_at(local(1, 10))
    edit(rule, local(2, 15), params=NEW)
    usage = session(local(2, 23, 50), local(3, 0, 30), 10)
    assert pricing.price(rule, local(2, 23, 50), usage).total == 1800  # 10 kWh × (1.00 + 0.80)
    assert pricing.price(rule, local(3, 0, 0), session(local(3, 0), local(3, 0, 40), 10)).total == 3000


def test_a_second_edit_the_same_day_replaces_the_pending_version(rule_at):
    rule = rule_at(local(1, 10))
    edit(rule, local(2, 15), params=NEW)
    third = {**NEW, "service_price": "0.50000"}
    edit(rule, local(2, 17), params=third)
    assert [v.number for v in rule.versions] == [1, 2]
    pending = versions.pending_version(rule, local(2, 17))
    assert pending.params == third and pending.effective_from == local(3, 0) and pending.created_at == local(2, 17)
    assert pricing.price(rule, local(3, 1), session(local(3, 1), local(3, 2), 10)).total == 2500
    edit(rule, local(3, 9), params=NEW)  # the next day: version 2 is in force, a new one is pending
    assert [v.number for v in rule.versions] == [1, 2, 3]
    assert versions.pending_version(rule, local(3, 9)).effective_from == local(4, 0)


def test_editing_back_to_the_version_in_force_drops_the_pending_one(rule_at):
    rule = rule_at(local(1, 10))
    edit(rule, local(2, 15), params=NEW)
    edit(rule, local(2, 16), params=CAR_FLAT)
    assert [v.number for v in rule.versions] == [1] and versions.pending_version(rule, local(2, 16)) is None
    edit(rule, local(2, 17), params=CAR_FLAT)
    assert [v.number for v in rule.versions] == [1]


def test_a_mode_change_is_versioned_too(rule_at):
    rule = rule_at(local(1, 10))
    edit(rule, local(2, 15), mode="car_tou", params=CAR_TOU)
    assert rule.mode == "car_tou"
    assert versions.version_at(rule, local(2, 23)).mode == "car_flat"
    # 11:30–12:30 on the TOU rule: 3 kWh peak (1.20 + 0.80) + 3 kWh flat (0.90 + 0.60) = 10.50
    bill = pricing.price(rule, local(3, 11, 30), session(local(3, 11, 30), local(3, 12, 30), 6))
    assert bill.total == 1050 and [line.key for line in bill.lines if line.energy] == ["peak", "flat"]


def test_tariffs_are_cached_per_version(rule_at):
    rule = rule_at(local(1, 10))
    assert pricing.tariff_for(rule, local(1, 11)) is pricing.tariff_for(rule, local(1, 12))
    edit(rule, local(2, 15), params=NEW)
    before = pricing.tariff_for(rule, local(3, 1))
    edit(rule, local(2, 16), params={**NEW, "service_price": "0.10000"})
    after = pricing.tariff_for(rule, local(3, 1))
    assert after is not before
    assert after.price(session(local(3, 1), local(3, 2), 10)).total == 2100


def test_rule_for_area_is_the_enabled_rule_in_force(rule_at):
    rule = rule_at(local(1, 10))
    area_id = rule_at.site["car_area"].id
    assert pricing.rule_for_area("car", area_id, local(1, 11)) is rule
    assert pricing.rule_for_area("car", area_id, local(1, 9)) is None
    assert pricing.rule_for_area("bike", rule_at.site["bike_area"].id, local(1, 11)) is None
    rules.set_rule_enabled(rule, False)
    assert pricing.rule_for_area("car", area_id, local(1, 11)) is None


def test_ykc_model_of_the_version_in_force(rule_at):
    rule = rule_at(local(1, 10), params=CAR_TOU, mode="car_tou")
    ykc = ykc_tariff_for(rule, local(1, 11))
    assert ykc.prices == ((150000, 80000), (120000, 80000), (90000, 60000), (40000, 40000))
    assert ykc.slots == (3,) * 16 + (1,) * 8 + (2,) * 12 + (0,) * 6 + (3,) * 6
    edit(rule, local(2, 15), mode="car_flat", params=CAR_FLAT)
    assert ykc_tariff_for(rule, local(2, 23)).slots == ykc.slots
    assert ykc_tariff_for(rule, local(3, 0)).slots == (0,) * 48
