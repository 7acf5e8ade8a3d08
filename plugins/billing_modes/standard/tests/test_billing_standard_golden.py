"""Hand-computed bills of every mode. Units: energy in 0.0001 kWh, prices in 0.00001 yuan, fees in fen.

A fee is ``energy × price / 1e7`` fen rounded half-up: 12345 (1.2345 kWh) × 100000 (1.00000 yuan)
= 1.2345e9 → 123.45 → 123 fen.
"""
from __future__ import annotations

import pytest
from billing_standard_helpers import MODE, at, bike_form, rows, tariff, tou_form

from chargehub.contracts.billing import Usage

DAY_PERIODS = [("00:00", "08:00", "valley"), ("08:00", "10:00", "flat"), ("10:00", "12:00", "peak"),
               ("12:00", "14:00", "sharp"), ("14:00", "23:00", "flat"), ("23:00", "24:00", "valley")]
TIERS = [{"up_to_w": 200, "unit_price": "0.50"}, {"up_to_w": 500, "unit_price": "1.00"},
         {"up_to_w": 1000, "unit_price": "1.50"}]


@pytest.mark.smoke
def test_car_flat_prices_the_whole_energy_once():
    t = tariff("car_flat", {"electricity_price": "1.00000", "service_price": "0.80000"})
    start = at(2025, 3, 10, 7)
    bill = t.price(Usage(start, start + 5400, ((start, 500000), (start + 5400, 623456))))
    # energy 623456 − 500000 = 123456 (12.3456 kWh)
    # electricity 123456 × 100000 = 1.23456e10 → 1234.56 → 1235; service × 80000 = 9.87648e9 → 987.648 → 988
    assert rows(bill) == [("energy", 5400, 123456, 0, 1235, 988)]
    assert bill.lines[0].label == "统一计价" and bill.total == 2223 and bill.mode == "car_flat"


@pytest.mark.smoke
def test_car_tou_session_over_three_periods():
    t = tariff("car_tou", tou_form(DAY_PERIODS))
    start, end = at(2025, 3, 10, 7), at(2025, 3, 10, 11)  # 07:00–11:00: valley, flat, peak
    meter = ((start, 1000), (at(2025, 3, 10, 8, 20), 8777), (at(2025, 3, 10, 10, 45), 21122), (end, 22233))
    bill = t.price(Usage(start, end, meter))
    # 08:00 between 07:00 (1000) and 08:20 (8777): 1000 + 7777 × 3600 // 4800 = 1000 + 5832 = 6832
    # 10:00 between 08:20 (8777) and 10:45 (21122): 8777 + 12345 × 6000 // 8700 = 8777 + 8513 = 17290
    # valley 6832 − 1000 = 5832: × 30000 = 174.96e6 → 17; × 40000 = 233.28e6 → 23
    # flat 17290 − 6832 = 10458: × 70000 = 732.06e6 → 73; × 60000 = 627.48e6 → 63
    # peak 22233 − 17290 = 4943: × 100000 = 494.3e6 → 49; × 80000 = 395.44e6 → 40
    assert rows(bill) == [("valley", 3600, 5832, 0, 17, 23), ("flat", 7200, 10458, 0, 73, 63),
                          ("peak", 3600, 4943, 0, 49, 40)]
    assert [line.label for line in bill.lines] == ["谷", "平", "峰"]
    assert bill.energy == 21233 == 22233 - 1000
    assert bill.total == 17 + 23 + 73 + 63 + 49 + 40


def test_car_tou_session_crossing_local_midnight():
    t = tariff("car_tou", tou_form(DAY_PERIODS))
    start, end = at(2025, 3, 10, 22), at(2025, 3, 11, 1)  # 22:00 flat, 23:00 valley, through midnight
    bill = t.price(Usage(start, end, ((start, 0), (end, 30000))))
    # 1 kWh per hour, so 23:00 → 10000. flat 10000: × 70000 = 700e6 → 70; × 60000 = 600e6 → 60
    # valley 20000 (23:00–01:00, over midnight): × 30000 = 600e6 → 60; × 40000 = 800e6 → 80
    assert rows(bill) == [("flat", 3600, 10000, 0, 70, 60), ("valley", 7200, 20000, 0, 60, 80)]


