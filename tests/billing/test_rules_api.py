"""计费规则 API (3.2.7, 3.3.5): add, list and search, detail, edit, enable / disable, delete, refusals, options."""
from __future__ import annotations

import copy

import pytest

from chargehub.billing.models import BikeBillingRule, BikeBillingRuleVersion, CarBillingRule, CarBillingRuleVersion
from tests.billing.conftest import BIKE_DURATION, CAR_FLAT, CAR_TOU, count_rows

R = "/car/billing-rules"
B = "/bike/billing-rules"


def _nothing_saved():
    assert [count_rows(m) for m in (CarBillingRule, CarBillingRuleVersion, BikeBillingRule, BikeBillingRuleVersion)] \
        == [0, 0, 0, 0]


@pytest.mark.smoke
def test_add_then_list_and_detail(app, site, add_rule, call):
    s = site()
    rule = add_rule(s, name="峰谷计费", mode="car_tou", params=CAR_TOU)
    assert rule["station_name"] == "服务商A汽车站" and rule["area_name"] == "服务商AA区"
    assert rule["mode"] == "car_tou" and rule["mode_name"] == "峰平谷计价" and rule["enabled"] is True
    assert rule["params"] == CAR_TOU and rule["pending_params"] is None and rule["pending_from"] is None
    assert rule["effective_from"] == rule["versions"][0]["effective_from"]
    assert [v["number"] for v in rule["versions"]] == [1] and rule["description"]
    assert rule["created_by_name"] == "服务商A" and rule["options"] == []
    page = call("GET", R, s["headers"])
    assert page["total"] == 1 and page["items"][0]["id"] == rule["id"]
    assert "versions" not in page["items"][0] and page["items"][0]["description"] == rule["description"]
    assert call("GET", f"{R}/{rule['id']}", s["headers"]) == rule
    bike = add_rule(s, "bike")
    assert bike["mode"] == "bike_duration" and bike["params"]["auto_stop_minutes"] == 480
    assert call("GET", B, s["headers"])["total"] == 1


def _second_station(s):
    from chargehub.assets.car_models import CarArea, CarStation
    from chargehub.assets.services.common import next_code
    from chargehub.extensions import db

    owner = {"provider_id": s["provider"].id, "property_id": s["property"].id}
    station = CarStation(**owner, name="东区快充站")
    db.session.add(station)
    db.session.flush()
    area = CarArea(**owner, station_id=station.id, code=next_code(CarArea, "BX"), name="地下车库")
    db.session.add(area)
    db.session.commit()
    return {**s, "car_station": station, "car_area": area}


@pytest.mark.parametrize("condition,expected", [
    (lambda a, b: {"station_name": "汽车站"}, "tou"),
    (lambda a, b: {"station_id": b["car_station"].id}, "flat"),
    (lambda a, b: {"area_id": a["car_area"].id}, "tou"),
    (lambda a, b: {"area_name": "车库"}, "flat"),
    (lambda a, b: {"name": "峰谷"}, "tou"),
    (lambda a, b: {"mode": "car_flat"}, "flat"),
    (lambda a, b: {"enabled": "false"}, "flat"),
    (lambda a, b: {"enabled": "true", "name": "峰谷", "area_name": "A区"}, "tou"),
    (lambda a, b: {"enabled": "true", "mode": "car_flat"}, None),
], ids=["station_name", "station_id", "area_id", "area_name", "name", "mode", "enabled", "combined", "no_match"])
def test_search_by_each_condition(app, site, add_rule, call, condition, expected):
    a = site()
    b = _second_station(a)
    rules = {"tou": add_rule(a, name="峰谷计费", mode="car_tou", params=CAR_TOU),
             "flat": add_rule(b, name="统一计费", enabled=False)}
    page = call("GET", R, a["headers"], query_string=condition(a, b))
    assert [i["id"] for i in page["items"]] == ([rules[expected]["id"]] if expected else [])
    assert page["total"] == (1 if expected else 0)


def test_search_sorts_and_pages(app, site, add_rule, call):
    a = site()
    b = _second_station(a)
    add_rule(a, name="规则一")
    add_rule(b, name="规则二")
    pages = [call("GET", R, a["headers"], query_string={"sort": "-name", "page_size": 1, "page": n}) for n in (1, 2)]
    assert [p["total"] for p in pages] == [2, 2]
    names = [p["items"][0]["name"] for p in pages]
    assert sorted(names, reverse=True) == names and set(names) == {"规则一", "规则二"}
    call("GET", R, a["headers"], 422, query_string={"sort": "nope"})


