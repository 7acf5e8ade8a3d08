"""充电桩管理: add with guns, gun-count changes, cascade rules, search, device actions, billing, isolation."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from chargehub.assets.car_models import Gun, GunState, Pile
from chargehub.extensions import db

pytestmark = pytest.mark.smoke
P = "/api/v1/admin/piles"


def add_pile(client, headers, area_id, factory_id, **fields):
    body = {"area_id": area_id, "factory_id": factory_id, "name": "1号桩", "gun_count": 2, **fields}
    return client.post(P, headers=headers, json=body)


def test_add_creates_numbered_offline_guns(client, admin_token, pile_site, pile_factory_ids):
    station, area, _ = pile_site()
    response = add_pile(client, admin_token, area.id, pile_factory_ids(), gun_count=3, output_power_kw="120.50",
                        speed="fast", current_type="dc")
    assert response.status_code == 201, response.json
    pile = response.json
    assert pile["code"].startswith("Z") and pile["station_id"] == station.id and pile["station_name"] == station.name
    assert pile["area_name"] == area.name and pile["online"] is False and pile["last_heartbeat_at"] is None
    assert pile["output_power_kw"] == "120.50" and pile["created_by_name"] == "平台管理员"
    assert [(g["number"], g["name"], g["state"]) for g in pile["guns"]] == [
        (1, "1号枪", "offline"), (2, "2号枪", "offline"), (3, "3号枪", "offline")]


@pytest.mark.parametrize("fields,field,message", [
    ({"factory_id": "123"}, "factory_id", "14 位数字"),
    ({"factory_id": "1234567890123A"}, "factory_id", "14 位数字"),
    ({"gun_count": 0}, "gun_count", "1–8"),
    ({"gun_count": 9}, "gun_count", "1–8"),
    ({"name": ""}, "name", "1–50"),
    ({"output_power_kw": "-1"}, "output_power_kw", "非负"),
    ({"speed": "warp"}, "speed", ""),
])
def test_add_validates_fields(client, admin_token, pile_site, fields, field, message):
    _, area, _ = pile_site()
    fields = {"factory_id": "32010000000001", **fields}
    response = add_pile(client, admin_token, area.id, fields.pop("factory_id"), **fields)
    assert response.status_code == 422, response.json
    assert message in response.json["errors"]["json"][field][0]
    assert db.session.execute(sa.select(sa.func.count()).select_from(Pile)).scalar_one() == 0


def test_factory_id_is_unique_and_free_form_for_other_protocols(client, admin_token, pile_site):
    _, area, _ = pile_site()
    assert add_pile(client, admin_token, area.id, "32010000000001").status_code == 201
    dup = add_pile(client, admin_token, area.id, "32010000000001")
    assert dup.status_code == 422 and "已存在" in dup.json["errors"]["json"]["factory_id"][0]
    other = add_pile(client, admin_token, area.id, "AC-PILE-7", protocol="ocpp")
    assert other.status_code == 201 and other.json["protocol"] == "ocpp"


@pytest.mark.parametrize("block,message", [
    ("station_disabled", "已禁用"), ("station_pending", "尚未审核通过"), ("area_disabled", "已禁用"),
    ("provider_disabled", "已禁用"),
])
def test_cascade_blocks_adding_piles(client, admin_token, pile_site, pile_factory_ids, block, message):
    station, area, _ = pile_site(approved=block != "station_pending")
    if block == "station_disabled":
        station.enabled = False
    elif block == "area_disabled":
        area.enabled = False
    elif block == "provider_disabled":
        from chargehub.tenancy.models import ServiceProvider
        db.session.get(ServiceProvider, station.provider_id).enabled = False
    db.session.commit()
    response = add_pile(client, admin_token, area.id, pile_factory_ids())
    assert response.status_code == 422 and message in response.json["errors"]["json"]["area_id"][0]


def test_gun_count_change_adds_and_removes_highest_guns(client, admin_token, pile_site, pile_factory_ids):
    _, area, _ = pile_site()
    pile = add_pile(client, admin_token, area.id, pile_factory_ids(), gun_count=2).json
    grown = client.put(f"{P}/{pile['id']}", headers=admin_token, json={"gun_count": 4, "name": "改名桩"}).json
    assert [g["name"] for g in grown["guns"]] == ["1号枪", "2号枪", "3号枪", "4号枪"] and grown["name"] == "改名桩"
    shrunk = client.put(f"{P}/{pile['id']}", headers=admin_token, json={"gun_count": 1}).json
    assert [g["number"] for g in shrunk["guns"]] == [1] and shrunk["gun_count"] == 1


def test_removing_a_charging_gun_is_refused(client, admin_token, pile_site, pile_factory_ids):
    _, area, _ = pile_site()
    pile = add_pile(client, admin_token, area.id, pile_factory_ids(), gun_count=3).json
    gun = db.session.execute(sa.select(Gun).where(Gun.pile_id == pile["id"], Gun.number == 2)).scalar_one()
    gun.state = GunState.CHARGING
    db.session.commit()
    response = client.put(f"{P}/{pile['id']}", headers=admin_token, json={"gun_count": 1})
    assert response.status_code == 409 and "2号枪正在充电" in response.json["message"]
    db.session.rollback()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Gun)).scalar_one() == 3
    assert client.put(f"{P}/{pile['id']}", headers=admin_token, json={"gun_count": 2}).status_code == 200


def test_disabled_pile_gets_no_guns_and_its_guns_are_unusable(client, admin_token, pile_site, pile_factory_ids):
    from chargehub.assets.services.guns import gun_usable

    _, area, _ = pile_site()
    pile = add_pile(client, admin_token, area.id, pile_factory_ids(), gun_count=1).json
    assert client.post(f"{P}/{pile['id']}/disable", headers=admin_token).json["enabled"] is False
    response = client.put(f"{P}/{pile['id']}", headers=admin_token, json={"gun_count": 2})
    assert response.status_code == 422 and "已禁用" in response.json["errors"]["json"]["gun_count"][0]
    gun = db.session.execute(sa.select(Gun).where(Gun.pile_id == pile["id"])).scalar_one()
    assert gun_usable(gun) is False
    client.post(f"{P}/{pile['id']}/enable", headers=admin_token)
    assert gun_usable(db.session.get(Gun, gun.id)) is True


def test_factory_id_and_area_cannot_be_edited(client, admin_token, pile_site, pile_factory_ids):
    _, area, _ = pile_site()
    pile = add_pile(client, admin_token, area.id, pile_factory_ids()).json
    response = client.put(f"{P}/{pile['id']}", headers=admin_token, json={"factory_id": "32019999999999"})
    assert response.status_code == 422 and "factory_id" in response.json["errors"]["json"]
    bad = client.put(f"{P}/{pile['id']}", headers=admin_token, json={"protocol": "ykc", "gun_count": 9})
    assert bad.status_code == 422 and "gun_count" in bad.json["errors"]["json"]


@pytest.mark.parametrize("search", ["station_id", "area_id", "code", "factory_id", "name", "speed", "enabled"])
def test_every_search_field(client, admin_token, pile_site, pile_factory_ids, search):
    _, area1, _ = pile_site("服务商A")
    _, area2, _ = pile_site("服务商B")
    first = add_pile(client, admin_token, area1.id, "32011111111111", name="东门快充", speed="fast").json
    second = add_pile(client, admin_token, area2.id, "32012222222222", name="西门慢充", speed="slow").json
    client.post(f"{P}/{second['id']}/disable", headers=admin_token)
    value = {"station_id": first["station_id"], "area_id": first["area_id"], "code": first["code"],
             "factory_id": "3201111", "name": "东门", "speed": "fast", "enabled": "true"}[search]
    found = client.get(P, headers=admin_token, query_string={search: value}).json
    assert [p["id"] for p in found["items"]] == [first["id"]] and found["total"] == 1
    assert client.get(P, headers=admin_token).json["total"] == 2


def test_device_actions_on_an_unconnected_pile_answer_offline_fast(client, admin_token, pile_site, pile_factory_ids):
    _, area, _ = pile_site()
    pile = add_pile(client, admin_token, area.id, pile_factory_ids()).json
    for name in ("reboot", "sync_clock", "sync_qrcode", "sync_hotline", "refresh_state"):
        started = time.monotonic()
        response = client.post(f"{P}/{pile['id']}/commands/{name}", headers=admin_token)
        assert time.monotonic() - started < 1.0
        assert response.status_code == 200 and response.json["status"] == "offline", (name, response.json)
    billing = client.post(f"{P}/{pile['id']}/commands/sync_billing", headers=admin_token)
    assert billing.status_code == 409 and "尚未配置计费规则" in billing.json["message"]
    unknown = client.post(f"{P}/{pile['id']}/commands/self_destruct", headers=admin_token)
    assert unknown.status_code == 422 and "不支持的命令" in unknown.json["errors"]["json"]["name"][0]


def test_commands_carry_hotline_and_charge_urls(app, pile_site, pile_factory_ids, admin_token, client):
    from chargehub.assets.services import piles
    from chargehub.tenancy.audit_log import AuditLog

    station, area, _ = pile_site()
    pile = add_pile(client, admin_token, area.id, pile_factory_ids(), gun_count=2).json
    row = db.session.get(Pile, pile["id"])
    with app.test_request_context("/"):
        assert piles.pile_command(row, "sync_hotline").status.value == "offline"
    entry = db.session.execute(sa.select(AuditLog).where(AuditLog.action == "device.sync_hotline")).scalar_one()
    assert entry.detail["device_id"] == pile["factory_id"] and entry.detail["status"] == "offline"
    tokens = [g.qr_token for g in db.session.execute(sa.select(Gun).where(Gun.pile_id == row.id)
                                                      .order_by(Gun.number)).scalars()]
    with app.test_request_context("/", base_url="https://charge.example.com"):
        from chargehub.assets.services.guns import charge_url
        assert charge_url("gun", tokens[0]) == f"https://charge.example.com/h5/charge/g/{tokens[0]}"


def test_billing_details_until_rules_exist(client, admin_token, pile_site, pile_factory_ids):
    station, area, _ = pile_site()
    pile = add_pile(client, admin_token, area.id, pile_factory_ids()).json
    billing = client.get(f"{P}/{pile['id']}/billing", headers=admin_token).json
    assert billing == {"rule": None, "message": "该区域尚未配置计费规则 (no billing rule for this area yet)",
                       "station_name": station.name, "area_name": area.name}


def test_another_tenant_sees_nothing(client, admin_token, pile_site, pile_factory_ids):
    _, area_a, headers_a = pile_site("服务商A")
    _, _, headers_b = pile_site("服务商B")
    pile = add_pile(client, headers_a, area_a.id, pile_factory_ids()).json
    assert client.get(f"{P}/{pile['id']}", headers=headers_a).status_code == 200
    for method, url in (("GET", f"{P}/{pile['id']}"), ("PUT", f"{P}/{pile['id']}"), ("GET", f"{P}/{pile['id']}/billing"),
                        ("POST", f"{P}/{pile['id']}/commands/reboot"), ("POST", f"{P}/{pile['id']}/disable")):
        assert client.open(url, method=method, headers=headers_b, json={}).status_code == 404, (method, url)
    assert add_pile(client, headers_b, area_a.id, pile_factory_ids()).status_code == 404
    assert client.get(P, headers=headers_b).json["total"] == 0