def test_car_tou_spring_forward_day_in_berlin():
    periods = [("00:00", "02:00", "valley"), ("02:00", "03:00", "sharp"), ("03:00", "06:00", "valley"),
               ("06:00", "24:00", "flat")]
    t = tariff("car_tou", tou_form(periods), "Europe/Berlin")
    # 2025-03-30: 02:00 CET jumps to 03:00 CEST; 01:00 CET = 00:00 UTC, 07:00 CEST = 05:00 UTC
    start, end = at(2025, 3, 30, 1, zone="Europe/Berlin"), at(2025, 3, 30, 7, zone="Europe/Berlin")
    assert end - start == 5 * 3600
    bill = t.price(Usage(start, end, ((start, 0), (end, 50000))))
    # the 02:00–03:00 sharp slot does not exist that day: valley 01–02 + 03–06 = 4 h, flat 06–07 = 1 h
    assert rows(bill) == [("valley", 14400, 40000, 0, 120, 160), ("flat", 3600, 10000, 0, 70, 60)]


def test_car_tou_fall_back_day_in_berlin_repeats_the_hour():
    periods = [("00:00", "02:00", "valley"), ("02:00", "03:00", "sharp"), ("03:00", "24:00", "valley")]
    t = tariff("car_tou", tou_form(periods), "Europe/Berlin")
    # 2025-10-26: 03:00 CEST goes back to 02:00 CET; 01:00 CEST = 23:00 UTC, 04:00 CET = 03:00 UTC
    start, end = at(2025, 10, 26, 1, zone="Europe/Berlin"), at(2025, 10, 26, 4, zone="Europe/Berlin")
    assert end - start == 4 * 3600
    bill = t.price(Usage(start, end, ((start, 0), (end, 40000))))
    # sharp 02:00–03:00 twice (CEST then CET) = 2 h; valley 01–02 CEST and 03–04 CET = 2 h
    # sharp 20000 × 120000 = 2.4e9 → 240; × 80000 → 160. valley 20000 × 30000 → 60; × 40000 → 80
    assert rows(bill) == [("valley", 7200, 20000, 0, 60, 80), ("sharp", 7200, 20000, 0, 240, 160)]


def test_car_tou_without_readings_and_empty_session():
    t = tariff("car_tou", tou_form(DAY_PERIODS))
    start = at(2025, 3, 10, 9)
    assert rows(t.price(Usage(start, start + 7200))) == [("flat", 3600, 0, 0, 0, 0), ("peak", 3600, 0, 0, 0, 0)]
    assert t.price(Usage(start, start)).lines == ()


# ---------------------------------------------------------------------------------------------- bike


@pytest.mark.smoke
def test_bike_duration_started_units_and_free_time():
    t = tariff("bike_duration", bike_form(unit_minutes=60, unit_price="1.00"))
    start = at(2025, 3, 10, 9)
    free = t.price(Usage(start, start + 300))  # exactly the 5 free minutes
    assert free.free and free.total == 0 and rows(free) == [("duration", 300, 0, 1, 0, 0)]
    after = t.price(Usage(start, start + 301))  # one second more pays its whole (started) unit
    assert not after.free and rows(after) == [("duration", 301, 0, 1, 0, 100)]
    # 3 h 10 min = 4 started hours × 1.00
    assert rows(t.price(Usage(start, start + 11400))) == [("duration", 11400, 0, 4, 0, 400)]
    assert rows(t.price(Usage(start, start))) == [("duration", 0, 0, 0, 0, 0)]


def test_bike_auto_stop_threshold_stops_billing():
    t = tariff("bike_duration", bike_form(unit_minutes=60, unit_price="1.00"))
    start = at(2025, 3, 10, 9)
    bill = t.price(Usage(start, start + 9 * 3600))  # 9 h but the threshold is 8 h: 8 units
    assert rows(bill) == [("duration", 28800, 0, 8, 0, 800)] and bill.stop_reason == "duration"
    assert t.price(Usage(start, start + 28799)).stop_reason is None


