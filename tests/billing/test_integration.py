"""Billing rules and the rest: area deletes, the pile's 计费详情 and sync, permissions, tenant isolation."""
from __future__ import annotations

import pytest

from chargehub.billing.models import CarBillingRule
from tests.billing.conftest import CAR_FLAT, CAR_TOU, count_rows

R = "/car/billing-rules"
B = "/bike/billing-rules"


@pytest.mark.smoke
def test_bike_area_with_billing_rules_cannot_be_deleted(app, site, add_rule, call):
    s = site()
    rule = add_rule(s, "bike")
    area_url = f"/bike-areas/{s['bike_area'].id}"
    refused = call("DELETE", area_url, s["headers"], 409)
    assert refused["message"].startswith("区域下有计费规则，请先删除计费规则 (delete the area's billing rules first")
    call("GET", area_url, s["headers"])
    call("DELETE", f"{B}/{rule['id']}", s["headers"], 204)
    call("DELETE", area_url, s["headers"], 204)


def test_car_area_with_billing_rules_cannot_be_deleted(app, site, add_rule):
    """Car areas have no delete action (manual 3.2.2); the one guard any area delete calls refuses for them too."""
    from chargehub.billing.services.rules import ensure_area_has_no_rules
    from chargehub.errors import Conflict

    s = site()
    ensure_area_has_no_rules("car", s["car_area"].id)
    add_rule(s)
    with pytest.raises(Conflict, match="请先删除计费规则"):
        ensure_area_has_no_rules("car", s["car_area"].id)


def _pile(s):
    from chargehub.assets.car_models import Pile
    from chargehub.extensions import db

    pile = Pile(provider_id=s["provider"].id, property_id=s["property"].id, station_id=s["car_station"].id,
                area_id=s["car_area"].id, code="ZB0001", factory_id="32010000000099", name="1号桩", gun_count=1)
    db.session.add(pile)
    db.session.commit()
    return pile


@pytest.mark.smoke
def test_pile_billing_details_show_the_rule_in_force_and_its_ykc_model(app, site, add_rule, call):
    s = site()
    pile = _pile(s)
    none = call("GET", f"/piles/{pile.id}/billing", s["headers"])
    assert none["rule"] is None and "尚未配置计费规则" in none["message"]
    assert call("POST", f"/piles/{pile.id}/commands/sync_billing", s["headers"], 409)
    rule = add_rule(s, mode="car_tou", params=CAR_TOU)
    billing = call("GET", f"/piles/{pile.id}/billing", s["headers"])
    assert billing == call("GET", f"/piles/{pile.id}/billing", s["headers"])
    assert (billing["station_id"], billing["area_id"]) == (s["car_station"].id, s["car_area"].id)
    assert billing["station_name"] == "服务商A汽车站" and billing["area_name"] == "服务商AA区"
    assert billing["rule"]["id"] == rule["id"] and billing["rule"]["params"] == CAR_TOU
    assert billing["mode_name"] == "峰平谷计价" and billing["description"] == rule["description"]
    assert billing["effective_from"] == rule["effective_from"]
    assert billing["ykc"]["slots"] == [3] * 16 + [1] * 8 + [2] * 12 + [0] * 6 + [3] * 6
    assert billing["ykc"]["prices"][1] == {"rate": "peak", "electricity_price": "1.20000", "service_price": "0.80000"}
    assert call("POST", f"/piles/{pile.id}/commands/sync_billing", s["headers"])["status"] == "offline"
    call("POST", f"{R}/{rule['id']}/disable", s["headers"])
    assert call("GET", f"/piles/{pile.id}/billing", s["headers"])["rule"] is None


def _limited_user(s, permissions):
    from chargehub.extensions import db
    from chargehub.tenancy.models import User, UserType
    from chargehub.tenancy.org_models import Role
    from chargehub.tenancy.passwords import hash_password

    role = Role(user_type=UserType.PROVIDER, provider_id=s["provider"].id, name="计费员", permissions=permissions)
    user = User(phone="13500000001", name="计费员", password_hash=hash_password("staff-pass-1"),
                user_type=UserType.PROVIDER, provider_id=s["provider"].id, roles=[role])
    db.session.add_all([role, user])
    db.session.commit()
    return user


@pytest.mark.smoke
def test_permissions(app, site, add_rule, call, auth_headers):
    s = site()
    rule = add_rule(s)
    viewer = auth_headers(_limited_user(s, ["car.rule:list", "car.rule:detail"]))
    assert call("GET", R, viewer)["total"] == 1
    call("GET", f"{R}/{rule['id']}", viewer)
    denied = call("POST", f"{R}/{rule['id']}/test", viewer, 403, json={"energy_kwh": "1"})
    assert "car.rule:test" in denied["message"]
    call("PUT", f"{R}/{rule['id']}/options", viewer, 403, json={"options": []})
    call("PUT", f"{R}/{rule['id']}", viewer, 403, json={"name": "x"})
    call("POST", f"{R}/{rule['id']}/disable", viewer, 403)
    call("DELETE", f"{R}/{rule['id']}", viewer, 403)
    call("GET", B, viewer, 403)
    assert len(call("GET", "/billing-modes", viewer)) == 7
    call("POST", "/billing-modes/car_flat/test", viewer, 403, json={"params": CAR_FLAT, "energy_kwh": "1"})


def test_modes_need_a_rule_menu_and_tests_the_side_permission(app, site, call, auth_headers):
    s = site()
    nobody = auth_headers(_limited_user(s, ["car.pile:list"]))
    call("GET", "/billing-modes", nobody, 403)
    from chargehub.extensions import db
    from chargehub.tenancy.org_models import Role

    role = db.session.execute(db.select(Role).where(Role.name == "计费员")).scalar_one()
    role.permissions = ["car.rule:test"]
    db.session.commit()
    assert call("POST", "/billing-modes/car_flat/test", nobody, json={"params": CAR_FLAT, "energy_kwh": "1"})
    call("POST", "/billing-modes/bike_duration/test", nobody, 403, json={"params": {}, "duration_minutes": 1})


@pytest.mark.smoke
def test_another_tenant_gets_404_and_changes_nothing(app, site, add_rule, call):
    a, b = site("服务商A"), site("服务商B")
    car, bike = add_rule(a), add_rule(a, "bike")
    for base, rule in ((R, car), (B, bike)):
        item = f"{base}/{rule['id']}"
        for method, url, body in (("GET", item, None), ("PUT", item, {"name": "x"}), ("DELETE", item, None),
                                  ("POST", f"{item}/enable", None), ("POST", f"{item}/disable", None),
                                  ("PUT", f"{item}/options", {"options": []}),
                                  ("POST", f"{item}/test", {"energy_kwh": "1", "duration_minutes": 1})):
            call(method, url, b["headers"], 404, json=body)
        assert call("GET", base, b["headers"])["total"] == 0
    body = {"station_id": a["car_station"].id, "area_id": a["car_area"].id, "name": "x", "mode": "car_flat",
            "params": CAR_FLAT}
    call("POST", R, b["headers"], 404, json=body)
    call("POST", R, b["headers"], 404, json={**body, "station_id": b["car_station"].id})
    call("GET", f"/piles/{_pile(a).id}/billing", b["headers"], 404)
    assert count_rows(CarBillingRule) == 1
    assert call("GET", f"{R}/{car['id']}", a["headers"])["name"] == "标准计费"
