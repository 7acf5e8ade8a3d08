"""计费测试 (rules and unsaved params) against hand-computed bills, and the billing-mode list."""
from __future__ import annotations

import pytest

from tests.billing.conftest import BIKE_DURATION, CAR_FLAT, CAR_TOU

R = "/car/billing-rules"
B = "/bike/billing-rules"


@pytest.mark.smoke
def test_car_flat_rule_test(app, site, add_rule, call):
    s = site()
    rule = add_rule(s)
    result = call("POST", f"{R}/{rule['id']}/test", s["headers"], json={"energy_kwh": "10"})
    assert result["version"] == 1
    assert result["usage"]["energy_kwh"] == "10.0000" and result["usage"]["duration_minutes"] == 60
    assert result["usage"]["readings"] == 61
    bill = result["bill"]
    assert (bill["electricity_fee"], bill["service_fee"], bill["total"]) == ("10.00", "8.00", "18.00")  # 10 × (1.00 + 0.80)
    assert bill["mode"] == "car_flat" and sum(float(line["amount"]) for line in bill["lines"]) == 18.0


def test_car_tou_rule_test_splits_the_energy_by_period(app, site, add_rule, call):
    s = site()
    rule = add_rule(s, mode="car_tou", params=CAR_TOU)
    result = call("POST", f"{R}/{rule['id']}/test", s["headers"],
                  json={"energy_kwh": "6", "started_at": "2099-03-02T11:30:00+08:00", "duration_minutes": 60})
    bill = result["bill"]
    # 11:30–12:00 peak: 3 kWh × 1.20 + 3 × 0.80; 12:00–12:30 flat: 3 × 0.90 + 3 × 0.60
    assert (bill["electricity_fee"], bill["service_fee"], bill["total"]) == ("6.30", "4.20", "10.50")
    lines = {line["key"]: line for line in bill["lines"] if line["energy_kwh"] != "0.0000"}
    assert lines["peak"]["energy_kwh"] == "3.0000" and lines["peak"]["amount"] == "6.00"
    assert lines["flat"]["energy_kwh"] == "3.0000" and lines["flat"]["amount"] == "4.50"
    assert result["usage"]["started_at"] == "2099-03-02T03:30:00+00:00"


def test_rule_test_uses_the_version_in_force_at_the_start(app, site, add_rule, call):
    s = site()
    rule = add_rule(s)
    edited = call("PUT", f"{R}/{rule['id']}", s["headers"],
                  json={"params": {"electricity_price": "2.00000", "service_price": "1.00000"}})
    now = call("POST", f"{R}/{rule['id']}/test", s["headers"], json={"energy_kwh": "10"})
    later = call("POST", f"{R}/{rule['id']}/test", s["headers"],
                 json={"energy_kwh": "10", "started_at": edited["pending_from"]})
    assert (now["version"], now["bill"]["total"]) == (1, "18.00")
    assert (later["version"], later["bill"]["total"]) == (2, "30.00")
    before = call("POST", f"{R}/{rule['id']}/test", s["headers"], 409,
                  json={"energy_kwh": "10", "started_at": "2020-01-01T00:00:00+08:00"})
    assert "尚未生效" in before["message"]


@pytest.mark.parametrize("minutes,total,free,stop", [
    (3, "0.00", True, None),          # within the 5 free minutes
    (90, "2.00", False, None),        # 2 started hours × 1.00
    (600, "6.00", False, "duration"),  # stops at 480 min: 8 hours = 8.00, capped at the 6.00 auto-stop amount
])
def test_bike_duration_rule_test(app, site, add_rule, call, minutes, total, free, stop):
    s = site()
    rule = add_rule(s, "bike")
    bill = call("POST", f"{B}/{rule['id']}/test", s["headers"], json={"duration_minutes": minutes})["bill"]
    assert (bill["total"], bill["free"], bill["stop_reason"]) == (total, free, stop)