def test_bike_auto_stop_amount_caps_the_total():
    t = tariff("bike_duration", bike_form(unit_minutes=60, unit_price="1.50"))
    start = at(2025, 3, 10, 9)
    bill = t.price(Usage(start, start + 6 * 3600 + 1800))  # 7 started hours × 150 = 1050 > 1000
    assert rows(bill) == [("duration", 23400, 0, 7, 0, 1050), ("cap", 0, 0, 0, 0, -50)]
    assert bill.lines[-1].label == "自停金额封顶"
    assert bill.total == 1000 and bill.stop_reason == "amount"
    # reaching the threshold too: the reason stays "duration"
    over = t.price(Usage(start, start + 8 * 3600))
    assert over.total == 1000 and over.stop_reason == "duration"
    # 8 units × 1.25 = exactly 10.00: stop, no cap line
    exact = tariff("bike_duration", bike_form(unit_minutes=60, unit_price="1.25")).price(Usage(start, start + 7 * 3600 + 1))
    assert rows(exact) == [("duration", 25201, 0, 8, 0, 1000)] and exact.stop_reason == "amount"


def test_bike_power_tier_changes_mid_session():
    t = tariff("bike_power", bike_form(unit_minutes=30, tiers=TIERS, auto_stop_amount="0", free_minutes=0))
    s = at(2025, 3, 10, 9)
    power = ((s, 150), (s + 45 * 60, 180), (s + 50 * 60, 450), (s + 70 * 60, 300), (s + 100 * 60, 1200))
    bill = t.price(Usage(s, s + 7200, power=power))
    # [0,30) max 150 → tier 1; [30,60) 150,180,450 → tier 2; [60,90) 450 (held), 300 → tier 2;
    # [90,120) 300, 1200 (above 1000: the last tier) → tier 3
    assert rows(bill) == [("tier_1", 1800, 0, 1, 0, 50), ("tier_2", 3600, 0, 2, 0, 200),
                          ("tier_3", 1800, 0, 1, 0, 150)]
    assert [line.label for line in bill.lines] == ["功率档1 (≤200W)", "功率档2 (≤500W)", "功率档3 (≤1000W)"]
    # ending at 100 min: the partial last unit [90,100) sees 300 W only (1200 W comes at 100)
    short = t.price(Usage(s, s + 6000, power=power))
    assert rows(short) == [("tier_1", 1800, 0, 1, 0, 50), ("tier_2", 4200, 0, 3, 0, 300)]


def test_bike_power_before_the_first_sample_is_zero():
    t = tariff("bike_power", bike_form(unit_minutes=30, tiers=TIERS, free_minutes=0))
    s = at(2025, 3, 10, 9)
    bill = t.price(Usage(s, s + 3600, power=((s + 1800, 600),)))
    assert rows(bill) == [("tier_1", 1800, 0, 1, 0, 50), ("tier_3", 1800, 0, 1, 0, 150)]


def test_bike_energy_flat_and_free():
    t = tariff("bike_energy", bike_form(electricity_price="1.00", service_price="0.80"))
    s = at(2025, 3, 10, 9)
    bill = t.price(Usage(s, s + 7200, ((s, 100), (s + 7200, 12445))))
    # 12345 × 100000 = 1.2345e9 → 123.45 → 123; × 80000 = 9.876e8 → 98.76 → 99
    assert rows(bill) == [("energy", 7200, 12345, 0, 123, 99)] and bill.total == 222
    free = t.price(Usage(s, s + 240, ((s, 0), (s + 240, 100))))
    assert free.free and free.total == 0 and rows(free) == [("energy", 240, 100, 0, 0, 0)]


