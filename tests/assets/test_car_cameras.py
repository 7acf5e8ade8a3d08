"""相机管理 (3.2.4): add / edit rules, search conditions, device actions through the command bus."""
from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.smoke


@pytest.fixture
def site(car_world):
    """Tenant A with four spaces in its default area and a second area with one space."""
    a = car_world["A"]
    spaces = car_world.call("POST", "/spaces", a["headers"], 201, json={"area_id": a["area"]["id"], "count": 4})
    other = car_world.call("POST", "/car-areas", a["headers"], 201, json={"station_id": a["station"]["id"], "name": "东区"})
    far = car_world.call("POST", "/spaces", a["headers"], 201, json={"area_id": other["id"], "count": 1})[0]
    return {"tenant": a, "spaces": spaces, "other_area": other, "far_space": far}


def _camera(world, site, status=201, **fields):
    a = site["tenant"]
    body = {"area_id": a["area"]["id"], "factory_id": "CAM-0001", "ip": "192.168.1.10", "name": "1号相机", **fields}
    return world.call("POST", "/cameras", a["headers"], status, json=body)


def test_add_and_edit_camera(car_world, site):
    s = site["spaces"]
    camera = _camera(car_world, site, sim="8986001", left_space_id=s[0]["id"], right_space_id=s[1]["id"])
    assert camera["code"].startswith("C") and camera["left_space_name"] == "车位001"
    assert camera["right_space_name"] == "车位002" and camera["station_name"] == "A汽车站" and camera["online"] is False
    edited = car_world.call("PUT", f"/cameras/{camera['id']}", site["tenant"]["headers"],
                            json={"ip": "fe80::1", "name": "改名", "right_space_id": None, "factory_id": "CAM-0009"})
    assert (edited["ip"], edited["name"], edited["right_space_id"], edited["factory_id"]) == ("fe80::1", "改名", None, "CAM-0009")
    assert edited["left_space_id"] == s[0]["id"]


@pytest.mark.parametrize("fields,field,message", [
    ({"ip": "300.1.1.1"}, "ip", "不是有效的 IPv4/IPv6 地址"),
    ({"ip": "abc"}, "ip", "不是有效的 IPv4/IPv6 地址"),
    ({"factory_id": "CAM-USED"}, "factory_id", "已存在"),
    ({"left_space_id": "same", "right_space_id": "same"}, "right_space_id", "不能相同"),
    ({"left_space_id": "far"}, "left_space_id", "不在相机所在区域"),
    ({"right_space_id": "used"}, "right_space_id", "已被相机"),
    ({"name": ""}, "name", "1–50"),
])
def test_camera_validation(car_world, site, fields, field, message):
    s = site["spaces"]
    _camera(car_world, site, factory_id="CAM-USED", left_space_id=s[3]["id"])
    ids = {"same": s[0]["id"], "far": site["far_space"]["id"], "used": s[3]["id"]}
    fields = {k: ids.get(v, v) if isinstance(v, str) and k.endswith("space_id") else v for k, v in fields.items()}
    answer = _camera(car_world, site, 422, **fields)
    assert message in answer["errors"]["json"][field][0]


def test_edit_cannot_take_another_cameras_space_or_factory_id(car_world, site):
    s, h = site["spaces"], site["tenant"]["headers"]
    first = _camera(car_world, site, left_space_id=s[0]["id"])
    second = _camera(car_world, site, factory_id="CAM-0002", left_space_id=s[1]["id"])
    assert "已被相机" in car_world.call("PUT", f"/cameras/{second['id']}", h, 422,
                                     json={"right_space_id": s[0]["id"]})["errors"]["json"]["right_space_id"][0]
    assert "已存在" in car_world.call("PUT", f"/cameras/{second['id']}", h, 422,
                                   json={"factory_id": first["factory_id"]})["errors"]["json"]["factory_id"][0]
    car_world.call("PUT", f"/cameras/{first['id']}", h, json={"left_space_id": s[0]["id"], "factory_id": "CAM-0001"})
    car_world.call("POST", "/cameras", car_world["B"]["headers"], 404,
                   json={"area_id": site["tenant"]["area"]["id"], "factory_id": "X-1", "name": "x"})
    b_space = car_world.call("POST", "/spaces", car_world["B"]["headers"], 201,
                             json={"area_id": car_world["B"]["area"]["id"], "count": 1})[0]
    car_world.call("PUT", f"/cameras/{first['id']}", h, 404, json={"right_space_id": b_space["id"]})


@pytest.mark.parametrize("key", ["station_id", "area_id", "code", "factory_id", "ip", "space_id"])
def test_camera_search_conditions(car_world, site, key):
    s = site["spaces"]
    x = _camera(car_world, site, factory_id="HIK-A1", ip="10.1.1.1", left_space_id=s[0]["id"])
    y = _camera(car_world, site, factory_id="DAH-B2", ip="10.2.2.2", area_id=site["other_area"]["id"],
                right_space_id=site["far_space"]["id"])
    values = {"station_id": (site["tenant"]["station"]["id"], {x["id"], y["id"]}),
              "area_id": (site["other_area"]["id"], {y["id"]}), "code": (x["code"], {x["id"]}),
              "factory_id": ("dah", {y["id"]}), "ip": ("10.1.", {x["id"]}), "space_id": (site["far_space"]["id"], {y["id"]})}
    value, expected = values[key]
    page = car_world.call("GET", "/cameras", site["tenant"]["headers"], query_string={key: value})
    assert {c["id"] for c in page["items"]} == expected and page["total"] == len(expected)


@pytest.mark.parametrize("action", ["reboot", "sync_clock", "capture", "sync_lock_state", "refresh_state", "lock", "unlock"])
def test_device_actions_answer_offline_quickly_and_are_logged(car_world, site, action):
    from chargehub.extensions import db
    from chargehub.tenancy.audit_log import AuditLog

    camera = _camera(car_world, site)
    started = time.monotonic()
    answer = car_world.call("POST", f"/cameras/{camera['id']}/commands/{action}", site["tenant"]["headers"])
    assert time.monotonic() - started < 1
    assert answer["status"] == "offline" and answer["reason"]
    entry = db.session.execute(db.select(AuditLog).where(AuditLog.action == f"device.{action}")).scalar_one()
    assert entry.target_id == camera["id"] and entry.detail["device_id"] == "CAM-0001"


def test_disabled_camera_refuses_actions_and_unknown_action_is_422(car_world, site):
    h = site["tenant"]["headers"]
    camera = _camera(car_world, site)
    assert "未知的相机指令" in car_world.call("POST", f"/cameras/{camera['id']}/commands/explode", h, 422)["errors"]["json"]["name"][0]
    assert car_world.call("POST", f"/cameras/{camera['id']}/disable", h)["enabled"] is False
    assert "相机已禁用" in car_world.call("POST", f"/cameras/{camera['id']}/commands/capture", h, 409)["message"]
    car_world.call("POST", f"/cameras/{camera['id']}/commands/capture", car_world["B"]["headers"], 404)
    car_world.call("POST", f"/cameras/{camera['id']}/enable", h)
    assert car_world.call("POST", f"/cameras/{camera['id']}/commands/capture", h)["status"] == "offline"
