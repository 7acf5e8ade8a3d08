"""汽车电站 (3.2.1): create with default area, audit, state cascade, search, totals, history, isolation."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.smoke


def _station(world, tenant, status=201, **fields):
    body = {"property_id": tenant["property_id"], "name": "新电站", **fields}
    return world.call("POST", "/car-stations", tenant["headers"], status, json=body)


def test_create_makes_pending_station_with_default_area(car_world):
    a = car_world["A"]
    station = _station(car_world, a, name="光谷站", operation_type="public", max_power_kw="120.5",
                       longitude="114.123456", latitude="30.5")
    assert station["audit_state"] == "pending" and station["enabled"] is True
    assert station["provider_id"] == a["provider_id"] and station["property_id"] == a["property_id"]
    assert station["max_power_kw"] == "120.50" and station["longitude"] == "114.123456"
    assert station["area_count"] == 1 and station["pile_count"] == 0 and station["gun_count"] == 0
    areas = car_world.call("GET", "/car-areas", query_string={"station_id": station["id"]})["items"]
    assert [(x["name"], x["is_default"]) for x in areas] == [("默认区域", True)]
    assert areas[0]["code"].startswith("A")


def test_property_user_creates_under_own_property_only(car_world):
    a, b = car_world["A"], car_world["B"]
    own = car_world.call("POST", "/car-stations", a["property_headers"], 201, json={"name": "物业自建"})
    assert own["property_id"] == a["property_id"]
    car_world.call("POST", "/car-stations", a["property_headers"], 404,
                   json={"name": "越权", "property_id": b["property_id"]})
    car_world.call("POST", "/car-stations", a["headers"], 404, json={"name": "越权", "property_id": b["property_id"]})


def test_create_refused_under_disabled_property_and_validates_fields(car_world):
    from chargehub.extensions import db
    from chargehub.tenancy.models import Property

    a = car_world["A"]
    bad = _station(car_world, a, 422, name="", latitude="91", operation_type="x", contact_phone="123")
    assert set(bad["errors"]["json"]) == {"name", "latitude", "operation_type", "contact_phone"}
    db.session.get(Property, a["property_id"]).enabled = False
    db.session.commit()
    refused = _station(car_world, a, 422)
    assert "已禁用" in refused["errors"]["json"]["property_id"][0]


def test_audit_reject_needs_remark_and_approved_cannot_be_audited_again(car_world):
    a = car_world["A"]
    station = _station(car_world, a)
    url = f"/car-stations/{station['id']}/audit"
    assert "remark" in car_world.call("POST", url, status=422, json={"approved": False})["errors"]["json"]
    rejected = car_world.call("POST", url, json={"approved": False, "remark": "资料不全"})
    assert rejected["audit_state"] == "rejected" and rejected["audit_remark"] == "资料不全"
    assert car_world.call("POST", url, json={"approved": True})["audit_state"] == "approved"
    assert "已审核通过" in car_world.call("POST", url, status=409, json={"approved": True})["message"]
    detail = car_world.call("GET", f"/car-stations/{station['id']}")
    actions = [h["action"] for h in detail["history"]]
    assert actions[:3] == ["car_station.audit", "car_station.audit", "car_station.create"]
    assert detail["history"][0]["detail"]["approved"] is True and detail["history"][0]["actor_name"] == "平台管理员"


def test_pending_station_refuses_piles_and_disabled_station_refuses_areas(car_world):
    from chargehub.assets.car_models import CarStation
    from chargehub.assets.services.common import ensure_accepting
    from chargehub.errors import ValidationFailed
    from chargehub.extensions import db

    a = car_world["A"]
    pending = _station(car_world, a)
    with pytest.raises(ValidationFailed, match="尚未审核通过"):
        ensure_accepting(db.session.get(CarStation, pending["id"]), "station_id", audited=True)
    sid = a["station"]["id"]
    assert car_world.call("POST", f"/car-stations/{sid}/disable")["enabled"] is False
    refused = car_world.call("POST", "/car-areas", status=422, json={"station_id": sid, "name": "B区"})
    assert "已禁用" in refused["errors"]["json"]["station_id"][0]
    car_world.call("POST", f"/car-stations/{sid}/enable")
    car_world.call("POST", "/car-areas", status=201, json={"station_id": sid, "name": "B区"})


def test_update_changes_fields_but_not_owner(car_world):
    a = car_world["A"]
    sid = a["station"]["id"]
    refused = car_world.call("PUT", f"/car-stations/{sid}", a["headers"], 422, json={"property_id": 999})
    assert "property_id" in refused["errors"]["json"]
    updated = car_world.call("PUT", f"/car-stations/{sid}", a["headers"],
                             json={"name": "改名站", "hotline": "95598", "capacity_kva": "630"})
    assert updated["name"] == "改名站" and updated["hotline"] == "95598" and updated["capacity_kva"] == "630.00"
    assert updated["property_id"] == a["property_id"] and updated["updated_by_name"]


@pytest.mark.parametrize("query,expected", [
    ({"name": "光谷"}, {"光谷站"}),
    ({"audit_state": "pending"}, {"光谷站"}),
    ({"audit_state": "approved"}, {"A汽车站", "禁用站"}),
    ({"enabled": "false"}, {"禁用站"}),
    ({"enabled": "true", "audit_state": "approved"}, {"A汽车站"}),
])
def test_search_conditions(car_world, query, expected):
    a = car_world["A"]
    _station(car_world, a, name="光谷站")
    disabled = _station(car_world, a, name="禁用站")
    car_world.call("POST", f"/car-stations/{disabled['id']}/audit", json={"approved": True})
    car_world.call("POST", f"/car-stations/{disabled['id']}/disable")
    page = car_world.call("GET", "/car-stations", a["headers"], query_string=query)
    assert {s["name"] for s in page["items"]} == expected and page["total"] == len(expected)


def test_list_totals_use_a_fixed_number_of_queries(car_world):
    from chargehub.assets.car_models import Gun, Pile
    from chargehub.extensions import db

    a = car_world["A"]
    for n in range(3):
        _station(car_world, a, name=f"站{n}")
    area = a["area"]
    pile = Pile(provider_id=a["provider_id"], property_id=a["property_id"], station_id=a["station"]["id"],
                area_id=area["id"], code="PX0001", factory_id="F-0001", name="1号桩", gun_count=2)
    db.session.add(pile)
    db.session.flush()
    db.session.add_all([Gun(provider_id=a["provider_id"], property_id=a["property_id"], station_id=a["station"]["id"],
                            area_id=area["id"], pile_id=pile.id, number=n, name=f"{n}号枪") for n in (1, 2)])
    db.session.commit()
    statements = []

    def collect(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", collect)
    try:
        page = car_world.call("GET", "/car-stations", a["headers"])
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", collect)
    row = next(s for s in page["items"] if s["id"] == a["station"]["id"])
    assert (row["area_count"], row["pile_count"], row["gun_count"]) == (1, 1, 2)
    assert page["total"] == 4
    counted = [s for s in statements if "count(" in s.lower()]
    assert len(counted) <= 2  # the page total and one grouped totals query, whatever the page size