def test_bike_energy_stops_at_the_threshold():
    t = tariff("bike_energy", bike_form(auto_stop_minutes=60, electricity_price="1.00", service_price="0.80"))
    s = at(2025, 3, 10, 9)
    bill = t.price(Usage(s, s + 7200, ((s, 0), (s + 1800, 2000), (s + 5400, 8000), (s + 7200, 10000))))
    # energy until 60 min: 2000 + 6000 × 1800 // 3600 = 5000 → 50 and 40 fen
    assert rows(bill) == [("energy", 3600, 5000, 0, 50, 40)] and bill.stop_reason == "duration"


def test_bike_energy_hourly():
    t = tariff("bike_energy_hourly", bike_form(electricity_price="1.00", hourly_service_price="0.50"))
    s = at(2025, 3, 10, 9)
    bill = t.price(Usage(s, s + 7260, ((s, 0), (s + 7260, 20000))))
    # 2 kWh × 1.00 = 200 fen; 2 h 1 min = 3 started hours × 0.50 = 150 fen
    assert rows(bill) == [("energy", 7260, 20000, 0, 200, 0), ("service_hours", 7260, 0, 3, 0, 150)]
    assert bill.lines[1].label == "时段服务费"


def test_bike_energy_power_tier_change():
    t = tariff("bike_energy_power", bike_form(electricity_price="1.00", unit_minutes=30, tiers=TIERS,
                                              auto_stop_amount="0"))
    s = at(2025, 3, 10, 9)
    power = ((s, 150), (s + 45 * 60, 450), (s + 100 * 60, 1200))
    bill = t.price(Usage(s, s + 7200, ((s, 0), (s + 7200, 5000)), power))
    # 0.5 kWh × 1.00 = 50 fen; tiers: [0,30) 150 → 1; [30,60) 450 → 2; [60,90) 450 → 2; [90,120) 1200 → 3
    assert rows(bill) == [("energy", 7200, 5000, 0, 50, 0), ("tier_1", 1800, 0, 1, 0, 50),
                          ("tier_2", 3600, 0, 2, 0, 200), ("tier_3", 1800, 0, 1, 0, 150)]
    assert bill.total == 450


def test_describe_every_mode():
    from billing_standard_helpers import load

    assert MODE["car_flat"].describe(load("car_flat", {"electricity_price": "1", "service_price": "0.8"})) \
        == "电费 1.00000 元/度，服务费 0.80000 元/度"
    tou = load("car_tou", tou_form(DAY_PERIODS))
    assert MODE["car_tou"].describe(tou) == (
        "尖 1.20000+0.80000 元/度 12:00–14:00; 峰 1.00000+0.80000 元/度 10:00–12:00; "
        "平 0.70000+0.60000 元/度 08:00–10:00,14:00–23:00; 谷 0.30000+0.40000 元/度 00:00–08:00,23:00–24:00")
    assert MODE["bike_duration"].describe(load("bike_duration", bike_form(unit_minutes=60, unit_price="1"))) \
        == "每60分钟 1.00 元，自停 8 小时/10.00 元，免费 5 分钟"
    assert MODE["bike_power"].describe(load("bike_power", bike_form(unit_minutes=30, tiers=TIERS[:2], free_minutes=0,
                                                                    auto_stop_amount="0"))) \
        == "每30分钟 ≤200W 0.50 元/≤500W 1.00 元，自停 8 小时"
    assert MODE["bike_energy"].describe(load("bike_energy", bike_form(electricity_price="1", service_price="0.8"))) \
        == "电费 1.00000 元/度，服务费 0.80000 元/度，自停 8 小时/10.00 元，免费 5 分钟"
    assert MODE["bike_energy_hourly"].describe(load("bike_energy_hourly", bike_form(
        auto_stop_minutes=90, electricity_price="1", hourly_service_price="0.5"))) \
        == "电费 1.00000 元/度，服务费每小时 0.50 元，自停 90 分钟/10.00 元，免费 5 分钟"
    assert MODE["bike_energy_power"].describe(load("bike_energy_power", bike_form(
        electricity_price="1", unit_minutes=60, tiers=TIERS[:1]))) \
        == "电费 1.00000 元/度，服务费每60分钟 ≤200W 0.50 元，自停 8 小时/10.00 元，免费 5 分钟"