@pytest.mark.smoke
def test_edit_name_at_once_and_params_from_midnight(app, site, add_rule, call):
    s = site()
    rule = add_rule(s)
    renamed = call("PUT", f"{R}/{rule['id']}", s["headers"], json={"name": "新名称"})
    assert renamed["name"] == "新名称" and renamed["pending_from"] is None and len(renamed["versions"]) == 1
    new = {"electricity_price": "1.20000", "service_price": "0.60000"}
    edited = call("PUT", f"{R}/{rule['id']}", s["headers"], json={"params": new})
    assert edited["params"] == CAR_FLAT and edited["pending_params"] == new
    assert edited["pending_from"] and edited["pending_from"] > edited["effective_from"]
    assert edited["pending_from"].endswith("16:00:00+00:00")  # 00:00 Asia/Shanghai
    assert [v["number"] for v in edited["versions"]] == [2, 1]
    again = call("PUT", f"{R}/{rule['id']}", s["headers"], json={"params": {**new, "service_price": "0.70000"}})
    assert [v["number"] for v in again["versions"]] == [2, 1] and again["pending_params"]["service_price"] == "0.70000"
    switched = call("PUT", f"{R}/{rule['id']}", s["headers"], json={"mode": "car_tou", "params": CAR_TOU})
    assert switched["mode"] == "car_tou" and switched["current_mode"] == "car_flat"
    assert switched["pending_mode"] == "car_tou" and switched["params"] == CAR_FLAT
    missing = call("PUT", f"{R}/{rule['id']}", s["headers"], 422, json={"mode": "car_flat"})
    assert "计费参数" in missing["errors"]["json"]["params"][0]


def test_enable_disable_and_one_enabled_rule_per_area(app, site, add_rule, call):
    s = site()
    first = add_rule(s, name="旧规则")
    refused = add_rule(s, name="新规则", status=422)
    assert "旧规则" in refused["errors"]["json"]["area_id"][0]
    assert count_rows(CarBillingRule) == 1
    assert call("POST", f"{R}/{first['id']}/disable", s["headers"])["enabled"] is False
    second = add_rule(s, name="新规则")
    conflict = call("POST", f"{R}/{first['id']}/enable", s["headers"], 409)
    assert "新规则" in conflict["message"]
    call("POST", f"{R}/{second['id']}/disable", s["headers"])
    assert call("POST", f"{R}/{first['id']}/enable", s["headers"])["enabled"] is True
    assert add_rule(s, name="停用的", enabled=False)["enabled"] is False


@pytest.mark.smoke
def test_delete_takes_the_versions(app, site, add_rule, call):
    s = site()
    rule = add_rule(s)
    call("PUT", f"{R}/{rule['id']}", s["headers"], json={"params": {**CAR_FLAT, "service_price": "0.90000"}})
    assert count_rows(CarBillingRuleVersion) == 2
    call("DELETE", f"{R}/{rule['id']}", s["headers"], 204)
    call("GET", f"{R}/{rule['id']}", s["headers"], 404)
    assert count_rows(CarBillingRule) == 0 and count_rows(CarBillingRuleVersion) == 0


def _tou(**changes):
    params = copy.deepcopy(CAR_TOU)
    params.update(changes)
    return params


PERIODS = CAR_TOU["periods"]
REFUSALS = [
    ("gap", "car", "car_tou", _tou(periods=PERIODS[:-1]), ("params", "periods"), "21:00–24:00 未设置计费时段"),
    ("overlap", "car", "car_tou", _tou(periods=PERIODS + [{"start": "11:00", "end": "13:00", "rate": "peak"}]),
     ("params", "periods"), "重叠"),
    ("boundary", "car", "car_tou",
     _tou(periods=[{"start": "00:00", "end": "08:15", "rate": "valley"},
                   {"start": "08:15", "end": "24:00", "rate": "flat"}]), ("params", "periods", "0", "end"), "整点或半点"),
    ("negative_price", "car", "car_flat", {**CAR_FLAT, "electricity_price": "-1"}, ("params", "electricity_price"),
     "不能为负数"),
    ("threshold_over_48h", "bike", "bike_duration", {**BIKE_DURATION, "auto_stop_minutes": 48 * 60 + 1},
     ("params", "auto_stop_minutes"), "48小时"),
    ("bike_mode_on_car", "car", "bike_duration", BIKE_DURATION, ("mode",), "不能用于汽车计费规则"),
    ("car_mode_on_bike", "bike", "car_flat", CAR_FLAT, ("mode",), "不能用于单车计费规则"),
    ("unknown_mode", "car", "car_nope", CAR_FLAT, ("mode",), "不存在"),
]


