"""设备管理: add with sockets, validation, edit, search, delete rules, device actions, cascade, isolation."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from chargehub.assets.bike_models import BikeDevice, Socket, SocketState
from chargehub.extensions import db

pytestmark = pytest.mark.smoke
D = "/api/v1/admin/devices"


def test_add_creates_numbered_sockets(client, admin_token, bike_site, bike_api):
    area = bike_site["area"]
    device = bike_api.device(area["id"], "860000000001", socket_count=12, rated_power_w="1000.00",
                             current_lower_a="0.50", current_upper_a="3.00", produced_on="2024-01-01",
                             deployed_on="2024-03-01", device_type="十路充电桩", position="车棚北侧")
    assert device["code"].startswith("SB") and device["socket_count"] == 12 and device["online"] is False
    assert device["station_name"] == bike_site["station"]["name"] and device["area_name"] == "默认区域"
    assert device["rated_power_w"] == "1000.00" and device["deployed_on"] == "2024-03-01"
    numbers = db.session.execute(sa.select(Socket.number).where(Socket.device_id == device["id"])
                                 .order_by(Socket.number)).scalars().all()
    assert numbers == list(range(1, 13))


@pytest.mark.parametrize("fields,field,message", [
    ({"socket_count": 1}, "socket_count", "2–12"),
    ({"socket_count": 13}, "socket_count", "2–12"),
    ({"current_lower_a": "5", "current_upper_a": "3"}, "current_lower_a", "电流下限不能大于电流上限"),
    ({"produced_on": "2024-05-01", "deployed_on": "2024-04-30"}, "deployed_on", "投放日期不能早于生产日期"),
    ({"name": ""}, "name", "1–50"),
    ({"rated_voltage_v": "-1"}, "rated_voltage_v", "0–99999999"),
    ({"produced_on": "not-a-date"}, "produced_on", ""),
])
def test_add_validates_fields(client, admin_token, bike_site, fields, field, message):
    body = {"area_id": bike_site["area"]["id"], "factory_id": "D-1", "name": "设备", **fields}
    response = client.post(D, headers=admin_token, json=body)
    assert response.status_code == 422 and message in response.json["errors"]["json"][field][0]
    assert db.session.execute(sa.select(sa.func.count()).select_from(BikeDevice)).scalar_one() == 0


def test_factory_id_is_unique(client, admin_token, bike_site, bike_api):
    bike_api.device(bike_site["area"]["id"], "D-1")
    dup = client.post(D, headers=admin_token, json={"area_id": bike_site["area"]["id"], "factory_id": "D-1", "name": "x"})
    assert dup.status_code == 422 and "「D-1」已存在" in dup.json["errors"]["json"]["factory_id"][0]


def test_pending_station_blocks_devices(client, admin_token, bike_owner, bike_api):
    _, prop, _ = bike_owner()
    station = bike_api.station(prop.id, approved=False)
    area = bike_api.default_area(station["id"])
    response = client.post(D, headers=admin_token, json={"area_id": area["id"], "factory_id": "D-1", "name": "x"})
    assert response.status_code == 422 and "尚未审核通过" in response.json["errors"]["json"]["area_id"][0]


def test_edit_checks_merged_values_and_keeps_fixed_fields(client, admin_token, bike_site, bike_api):
    device = bike_api.device(bike_site["area"]["id"], "D-1", current_lower_a="1.00", current_upper_a="3.00",
                             produced_on="2024-01-01")
    low = client.put(f"{D}/{device['id']}", headers=admin_token, json={"current_upper_a": "0.50"})
    assert low.status_code == 422 and "电流下限" in low.json["errors"]["json"]["current_lower_a"][0]
    early = client.put(f"{D}/{device['id']}", headers=admin_token, json={"deployed_on": "2023-12-31"})
    assert early.status_code == 422 and "deployed_on" in early.json["errors"]["json"]
    for fixed in ({"socket_count": 4}, {"factory_id": "D-2"}, {"area_id": 1}):
        response = client.put(f"{D}/{device['id']}", headers=admin_token, json=fixed)
        assert response.status_code == 422 and set(fixed) <= set(response.json["errors"]["json"])
    edited = client.put(f"{D}/{device['id']}", headers=admin_token,
                        json={"name": "北区设备", "current_upper_a": "2.50", "deployed_on": "2024-02-01"}).json
    assert (edited["name"], edited["current_upper_a"], edited["deployed_on"]) == ("北区设备", "2.50", "2024-02-01")


@pytest.mark.parametrize("search", ["station_id", "area_id", "code", "factory_id", "name", "enabled", "online"])
def test_every_search_field(client, admin_token, bike_owner, bike_api, search):
    _, prop, _ = bike_owner()
    area_1 = bike_api.default_area(bike_api.station(prop.id, name="东站")["id"])
    area_2 = bike_api.default_area(bike_api.station(prop.id, name="西站")["id"])
    first = bike_api.device(area_1["id"], "860011", name="东门设备")
    second = bike_api.device(area_2["id"], "860022", name="西门设备")
    client.post(f"{D}/{second['id']}/disable", headers=admin_token)
    db.session.get(BikeDevice, first["id"]).online = True
    db.session.commit()
    value = {"station_id": first["station_id"], "area_id": first["area_id"], "code": first["code"],
             "factory_id": "8600 1".replace(" ", ""), "name": "东门", "enabled": "true", "online": "true"}[search]
    found = client.get(D, headers=admin_token, query_string={search: value}).json
    assert [d["id"] for d in found["items"]] == [first["id"]] and found["total"] == 1


def test_delete_refused_while_a_socket_charges(client, admin_token, bike_site, bike_api):
    device = bike_api.device(bike_site["area"]["id"], "D-1", socket_count=4)
    socket = db.session.execute(sa.select(Socket).where(Socket.device_id == device["id"], Socket.number == 3)).scalar_one()
    socket.state = SocketState.CHARGING
    db.session.commit()
    refused = client.delete(f"{D}/{device['id']}", headers=admin_token)
    assert refused.status_code == 409 and "3 号插座正在充电" in refused.json["message"]
    db.session.rollback()
    db.session.get(Socket, socket.id).state = SocketState.IDLE
    db.session.commit()
    assert client.delete(f"{D}/{device['id']}", headers=admin_token).status_code == 204
    assert db.session.execute(sa.select(sa.func.count()).select_from(Socket)).scalar_one() == 0
    assert client.get(f"{D}/{device['id']}", headers=admin_token).status_code == 404


def test_device_actions_on_an_unconnected_device_answer_offline_fast(client, admin_token, bike_site, bike_api):
    device = bike_api.device(bike_site["area"]["id"], "D-1")
    for name in ("refresh_state", "reboot"):
        started = time.monotonic()
        response = client.post(f"{D}/{device['id']}/commands/{name}", headers=admin_token)
        assert time.monotonic() - started < 1.0
        assert response.status_code == 200 and response.json["status"] == "offline" and response.json["reason"]
    unknown = client.post(f"{D}/{device['id']}/commands/sync_clock", headers=admin_token)
    assert unknown.status_code == 422 and "不支持的命令" in unknown.json["errors"]["json"]["name"][0]


def test_enable_disable(client, admin_token, bike_site, bike_api):
    device = bike_api.device(bike_site["area"]["id"], "D-1")
    assert client.post(f"{D}/{device['id']}/disable", headers=admin_token).json["enabled"] is False
    assert client.post(f"{D}/{device['id']}/enable", headers=admin_token).json["enabled"] is True


def test_another_tenant_gets_404(client, bike_owner, bike_api):
    _, prop_a, headers_a = bike_owner("服务商A")
    _, _, headers_b = bike_owner("服务商B")
    area = bike_api.default_area(bike_api.station(prop_a.id, headers=headers_a)["id"], headers=headers_a)
    device = bike_api.device(area["id"], "D-1", headers=headers_a)
    for method, url in (("GET", f"{D}/{device['id']}"), ("PUT", f"{D}/{device['id']}"),
                        ("DELETE", f"{D}/{device['id']}"), ("POST", f"{D}/{device['id']}/commands/reboot"),
                        ("POST", f"{D}/{device['id']}/disable")):
        assert client.open(url, method=method, headers=headers_b, json={"name": "x"}).status_code == 404
    assert client.post(D, headers=headers_b, json={"area_id": area["id"], "factory_id": "D-2", "name": "x"}
                       ).status_code == 404
    assert client.get(D, headers=headers_b).json["total"] == 0
