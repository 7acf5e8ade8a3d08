"""扫码 / 输入桩编号: guns and sockets as drivers see them, what hides them, and the OpenAPI document."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from chargehub.assets.bike_models import BikeDevice, Socket, SocketState
from chargehub.assets.car_models import CarArea, CarStation, Gun, GunState, Pile
from chargehub.billing.models import CarBillingRule
from chargehub.charging.models import CarOrder, OrderState, PayMethod
from chargehub.extensions import db
from chargehub.qrcodes.links import charge_url, pile_qr_prefix
from chargehub.tenancy.models import AuditState

APP = "/api/v1/app"


def gun(number: int) -> Gun:
    return db.session.execute(sa.select(Gun).where(Gun.number == number).order_by(Gun.id)).scalars().first()


def get(client, headers, url, status=200):
    response = client.get(f"{APP}{url}", headers=headers)
    assert response.status_code == status, (url, response.status_code, response.json)
    return response.json


@pytest.mark.smoke
def test_gun_view_has_state_station_pile_and_rule(client, sign_in, car_net):
    view = get(client, sign_in(), f"/guns/{gun(1).id}")
    assert {k: view[k] for k in ("kind", "number", "name", "state", "state_label", "online", "available",
                                 "unavailable_reason")} == {
        "kind": "gun", "number": 1, "name": "1号枪", "state": "idle", "state_label": "空闲", "online": True,
        "available": True, "unavailable_reason": None}
    assert view["station"]["name"] == "网关测试电站" and view["station"]["phone"] == "4008001234"
    assert view["area"] == {"id": car_net.area_id, "name": "默认区域"}
    assert view["pile"]["factory_id"] == "55030000000001" and view["pile"]["online"] is True
    assert view["pile"]["speed"] == "fast" and "device" not in view
    rule = view["rule"]
    assert [rule[k] for k in ("id", "name", "mode", "mode_name")] == [car_net.rule_id, "网关测试分时计费", "car_tou",
                                                                     "峰平谷计价"]
    assert "谷" in rule["text"] and "元/度" in rule["text"]
    assert rule["options"] == [{"amount": "10.00"}, {"amount": "50.00"}, {"amount": "100.00"}]
    shown = set(view) | set(view["pile"]) | set(view["station"])
    assert not {"provider_id", "property_id", "qr_token", "sim"} & shown  # nothing of the admin's


def test_scan_resolves_every_charging_url(client, sign_in, car_net, bike_net):
    headers = sign_in()
    first, second = gun(1), gun(2)
    socket = db.session.get(Socket, bike_net.sockets["BK000001"][2])
    scans = {
        charge_url("gun", first.qr_token, base="https://charge.example.com"): ("gun", first.id),
        charge_url("socket", socket.qr_token, base="http://127.0.0.1:5000/"): ("socket", socket.id),
        pile_qr_prefix(base="https://charge.example.com") + "5503000000000102": ("gun", second.id),
        f"/h5/charge/g/{first.qr_token}/": ("gun", first.id),  # a path without host, trailing slash
    }
    for url, (kind, ident) in scans.items():
        response = client.get(f"{APP}/scan", headers=headers, query_string={"url": url})
        assert response.status_code == 200, (url, response.json)
        assert (response.json["kind"], response.json["id"]) == (kind, ident), url
    drawn = pile_qr_prefix(base="http://x") + "5503000000000102"
    assert client.get(f"{APP}/guns/{second.id}", headers=headers).json == \
        client.get(f"{APP}/scan", headers=headers, query_string={"url": drawn}).json
    for bad in ("https://charge.example.com/h5/charge/g/nope", "https://evil.example.com/other/path",
                pile_qr_prefix(base="http://x") + "5503000000000109", pile_qr_prefix(base="http://x") + "123",
                "https://charge.example.com/h5/charge/x/abc", "not a url"):
        refused = client.get(f"{APP}/scan", headers=headers, query_string={"url": bad})
        assert refused.status_code == 404 and refused.json["message"] == "二维码无效或设备不存在 (unknown QR code)", bad
    assert client.get(f"{APP}/scan", headers=headers).status_code == 422


def test_unavailable_reasons(client, sign_in, car_net):
    headers = sign_in()
    first = gun(1)

    def reason():
        view = get(client, headers, f"/guns/{first.id}")
        assert view["available"] is (view["unavailable_reason"] is None)
        return view["unavailable_reason"]

    first.state = GunState.PLUGGED
    db.session.commit()
    assert reason() is None and get(client, headers, f"/guns/{first.id}")["state_label"] == "已插枪"
    first.state = GunState.CHARGING
    db.session.commit()
    assert "充电中" in reason()
    first.state = GunState.FAULT
    db.session.commit()
    assert "故障" in reason()
    first.state = GunState.IDLE
    db.session.execute(sa.update(Pile).values(online=False))
    db.session.commit()
    offline = get(client, headers, f"/guns/{first.id}")
    assert "设备离线" in offline["unavailable_reason"] and offline["online"] is False
    db.session.execute(sa.update(Pile).values(online=True))
    first.enabled = False
    db.session.commit()
    assert "停用" in reason()
    first.enabled = True
    db.session.execute(sa.update(CarBillingRule).values(enabled=False))
    db.session.commit()
    no_rule = get(client, headers, f"/guns/{first.id}")
    assert "计费规则" in no_rule["unavailable_reason"] and no_rule["rule"] is None
    db.session.execute(sa.update(CarBillingRule).values(enabled=True))
    db.session.commit()
    assert reason() is None


def test_a_running_order_makes_an_idle_gun_busy(client, sign_in, car_net):
    headers = sign_in()
    first = gun(1)
    pile = db.session.get(Pile, first.pile_id)
    db.session.add(CarOrder(trade_no="5503000000000101" + "0" * 16, provider_id=pile.provider_id,
                            property_id=pile.property_id, station_id=pile.station_id, area_id=pile.area_id,
                            pile_id=pile.id, gun_id=first.id, gun_number=1, state=OrderState.STARTING,
                            active_key=f"gun:{first.id}", pay_method=PayMethod.FREE))
    db.session.commit()
    busy = get(client, headers, f"/guns/{first.id}")
    assert busy["available"] is False and "充电中" in busy["unavailable_reason"] and busy["state"] == "idle"
    assert get(client, headers, f"/guns/{gun(2).id}")["available"] is True


@pytest.mark.parametrize("hide", ["station_disabled", "station_unapproved", "area_disabled", "pile_disabled"])
def test_disabled_parents_hide_the_gun(client, sign_in, car_net, hide):
    headers = sign_in()
    first = gun(1)
    model, values = {"station_disabled": (CarStation, {"enabled": False}),
                     "station_unapproved": (CarStation, {"audit_state": AuditState.PENDING}),
                     "area_disabled": (CarArea, {"enabled": False}),
                     "pile_disabled": (Pile, {"enabled": False})}[hide]
    db.session.execute(sa.update(model).values(**values))
    db.session.commit()
    assert "电枪不存在" in get(client, headers, f"/guns/{first.id}", 404)["message"]
    assert "充电桩不存在" in get(client, headers, "/piles/55030000000001", 404)["message"]
    scan = client.get(f"{APP}/scan", headers=headers,
                      query_string={"url": charge_url("gun", first.qr_token, base="http://x")})
    assert scan.status_code == 404 and scan.json["message"] == "二维码无效或设备不存在 (unknown QR code)"


@pytest.mark.smoke
def test_pile_by_code_or_factory_id_lists_its_guns(client, sign_in, car_net):
    from chargehub.testing.network import seed_pile_network

    headers = sign_in()
    pile = db.session.execute(sa.select(Pile).where(Pile.factory_id == "55030000000001")).scalar_one()
    gun(2).state = GunState.CHARGING
    db.session.commit()
    by_factory = get(client, headers, "/piles/55030000000001")
    by_code = get(client, headers, f"/piles/ {pile.code} ")  # typed with spaces around it
    assert by_factory == by_code
    assert by_factory["pile"]["code"] == pile.code and by_factory["station"]["name"] == "网关测试电站"
    assert by_factory["rule"]["id"] == car_net.rule_id
    assert [(g["number"], g["state_label"], g["available"]) for g in by_factory["guns"]] == [
        (1, "空闲", True), (2, "充电中", False)]
    assert "充电桩不存在" in get(client, headers, "/piles/99999999999999", 404)["message"]

    other = seed_pile_network(1, guns=1, codes=["66000000000001"], name="另一服务商")  # drivers see every provider
    assert other.provider_id != car_net.provider_id
    assert get(client, headers, "/piles/66000000000001")["station"]["name"] == "另一服务商电站"


@pytest.mark.smoke
def test_bike_device_and_socket_views(client, sign_in, bike_net):
    headers = sign_in()
    socket_id = bike_net.sockets["BK000001"][1]
    view = get(client, headers, f"/sockets/{socket_id}")
    assert (view["kind"], view["number"], view["name"], view["state"], view["state_label"], view["available"]) == (
        "socket", 1, "1号插座", "idle", "空闲中", True)
    assert view["device"]["factory_id"] == "BK000001" and "pile" not in view
    assert view["station"]["phone"] == "4008005678"
    assert (view["rule"]["mode"], view["rule"]["mode_name"]) == ("bike_duration", "时长模式")
    assert view["rule"]["options"] == [{"minutes": 60, "amount": "1.00"}, {"minutes": 120, "amount": "2.00"}]

    db.session.get(Socket, bike_net.sockets["BK000001"][2]).state = SocketState.FAULT
    db.session.commit()
    device = get(client, headers, "/bike-devices/BK000001")
    assert device["device"]["factory_id"] == "BK000001" and device["rule"]["name"] == "按时计费"
    assert [(s["number"], s["available"]) for s in device["sockets"]] == [(1, True), (2, False)]
    assert "故障" in device["sockets"][1]["unavailable_reason"]

    db.session.execute(sa.update(BikeDevice).values(online=False))
    db.session.commit()
    assert "设备离线" in get(client, headers, f"/sockets/{socket_id}")["unavailable_reason"]
    db.session.execute(sa.update(BikeDevice).values(enabled=False))
    db.session.commit()
    assert "插座不存在" in get(client, headers, f"/sockets/{socket_id}", 404)["message"]
    assert "设备不存在" in get(client, headers, "/bike-devices/BK000001", 404)["message"]


def test_bike_device_without_a_rule(client, sign_in, app):
    from chargehub.testing.network import seed_bike_network

    seed_bike_network(1, sockets=2, prefix="NR")
    db.session.execute(sa.update(BikeDevice).values(online=True))
    db.session.commit()
    device = get(client, sign_in(), "/bike-devices/NR000001")
    assert device["rule"] is None
    assert all("计费规则" in s["unavailable_reason"] for s in device["sockets"])


def test_lookups_require_a_signed_in_driver(client, car_net):
    first = gun(1)
    for url in (f"/guns/{first.id}", "/sockets/1", "/piles/55030000000001", "/bike-devices/BK000001",
                f"/scan?url=/h5/charge/g/{first.qr_token}"):
        response = client.get(f"{APP}{url}")
        assert response.status_code == 401 and response.json["message"] == "请先登录 (sign in first)", url


@pytest.mark.smoke
def test_openapi_documents_the_driver_api(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["components"]["securitySchemes"]["app"] == {
        "type": "http", "scheme": "bearer", "description": spec["components"]["securitySchemes"]["app"]["description"]}
    paths = spec["paths"]
    expected = {"/api/v1/app/auth/code": "post", "/api/v1/app/auth/login": "post", "/api/v1/app/auth/logout": "post",
                "/api/v1/app/me": "get", "/api/v1/app/me/balances": "get", "/api/v1/app/scan": "get",
                "/api/v1/app/piles/{code}": "get", "/api/v1/app/bike-devices/{code}": "get",
                "/api/v1/app/guns/{gun_id}": "get", "/api/v1/app/sockets/{socket_id}": "get"}
    for path, method in expected.items():
        operation = paths[path][method]
        assert operation["summary"], path
        signed_in = path not in ("/api/v1/app/auth/code", "/api/v1/app/auth/login")
        assert (operation.get("security") == [{"app": []}]) is signed_in, path
    assert "patch" in paths["/api/v1/app/me"]
    gun_schema = paths["/api/v1/app/guns/{gun_id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert gun_schema["$ref"].endswith("/Connector")
    connector = spec["components"]["schemas"]["Connector"]["properties"]
    assert {"state_label", "available", "unavailable_reason", "station", "rule", "pile", "device"} <= set(connector)