@pytest.mark.parametrize("vehicle,mode,params,path,message", [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_invalid_rules_are_refused_with_field_messages_and_nothing_saved(app, site, add_rule, vehicle, mode, params,
                                                                        path, message):
    s = site()
    body = add_rule(s, vehicle, mode=mode, params=params, status=422)
    errors = body["errors"]["json"]
    for key in path:
        errors = errors[key]
    assert message in " ".join(errors if isinstance(errors, list) else [str(errors)]), body
    _nothing_saved()


@pytest.mark.smoke
@pytest.mark.parametrize("vehicle", ["car", "bike"])
@pytest.mark.parametrize("disabled,field,message", [
    ("station", "station_id", "电站「服务商A{side}站」已禁用，不能添加计费规则 (station disabled)"),
    ("area", "area_id", "已禁用，不能添加计费规则 (area disabled)"),
])
def test_disabled_station_or_area_blocks_adding_rules(app, site, add_rule, vehicle, disabled, field, message):
    from chargehub.extensions import db

    s = site()
    s[f"{vehicle}_{disabled}"].enabled = False
    db.session.commit()
    body = add_rule(s, vehicle, status=422)
    assert message.format(side="汽车" if vehicle == "car" else "单车") in body["errors"]["json"][field][0]
    _nothing_saved()


def test_area_of_another_station_is_refused(app, site, add_rule, call):
    s = site()
    other = _second_station(s)
    body = {"station_id": s["car_station"].id, "area_id": other["car_area"].id, "name": "x", "mode": "car_flat",
            "params": CAR_FLAT}
    assert "不属于" in call("POST", R, s["headers"], 422, json=body)["errors"]["json"]["area_id"][0]
    _nothing_saved()


def test_car_prepay_options(app, site, add_rule, call):
    s = site()
    rule = add_rule(s)
    url = f"{R}/{rule['id']}/options"
    saved = call("PUT", url, s["headers"], json={"options": [{"amount": "50"}, {"amount": "100.5"}]})
    assert saved["options"] == [{"amount": "50.00"}, {"amount": "100.50"}]
    too_many = call("PUT", url, s["headers"], 422, json={"options": [{"amount": str(i)} for i in range(1, 14)]})
    assert too_many["errors"]["json"]["options"] == ["最多12条预充值 (at most 12 options)"]
    duplicate = call("PUT", url, s["headers"], 422, json={"options": [{"amount": "50"}, {"amount": "50.00"}]})
    assert "重复" in duplicate["errors"]["json"]["options"]["1"]["amount"][0]
    for bad in ("0", "10000.01", "1.234"):
        body = call("PUT", url, s["headers"], 422, json={"options": [{"amount": bad}]})
        assert body["errors"]["json"]["options"]["0"]["amount"], bad
    assert call("GET", f"{R}/{rule['id']}", s["headers"])["options"] == [{"amount": "50.00"}, {"amount": "100.50"}]
    assert len(call("PUT", url, s["headers"], json={"options": [{"amount": str(i)} for i in range(1, 13)]})["options"]) == 12


def test_bike_estimates_stay_within_the_auto_stop_threshold(app, site, add_rule, call):
    s = site()
    rule = add_rule(s, "bike")
    url = f"{B}/{rule['id']}/options"
    saved = call("PUT", url, s["headers"], json={"options": [{"minutes": 240, "amount": "2"}, {"minutes": 480, "amount": "0"}]})
    assert saved["options"] == [{"minutes": 240, "amount": "2.00"}, {"minutes": 480, "amount": "0.00"}]
    over = call("PUT", url, s["headers"], 422, json={"options": [{"minutes": 481, "amount": "2"}]})
    assert "自停阈值 480" in over["errors"]["json"]["options"]["0"]["minutes"][0]
    negative = call("PUT", url, s["headers"], 422, json={"options": [{"minutes": 60, "amount": "-1"}]})
    assert negative["errors"]["json"]["options"]["0"]["amount"]
    too_many = call("PUT", url, s["headers"], 422, json={"options": [{"minutes": i, "amount": "1"} for i in range(1, 14)]})
    assert too_many["errors"]["json"]["options"] == ["最多12条预估值 (at most 12 options)"]
    assert call("GET", f"{B}/{rule['id']}", s["headers"])["options"] == saved["options"]
