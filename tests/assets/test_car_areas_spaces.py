"""区域 (3.2.2) and 车位 (3.2.3): add, edit, state, counts, search conditions, lock commands."""
from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.smoke


def _area(world, tenant, status=201, **fields):
    return world.call("POST", "/car-areas", tenant["headers"], status,
                      json={"station_id": tenant["station"]["id"], "name": "B区", **fields})


def _spaces(world, tenant, area_id, count=2, status=201, **fields):
    return world.call("POST", "/spaces", tenant["headers"], status,
                      json={"area_id": area_id, "count": count, **fields})


def test_area_add_edit_state_and_counts(car_world):
    a = car_world["A"]
    area = _area(car_world, a, phone="027-1234", power_kw="250.5")
    assert area["code"].startswith("A") and area["power_kw"] == "250.50" and area["station_name"] == "A汽车站"
    assert (area["space_count"], area["pile_count"], area["gun_count"]) == (0, 0, 0)
    _spaces(car_world, a, area["id"], count=3)
    edited = car_world.call("PUT", f"/car-areas/{area['id']}", a["headers"], json={"name": "C区", "power_kw": "80"})
    assert edited["name"] == "C区" and edited["power_kw"] == "80.00" and edited["space_count"] == 3
    assert car_world.call("POST", f"/car-areas/{area['id']}/disable", a["headers"])["enabled"] is False
    refused = _spaces(car_world, a, area["id"], status=422)
    assert "已禁用" in refused["errors"]["json"]["area_id"][0]
    assert "name" in _area(car_world, a, 422, name="")["errors"]["json"]
    assert "power_kw" in _area(car_world, a, 422, power_kw="-1")["errors"]["json"]


@pytest.mark.parametrize("query,expected", [
    ({"name": "东"}, {"东区"}),
    ({"enabled": "false"}, {"西区"}),
    ({"enabled": "true"}, {"默认区域", "东区"}),
    ({"station_id": "own"}, {"默认区域", "东区", "西区"}),
    ({"code": "east"}, {"东区"}),
])
def test_area_search_conditions(car_world, query, expected):
    a = car_world["A"]
    east = _area(car_world, a, name="东区")
    west = _area(car_world, a, name="西区")
    car_world.call("POST", f"/car-areas/{west['id']}/disable", a["headers"])
    other = car_world.call("POST", "/car-stations", a["headers"], 201, json={"property_id": a["property_id"], "name": "另站"})
    query = dict(query)
    if query.get("station_id") == "own":
        query["station_id"] = a["station"]["id"]
    if query.get("code") == "east":
        query["code"] = east["code"]
    page = car_world.call("GET", "/car-areas", a["headers"], query_string=query)
    names = {x["name"] for x in page["items"] if x["station_id"] != other["id"] or "station_id" in query}
    assert names == expected


def test_batch_spaces_named_in_sequence_and_validated(car_world):
    a = car_world["A"]
    area_id = a["area"]["id"]
    first = _spaces(car_world, a, area_id, count=3, lock_type="camera_lock")
    assert [s["name"] for s in first] == ["车位001", "车位002", "车位003"]
    assert all(s["code"].startswith("P") and s["lock_type"] == "camera_lock" for s in first)
    more = _spaces(car_world, a, area_id, count=2, name_prefix="B")
    assert [s["name"] for s in more] == ["B004", "B005"] and more[0]["lock_type"] == "none"
    for count in (0, 201):
        assert "1–200" in _spaces(car_world, a, area_id, count=count, status=422)["errors"]["json"]["count"][0]
    assert "lock_type" in _spaces(car_world, a, area_id, lock_type="x", status=422)["errors"]["json"]
    _spaces(car_world, a, car_world["B"]["area"]["id"], status=404)
    edited = car_world.call("PUT", f"/spaces/{first[0]['id']}", a["headers"], json={"name": "VIP1", "lock_type": "ground_lock"})
    assert edited["name"] == "VIP1" and edited["lock_type"] == "ground_lock" and edited["area_name"] == "默认区域"
    assert car_world.call("POST", f"/spaces/{first[0]['id']}/disable", a["headers"])["enabled"] is False


@pytest.mark.parametrize("key", ["station_id", "area_id", "code", "name", "enabled", "lock_type"])
def test_space_search_conditions(car_world, key):
    a = car_world["A"]
    other_area = _area(car_world, a, name="东区")
    x = _spaces(car_world, a, a["area"]["id"], count=1, lock_type="camera_lock", name_prefix="甲")[0]
    y = _spaces(car_world, a, other_area["id"], count=1, name_prefix="乙")[0]
    car_world.call("POST", f"/spaces/{y['id']}/disable", a["headers"])
    other_station = car_world.call("POST", "/car-stations", a["headers"], 201,
                                   json={"property_id": a["property_id"], "name": "另站"})
    values = {"station_id": (a["station"]["id"], {x["id"], y["id"]}), "area_id": (other_area["id"], {y["id"]}),
              "code": (x["code"], {x["id"]}), "name": ("乙", {y["id"]}), "enabled": ("false", {y["id"]}),
              "lock_type": ("camera_lock", {x["id"]})}
    value, expected = values[key]
    page = car_world.call("GET", "/spaces", a["headers"], query_string={key: value})
    assert {s["id"] for s in page["items"]} == expected and other_station["id"] not in {s["station_id"] for s in page["items"]}


def test_lock_without_camera_is_refused_and_with_camera_answers_offline_fast(car_world):
    a = car_world["A"]
    space = _spaces(car_world, a, a["area"]["id"], count=1, lock_type="camera_lock")[0]
    refused = car_world.call("POST", f"/spaces/{space['id']}/unlock", a["headers"], 422)
    assert "该车位没有可控制的地锁设备" in refused["errors"]["json"]["space_id"][0]
    camera = car_world.call("POST", "/cameras", a["headers"], 201, json={
        "area_id": a["area"]["id"], "factory_id": "CAM-LOCK-1", "ip": "10.0.0.8", "name": "1号相机",
        "right_space_id": space["id"]})
    for action in ("unlock", "lock"):
        started = time.monotonic()
        answer = car_world.call("POST", f"/spaces/{space['id']}/{action}", a["headers"])
        assert time.monotonic() - started < 1
        assert answer["status"] == "offline" and answer["reason"] and answer["data"] == {}
    car_world.call("POST", f"/cameras/{camera['id']}/disable", a["headers"])
    assert "相机已禁用" in car_world.call("POST", f"/spaces/{space['id']}/lock", a["headers"], 409)["message"]


def test_foreign_areas_and_spaces_answer_404(car_world):
    a, b = car_world["A"], car_world["B"]
    space = _spaces(car_world, a, a["area"]["id"], count=1)[0]
    for method, url in (("GET", f"/car-areas/{a['area']['id']}"), ("PUT", f"/car-areas/{a['area']['id']}"),
                        ("GET", f"/spaces/{space['id']}"), ("POST", f"/spaces/{space['id']}/lock")):
        car_world.call(method, url, b["headers"], 404, json={} if method != "GET" else None)
    car_world.call("POST", "/car-areas", b["headers"], 404, json={"station_id": a["station"]["id"], "name": "x"})
    assert car_world.call("GET", "/spaces", b["headers"])["total"] == 0
