"""实时状态 of e-bike chargers and sockets, and their MQTT 账号: liveness, faults in words, live figures,
nulls without a live row, the account state without the password, 查看账号 / 重置密码 (audited), scope and
permissions."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from chargehub.assets.bike_models import AccountState, SocketState
from chargehub.devices import accounts
from chargehub.devices.bike_models import SocketLive
from chargehub.extensions import db
from chargehub.plugins.store import secret_box
from chargehub.tenancy.audit_log import AuditLog
from chargehub.tenancy.models import User, UserType
from chargehub.tenancy.org_models import Role
from chargehub.tenancy.passwords import hash_password
from tests.devices_admin.conftest import add_socket_live, add_sockets, utc

pytestmark = pytest.mark.smoke
API = "/api/v1/admin"
DEVICE_FAULTS = [{"bit": 0, "code": "0001", "text": "未接地 (not grounded)"},
                 {"bit": 6, "code": "0064", "text": "急停 (emergency stop)"}]


def _mark_online(device, password: bool = True) -> str | None:
    """Device online since 08:00 UTC, firmware BK-2.0.3, device-level faults 未接地 + 急停, account active."""
    device.online, device.last_heartbeat_at = True, utc(2025, 3, 1, 10, 0, 30)
    device.online_changed_at, device.firmware = utc(2025, 3, 1, 8), "BK-2.0.3"
    device.fault_bits, device.faults = 65, DEVICE_FAULTS
    issued = accounts.issue_password(device) if password else None
    device.account_state, device.account_synced_at = AccountState.ACTIVE, utc(2025, 3, 1, 7, 59)
    db.session.commit()
    return issued


def _role_user(tenant: dict, phone: str, permissions: list[str], auth_headers) -> dict:
    user = User(phone=phone, name="受限", password_hash=hash_password("pass-123456"), user_type=UserType.PROVIDER,
                provider_id=tenant["provider_id"])
    user.roles.append(Role(user_type=UserType.PROVIDER, provider_id=tenant["provider_id"], name=f"角色{phone[-4:]}",
                           permissions=permissions))
    db.session.add(user)
    db.session.commit()
    return auth_headers(user)


def test_device_status_carries_liveness_faults_account_and_each_sockets_live_figures(world):
    a = world["A"]
    device = a["device"]
    password = _mark_online(device)
    socket1, socket2 = add_sockets(device)
    socket1.state = SocketState.CHARGING
    db.session.commit()
    add_socket_live(socket1)
    response = world["client"].get(f"{API}/bike-devices/{device.id}/status", headers=a["headers"])
    assert response.status_code == 200, response.json
    status = response.json
    assert (status["id"], status["code"], status["name"], status["factory_id"]) == (
        device.id, "AD0001", "A单车设备", "A-DEV-1")
    assert status["online"] is True and status["enabled"] is True and status["protocol"] == "bike_mqtt"
    assert status["last_heartbeat_at"].startswith("2025-03-01T10:00:30")
    assert status["online_changed_at"].startswith("2025-03-01T08:00:00")
    assert status["firmware"] == "BK-2.0.3"
    assert (status["fault_bits"], status["fault_code"]) == (65, "0065")
    assert status["faults"] == ["未接地 (not grounded)", "急停 (emergency stop)"]
    assert status["account"]["state"] == "active" and status["account"]["error"] == ""
    assert status["account"]["synced_at"].startswith("2025-03-01T07:59:00")
    assert password and password not in response.get_data(as_text=True) and "password" not in status["account"]
    assert [s["number"] for s in status["sockets"]] == [1, 2]
    live = status["sockets"][0]
    assert (live["id"], live["state"], live["enabled"]) == (socket1.id, "charging", True)
    assert (live["voltage_v"], live["current_a"], live["power_w"]) == ("220.5", "1.825", 402)
    assert (live["energy_kwh"], live["elapsed_s"], live["trade_no"]) == ("0.3120", 2765, "B20250301100000000001")
    assert (live["fault_bits"], live["fault_code"]) == (36, "0036")
    assert live["faults"] == ["过流 (over-current)", "电表故障 (meter fault)"]
    assert live["last_start"]["accepted"] is True and live["last_start"]["order"] == "B20250301100000000001"
    assert live["last_stop"] == {"accepted": False, "reason_code": "idle", "reason": "插座空闲 (socket idle)",
                                 "at": "2025-03-01T09:10:00+00:00"}
    assert live["updated_at"].startswith("2025-03-01T10:00:00")
    # the second socket never reported: its live figures are unknown (null), not zeros
    silent = status["sockets"][1]
    assert silent["id"] == socket2.id and silent["state"] == "idle" and silent["faults"] == []
    for field in ("voltage_v", "current_a", "power_w", "energy_kwh", "elapsed_s", "trade_no", "fault_bits",
                  "fault_code", "last_start", "last_stop", "updated_at"):
        assert silent[field] is None, field


def test_offline_device_that_never_reported(world):
    a = world["A"]
    add_sockets(a["device"])
    status = world["client"].get(f"{API}/bike-devices/{a['device'].id}/status", headers=a["headers"]).json
    assert status["online"] is False and status["last_heartbeat_at"] is None and status["firmware"] == ""
    assert (status["fault_bits"], status["fault_code"], status["faults"]) == (0, None, [])
    assert status["account"] == {"state": "pending", "error": "", "synced_at": None}
    assert [s["voltage_v"] for s in status["sockets"]] == [None, None]


def test_socket_live_is_the_same_entry_plus_the_devices_liveness(world):
    a = world["A"]
    device = a["device"]
    _mark_online(device, password=False)
    socket = add_sockets(device)[1]
    add_socket_live(socket, faults=[{"bit": 12, "code": "4096"}], fault_bits=4096, power_w=0)
    client = world["client"]
    live = client.get(f"{API}/bike-sockets/{socket.id}/live", headers=a["headers"]).json
    in_device = client.get(f"{API}/bike-devices/{device.id}/status", headers=a["headers"]).json["sockets"][1]
    assert {k: live[k] for k in in_device} == in_device
    assert (live["device_id"], live["device_code"], live["device_name"]) == (device.id, "AD0001", "A单车设备")
    assert live["factory_id"] == "A-DEV-1" and live["device_online"] is True
    assert live["last_heartbeat_at"].startswith("2025-03-01T10:00:30")
    # a fault without words is still shown, by its code; a power of 0 W is a figure, not unknown
    assert live["faults"] == ["故障码 4096 (fault code 4096)"] and live["fault_code"] == "4096"
    assert live["power_w"] == 0


def test_asset_lists_carry_the_fault_marker_and_live_figures(world):
    a, client = world["A"], world["client"]
    device = a["device"]
    socket1, socket2 = add_sockets(device)
    add_socket_live(socket1)
    devices = client.get(f"{API}/devices", headers=a["headers"]).json["items"]
    assert [(d["code"], d["has_fault"], d["fault_sockets"], d["faults"]) for d in devices] == [
        ("AD0001", True, [1], [])]  # socket 1 reports 过流 + 电表故障
    sockets = client.get(f"{API}/sockets", headers=a["headers"], query_string={"sort": "number"}).json["items"]
    assert [(s["number"], s["power_w"], s["energy_kwh"], s["elapsed_s"]) for s in sockets] == [
        (1, 402, "0.3120", 2765), (2, None, None, None)]
    assert sockets[0]["faults"] == ["过流 (over-current)", "电表故障 (meter fault)"] and sockets[1]["faults"] == []
    assert sockets[0]["live_updated_at"].startswith("2025-03-01T10:00:00")
    one = client.get(f"{API}/sockets/{socket1.id}", headers=a["headers"]).json
    assert (one["voltage_v"], one["current_a"], one["trade_no"]) == ("220.5", "1.825", "B20250301100000000001")
    # a device-level fault alone marks the device; a socket in 故障 state too; none at all: no marker
    db.session.execute(sa.delete(SocketLive))
    device.fault_bits, device.faults = 64, [{"bit": 6, "code": "0064", "text": "急停 (emergency stop)"}]
    db.session.commit()
    item = client.get(f"{API}/devices/{device.id}", headers=a["headers"]).json
    assert (item["has_fault"], item["fault_sockets"], item["fault_code"]) == (True, [], "0064")
    assert item["faults"] == ["急停 (emergency stop)"]
    device.fault_bits, device.faults, socket2.state = 0, [], SocketState.FAULT
    db.session.commit()
    item = client.get(f"{API}/devices/{device.id}", headers=a["headers"]).json
    assert (item["has_fault"], item["fault_sockets"], item["faults"]) == (True, [2], [])
    socket2.state = SocketState.IDLE
    db.session.commit()
    item = client.get(f"{API}/devices/{device.id}", headers=a["headers"]).json
    assert (item["has_fault"], item["fault_sockets"], item["fault_code"]) == (False, [], None)


def test_view_mqtt_account_is_audited(world, app):
    a = world["A"]
    device = a["device"]
    password = _mark_online(device)
    app.config["CHARGEHUB"]["MQTT_URL"] = "mqtt://gateway:broker-secret@mqtt.example.com:1883"
    try:
        response = world["client"].get(f"{API}/bike-devices/{device.id}/mqtt-account", headers=a["headers"])
    finally:
        app.config["CHARGEHUB"]["MQTT_URL"] = None
    assert response.status_code == 200, response.json
    assert response.json["password"] == password and len(password) >= 20
    assert (response.json["username"], response.json["client_id"]) == ("A-DEV-1", "A-DEV-1")
    assert response.json["state"] == "active" and response.json["synced_at"].startswith("2025-03-01T07:59")
    assert response.json["broker"] == "mqtt://mqtt.example.com:1883"  # where chargers connect, no account
    assert "broker-secret" not in response.get_data(as_text=True) and "gateway" not in response.json["broker"]
    entry = db.session.execute(sa.select(AuditLog)
                               .where(AuditLog.action == "bike_device.view_mqtt_account")).scalar_one()
    assert (entry.target_type, entry.target_id, entry.provider_id) == ("bike_device", device.id, a["provider_id"])
    assert entry.actor_id == a["owner"].id and entry.detail == {"username": "A-DEV-1"}
    assert password not in str(entry.detail)


def test_reset_mqtt_password(world):
    a = world["A"]
    device = a["device"]
    old = _mark_online(device)
    response = world["client"].post(f"{API}/bike-devices/{device.id}/mqtt-account/reset", headers=a["headers"])
    assert response.status_code == 200, response.json
    new = response.json["password"]
    assert new and new != old and response.json["username"] == "A-DEV-1"
    db.session.expire_all()
    stored = secret_box().decrypt(db.session.get(type(device), device.id).mqtt_password)["password"]
    assert stored == new
    # the broker sync ran at once (eager jobs) and, with no account management configured, left it 未托管;
    # the answer says so
    assert response.json["state"] == "unmanaged"
    assert db.session.get(type(device), device.id).account_state is AccountState.UNMANAGED
    actions = db.session.execute(sa.select(AuditLog.action, AuditLog.target_id)
                                 .where(AuditLog.action.like("bike_device.%"))).all()
    assert ("bike_device.reset_mqtt_password", device.id) in actions


@pytest.mark.parametrize("actor", ["headers", "property_headers"])
def test_another_tenants_device_socket_and_account_answer_404(world, actor):
    a, b = world["A"], world["B"]
    password = _mark_online(a["device"])
    socket = add_sockets(a["device"])[0]
    add_socket_live(socket)
    add_sockets(b["device"])
    client = world["client"]
    for method, url in (("GET", f"{API}/bike-devices/{a['device'].id}/status"),
                        ("GET", f"{API}/bike-sockets/{socket.id}/live"),
                        ("GET", f"{API}/bike-devices/{a['device'].id}/mqtt-account"),
                        ("POST", f"{API}/bike-devices/{a['device'].id}/mqtt-account/reset")):
        response = client.open(url, method=method, headers=b[actor])
        assert response.status_code == 404, url
        text = response.get_data(as_text=True)
        assert "220.5" not in text and password not in text
    db.session.expire_all()
    assert secret_box().decrypt(db.session.get(type(a["device"]), a["device"].id).mqtt_password)["password"] == password
    own = client.get(f"{API}/bike-devices/{b['device'].id}/status", headers=b[actor])
    assert own.status_code == 200 and own.json["code"] == "BD0001" and own.json["sockets"][0]["voltage_v"] is None


def test_station_bound_user_sees_only_its_stations_devices(world, station_user):
    a = world["A"]
    socket = add_sockets(a["device"])[0]
    client = world["client"]
    elsewhere = station_user(a, car_station_ids=[a["stations"][0].id])
    assert client.get(f"{API}/bike-devices/{a['device'].id}/status", headers=elsewhere).status_code == 404
    assert client.get(f"{API}/bike-sockets/{socket.id}/live", headers=elsewhere).status_code == 404
    bound = station_user(a, bike_station_ids=[a["bike_station"].id])
    assert client.get(f"{API}/bike-devices/{a['device'].id}/status", headers=bound).json["code"] == "AD0001"
    assert client.get(f"{API}/bike-sockets/{socket.id}/live", headers=bound).json["number"] == 1


def test_permissions(world, auth_headers):
    a, client = world["A"], world["client"]
    device = a["device"]
    _mark_online(device)
    socket = add_sockets(device)[0]
    status, live = f"{API}/bike-devices/{device.id}/status", f"{API}/bike-sockets/{socket.id}/live"
    account = f"{API}/bike-devices/{device.id}/mqtt-account"
    reset = f"{account}/reset"
    lister = _role_user(a, "13300000011", ["bike.device:list", "bike.socket:list"], auth_headers)
    assert client.get(status, headers=lister).status_code == 403
    assert client.get(live, headers=lister).status_code == 403
    viewer = _role_user(a, "13300000012", ["bike.device:list", "bike.device:detail", "bike.socket:detail"],
                        auth_headers)
    assert client.get(status, headers=viewer).json["account"]["state"] == "active"
    assert client.get(live, headers=viewer).json["number"] == 1
    refused = client.get(account, headers=viewer)
    assert refused.status_code == 403 and "bike.device:edit" in refused.json["message"]
    assert client.post(reset, headers=viewer).status_code == 403
    editor = _role_user(a, "13300000013", ["bike.device:list", "bike.device:edit"], auth_headers)
    assert client.get(account, headers=editor).json["username"] == "A-DEV-1"
    assert client.get(status).status_code == 401 and client.get(account).status_code == 401
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditLog).where(
        AuditLog.action == "bike_device.view_mqtt_account")).scalar_one() == 1  # only the editor's view
