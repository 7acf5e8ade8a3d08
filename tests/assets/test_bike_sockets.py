"""插座管理: search, charging URL, enable / disable, usability, isolation."""
from __future__ import annotations

import pytest

from chargehub.assets.bike_models import BikeArea, Socket, SocketState
from chargehub.extensions import db

pytestmark = pytest.mark.smoke
K = "/api/v1/admin/sockets"


@pytest.fixture
def bike_two_devices(bike_owner, bike_api):
    """Two 2-socket devices in two stations; socket 1 of the first is charging, the second device's
    sockets are disabled."""
    _, prop, _ = bike_owner()
    area_1 = bike_api.default_area(bike_api.station(prop.id, name="东站")["id"])
    area_2 = bike_api.default_area(bike_api.station(prop.id, name="西站")["id"])
    first = bike_api.device(area_1["id"], "860011", name="东门设备")
    second = bike_api.device(area_2["id"], "860022", name="西门设备")
    for socket in db.session.execute(db.select(Socket).where(Socket.device_id == second["id"])).scalars():
        socket.enabled = False
    db.session.execute(db.update(Socket).where(Socket.device_id == first["id"], Socket.number == 1)
                       .values(state=SocketState.CHARGING))
    db.session.commit()
    return first, second


@pytest.mark.parametrize("search,expected", [
    ("station_id", [1, 2]), ("area_id", [1, 2]), ("device_code", [1, 2]), ("factory_id", [1, 2]),
    ("device_name", [1, 2]), ("state", [1]), ("enabled", [1, 2]),
])
def test_every_search_field(client, admin_token, bike_two_devices, search, expected):
    first, _ = bike_two_devices
    value = {"station_id": first["station_id"], "area_id": first["area_id"], "device_code": first["code"],
             "factory_id": "86001", "device_name": "东门", "state": "charging", "enabled": "true"}[search]
    found = client.get(K, headers=admin_token, query_string={search: value, "sort": "number"}).json
    assert [(s["device_id"], s["number"]) for s in found["items"]] == [(first["id"], n) for n in expected]
    assert client.get(K, headers=admin_token).json["total"] == 4


def test_item_carries_device_and_charge_url(client, admin_token, bike_two_devices):
    first, _ = bike_two_devices
    socket = db.session.execute(db.select(Socket).where(Socket.device_id == first["id"], Socket.number == 2)).scalar_one()
    item = client.get(f"{K}/{socket.id}", headers=admin_token).json
    assert item["charge_url"] == f"http://localhost/h5/charge/s/{socket.qr_token}"
    assert (item["device_code"], item["device_name"], item["factory_id"]) == (first["code"], "东门设备", "860011")
    assert item["station_name"] == "东站" and item["area_name"] == "默认区域" and item["state"] == "idle"


def test_enable_disable_and_usability(client, admin_token, bike_two_devices):
    from chargehub.assets.services.sockets import socket_usable

    first, _ = bike_two_devices
    socket_id = db.session.execute(db.select(Socket.id).where(Socket.device_id == first["id"], Socket.number == 2)).scalar()
    assert client.post(f"{K}/{socket_id}/disable", headers=admin_token).json["enabled"] is False
    assert socket_usable(db.session.get(Socket, socket_id)) is False
    assert client.post(f"{K}/{socket_id}/enable", headers=admin_token).json["enabled"] is True
    assert socket_usable(db.session.get(Socket, socket_id)) is True
    db.session.get(BikeArea, first["area_id"]).enabled = False
    db.session.commit()
    assert socket_usable(db.session.get(Socket, socket_id)) is False


def test_another_tenant_gets_404(client, bike_owner, bike_api):
    _, prop_a, headers_a = bike_owner("服务商A")
    _, _, headers_b = bike_owner("服务商B")
    area = bike_api.default_area(bike_api.station(prop_a.id, headers=headers_a)["id"], headers=headers_a)
    device = bike_api.device(area["id"], "D-1", headers=headers_a)
    socket_id = db.session.execute(db.select(Socket.id).where(Socket.device_id == device["id"])).scalars().first()
    for method, url in (("GET", f"{K}/{socket_id}"), ("POST", f"{K}/{socket_id}/disable")):
        assert client.open(url, method=method, headers=headers_b).status_code == 404
    assert client.get(K, headers=headers_b).json["total"] == 0
    assert client.get(K, headers=headers_a).json["total"] == 2
