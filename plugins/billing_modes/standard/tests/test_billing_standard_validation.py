"""Rule validation: each bad input is refused by ``load`` with the field's Chinese message."""
from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
import pytest
from billing_standard_helpers import MODE, bike_form, load, tou_form

from chargehub_billing_standard.tou import normalize_periods

TIERS = [{"up_to_w": 200, "unit_price": "0.50"}, {"up_to_w": 500, "unit_price": "1.00"}]


def errors(identifier: str, form: dict) -> dict:
    with pytest.raises(ma.ValidationError) as caught:
        MODE[identifier].rule_schema().load(form)
    return caught.value.messages


def test_tou_gap_is_named():
    messages = errors("car_tou", tou_form([("00:00", "07:00", "valley"), ("07:30", "24:00", "flat")]))
    assert messages == {"periods": ["07:00–07:30 未设置计费时段 (gap)"]}
    messages = errors("car_tou", tou_form([("00:00", "23:00", "valley")]))
    assert messages == {"periods": ["23:00–24:00 未设置计费时段 (gap)"]}


def test_tou_overlap_names_both_periods():
    messages = errors("car_tou", tou_form([("00:00", "08:00", "valley"), ("08:00", "09:00", "flat"),
                                           ("08:30", "10:00", "peak"), ("10:00", "24:00", "flat")]))
    assert messages == {"periods": ["08:00–09:00 与 08:30–10:00 重叠 (overlap)"]}


def test_tou_boundaries_on_half_hours():
    messages = errors("car_tou", tou_form([("00:00", "07:15", "valley"), ("07:15", "24:00", "flat")]))
    boundary = ["时段边界必须是整点或半点 (30-minute boundaries)"]
    assert messages == {"periods": {0: {"end": boundary}, 1: {"start": boundary}}}


def test_tou_start_before_end_and_format_and_count():
    assert errors("car_tou", tou_form([("10:00", "08:00", "flat")]))["periods"] == {
        0: {"end": ["结束时间必须晚于开始时间 (end must be after start)"]}}
    assert errors("car_tou", tou_form([("7:00", "24:00", "flat")]))["periods"] == {
        0: {"start": ["时间格式应为 HH:MM (expected HH:MM)"]}}
    too_many = [(f"{i // 2:02d}:{i % 2 * 30:02d}", f"{(i + 1) // 2:02d}:{(i + 1) % 2 * 30:02d}", "flat")
                for i in range(48)] + [("00:00", "00:30", "flat")]
    assert errors("car_tou", tou_form(too_many))["periods"] == ["计费时段不能超过48个 (at most 48 periods)"]


def test_tou_prices_all_four_required_and_unknown_fields_refused():
    form = tou_form([("00:00", "24:00", "flat")])
    del form["prices"]["sharp"]
    form["extra"] = 1
    assert errors("car_tou", form) == {"prices": {"sharp": ["此项必填 (required)"]}, "extra": ["未知字段 (unknown field)"]}


def test_tou_adjacent_same_rates_are_accepted_and_normalized():
    params = load("car_tou", tou_form([("12:00", "24:00", "flat"), ("00:00", "06:00", "valley"),
                                       ("06:00", "12:00", "flat")]))
    assert normalize_periods(params["periods"]) == [{"start": "00:00", "end": "06:00", "rate": "valley"},
                                                    {"start": "06:00", "end": "24:00", "rate": "flat"}]


def test_negative_price():
    assert errors("car_flat", {"electricity_price": "-0.1", "service_price": "0"}) == {
        "electricity_price": ["单价不能为负数 (price must not be negative)"]}


def test_too_many_decimals():
    assert errors("car_flat", {"electricity_price": "1.000001", "service_price": "0"}) == {
        "electricity_price": ["单价最多5位小数 (at most 5 decimals)"]}
    assert errors("bike_duration", bike_form(unit_minutes=60, unit_price="1", auto_stop_amount="1.005")) == {
        "auto_stop_amount": ["金额最多2位小数 (at most 2 decimals)"]}


def test_price_maximum_and_not_a_number():
    assert errors("car_flat", {"electricity_price": "100.00001", "service_price": "abc"}) == {
        "electricity_price": ["单价不能超过100元 (at most 100)"], "service_price": ["请输入有效的数字 (not a valid number)"]}


def test_threshold_over_48_hours():
    assert errors("bike_duration", bike_form(unit_minutes=60, unit_price="1", auto_stop_minutes=2881)) == {
        "auto_stop_minutes": ["自停阈值不能超过48小时 (at most 48 h)"]}
    assert load("bike_duration", bike_form(unit_minutes=60, unit_price="1", auto_stop_minutes=2880))


def test_free_time_within_threshold_and_integers():
    assert errors("bike_duration", bike_form(unit_minutes=60, unit_price="1", auto_stop_minutes=30,
                                             free_minutes=31)) == {
        "free_minutes": ["免费时长不能超过自停阈值 (free time must not exceed the auto-stop threshold)"]}
    assert errors("bike_duration", bike_form(unit_minutes=1.5, unit_price="1")) == {
        "unit_minutes": ["请输入整数 (not a valid integer)"]}


def test_tiers_must_ascend():
    tiers = [{"up_to_w": 500, "unit_price": "1"}, {"up_to_w": 500, "unit_price": "2"}]
    for identifier, extra in (("bike_power", {}), ("bike_energy_power", {"electricity_price": "1"})):
        assert errors(identifier, bike_form(unit_minutes=30, tiers=tiers, **extra)) == {
            "tiers": ["功率档上限必须递增 (tiers must be strictly ascending)"]}
    assert errors("bike_power", bike_form(unit_minutes=30, tiers=TIERS * 6))["tiers"] == [
        "功率档不能超过10个 (at most 10 tiers)"]
    cheaper_higher = [{"up_to_w": 200, "unit_price": "2"}, {"up_to_w": 500, "unit_price": "1"}]
    assert errors("bike_power", bike_form(unit_minutes=30, tiers=cheaper_higher)) == {
        "tiers": ["功率越高的档位单价不能更低 (a higher tier must not be cheaper)"]}


def test_dump_round_trips_through_load_for_every_mode():
    forms = {
        "car_flat": {"electricity_price": "1.2", "service_price": "0.8"},
        "car_tou": tou_form([("00:00", "08:00", "valley"), ("08:00", "24:00", "flat")]),
        "bike_duration": bike_form(unit_minutes=60, unit_price="1"),
        "bike_power": bike_form(unit_minutes=30, tiers=TIERS),
        "bike_energy": bike_form(electricity_price="1", service_price="0.8"),
        "bike_energy_hourly": bike_form(electricity_price="1", hourly_service_price="0.5"),
        "bike_energy_power": bike_form(electricity_price="1", unit_minutes=30, tiers=TIERS),
    }
    assert set(forms) == set(MODE)
    for identifier, form in forms.items():
        schema = MODE[identifier].rule_schema()
        params = schema.load(form)
        dumped = schema.dump(params)
        assert schema.load(dumped) == params, identifier
        assert all(not isinstance(v, Decimal) for v in _leaves(dumped)), identifier
        assert all("label" in field.metadata for field in schema.fields.values()), identifier


def test_bike_defaults():
    params = load("bike_duration", {"auto_stop_minutes": 60, "unit_minutes": 60, "unit_price": "1"})
    assert params["auto_stop_amount"] == Decimal("0") and params["free_minutes"] == 0


def _leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value