def test_bike_power_rule_test_uses_the_power(app, site, add_rule, call):
    s = site()
    params = {"unit_minutes": 60, "auto_stop_minutes": 600, "tiers": [
        {"up_to_w": 200, "unit_price": "0.50000"}, {"up_to_w": 500, "unit_price": "1.00000"}]}
    rule = add_rule(s, "bike", mode="bike_power", params=params)
    low = call("POST", f"{B}/{rule['id']}/test", s["headers"], json={"duration_minutes": 120, "power_w": 150})
    high = call("POST", f"{B}/{rule['id']}/test", s["headers"], json={"duration_minutes": 120, "power_w": 400})
    assert (low["bill"]["total"], high["bill"]["total"]) == ("1.00", "2.00")
    assert low["usage"]["power_w"] == 150


@pytest.mark.parametrize("body,field", [
    ({}, "energy_kwh"),
    ({"energy_kwh": "0"}, "energy_kwh"),
    ({"energy_kwh": "10000.1"}, "energy_kwh"),
    ({"energy_kwh": "1.23456"}, "energy_kwh"),
    ({"energy_kwh": "1", "duration_minutes": 0}, "duration_minutes"),
    ({"energy_kwh": "1", "started_at": "2026-03-02T11:30:00"}, "started_at"),
])
def test_car_test_arguments_are_checked(app, site, add_rule, call, body, field):
    s = site()
    rule = add_rule(s)
    assert field in call("POST", f"{R}/{rule['id']}/test", s["headers"], 422, json=body)["errors"]["json"]


@pytest.mark.smoke
def test_testing_unsaved_params(app, site, call):
    s = site()
    result = call("POST", "/billing-modes/car_tou/test", s["headers"],
                  json={"params": CAR_TOU, "energy_kwh": "6", "started_at": "2026-03-02T11:30:00+08:00"})
    assert result["bill"]["total"] == "10.50" and "version" not in result
    bike = call("POST", "/billing-modes/bike_duration/test", s["headers"],
                json={"params": BIKE_DURATION, "duration_minutes": 61})
    assert bike["bill"]["total"] == "2.00"
    bad = call("POST", "/billing-modes/car_tou/test", s["headers"], 422,
               json={"params": {**CAR_TOU, "periods": CAR_TOU["periods"][1:]}, "energy_kwh": "1"})
    assert "00:00–08:00 未设置计费时段" in bad["errors"]["json"]["params"]["periods"][0]
    missing = call("POST", "/billing-modes/car_flat/test", s["headers"], 422, json={"params": CAR_FLAT})
    assert "energy_kwh" in missing["errors"]["json"]
    call("POST", "/billing-modes/nope/test", s["headers"], 404, json={"params": {}})


@pytest.mark.smoke
def test_billing_modes_with_their_form_schema(app, site, call):
    s = site()
    car = call("GET", "/billing-modes", s["headers"], query_string={"vehicle": "car"})
    assert [m["identifier"] for m in car] == ["car_flat", "car_tou"]
    flat = car[0]
    assert flat["verbose_name"] == "统一计价" and flat["vehicle"] == "car" and flat["plugin"] == "billing_standard"
    assert flat["schema"]["properties"]["electricity_price"]["x-label"] == "电费单价(元/度)"
    assert set(flat["schema"]["required"]) == {"electricity_price", "service_price"}
    tou = car[1]["schema"]["properties"]
    assert tou["periods"]["items"]["properties"]["start"]["x-label"] == "开始时间"
    assert tou["prices"]["properties"]["peak"]["properties"]["service_price"]["title"] == "服务费单价(元/度)"
    bike = call("GET", "/billing-modes", s["headers"], query_string={"vehicle": "bike"})
    assert {m["identifier"] for m in bike} == {"bike_duration", "bike_power", "bike_energy", "bike_energy_hourly",
                                               "bike_energy_power"}
    assert len(call("GET", "/billing-modes", s["headers"])) == 7
    call("GET", "/billing-modes", s["headers"], 422, query_string={"vehicle": "truck"})
