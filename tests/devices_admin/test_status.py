"""实时状态 of piles and guns: liveness, live figures, faults in words, nulls without a live row, scope."""
from __future__ import annotations

import pytest

from chargehub.assets.car_models import GunState
from chargehub.extensions import db
from chargehub.tenancy.models import User, UserType
from chargehub.tenancy.org_models import Role
from chargehub.tenancy.passwords import hash_password
from tests.devices_admin.conftest import add_gun_live, utc

pytestmark = pytest.mark.smoke
API = "/api/v1/admin"


def _mark_online(pile):
    pile.online, pile.last_heartbeat_at, pile.online_changed_at = True, utc(2025, 3, 1, 10, 0, 30), utc(2025, 3, 1, 8)
    pile.firmware, pile.billing_model_code = "V2.3.1", "0001"
    db.session.commit()


def test_pile_status_carries_liveness_and_each_guns_live_figures(world):
    a = world["A"]
    pile, (gun1, gun2) = a["piles"][0], a["guns"][:2]
    _mark_online(pile)
    gun1.state = GunState.CHARGING
    db.session.commit()
    add_gun_live(gun1)
    body = world["client"].get(f"{API}/piles/{pile.id}/status", headers=a["headers"])
    assert body.status_code == 200, body.json
    status = body.json
    assert status["online"] is True and status["code"] == "AP0001" and status["factory_id"] == "A-FAC-1"
    assert status["last_heartbeat_at"].startswith("2025-03-01T10:00:30")
    assert status["online_changed_at"].startswith("2025-03-01T08:00:00")
    assert status["firmware"] == "V2.3.1" and status["billing_model_code"] == "0001"
    assert [g["number"] for g in status["guns"]] == [1, 2]
    live = status["guns"][0]
    assert live["id"] == gun1.id and live["state"] == "charging" and live["name"] == "1号枪"
    assert (live["voltage_v"], live["current_a"], live["power_kw"]) == ("380.5", "62.3", "23.70")
    assert (live["soc"], live["energy_kwh"], live["amount"]) == (56, "12.3456", "18.5184")
    assert (live["charging_minutes"], live["remaining_minutes"]) == (35, 48)
    assert (live["cable_temp_c"], live["battery_max_temp_c"]) == (41, 33)
    assert live["trade_no"] == "32010000000001012503011000000001" and live["plugged"] is True
    assert live["faults"] == ["急停按钮动作故障 (emergency stop pressed)", "绝缘监测故障 (insulation fault)"]
    assert live["fault_bits"] == 5
    assert live["lock"]["state"] == "down" and live["lock"]["occupied"] is True
    assert live["last_start"]["accepted"] is True
    assert live["last_stop"] == {"accepted": False, "reason_code": 2, "reason": "设备故障 (device fault)",
                                 "at": "2025-03-01T09:20:00+00:00"}
    assert live["bms"]["status"]["values"] == {"soc": 56}
    assert live["updated_at"].startswith("2025-03-01T10:00:00")
    # the second gun never reported: its live figures are unknown (null), not zeros
    silent = status["guns"][1]
    assert silent["id"] == gun2.id and silent["state"] == "offline" and silent["faults"] == []
    for field in ("voltage_v", "current_a", "power_kw", "soc", "energy_kwh", "amount", "charging_minutes",
                  "trade_no", "plugged", "lock", "last_start", "last_stop", "bms", "updated_at"):
        assert silent[field] is None, field


def test_offline_pile_without_any_report(world):
    a = world["A"]
    status = world["client"].get(f"{API}/piles/{a['piles'][1].id}/status", headers=a["headers"]).json
    assert status["online"] is False and status["last_heartbeat_at"] is None and status["firmware"] == ""
    assert len(status["guns"]) == 1 and status["guns"][0]["voltage_v"] is None


def test_gun_live_is_the_same_entry_plus_the_piles_liveness(world):
    a = world["A"]
    pile, gun = a["piles"][0], a["guns"][0]
    _mark_online(pile)
    add_gun_live(gun, faults=[{"code": "0x10", "text": "电表通信故障 (meter fault)"}, {"code": "0x20"}])
    client = world["client"]
    live = client.get(f"{API}/guns/{gun.id}/live", headers=a["headers"]).json
    in_pile = client.get(f"{API}/piles/{pile.id}/status", headers=a["headers"]).json["guns"][0]
    assert {k: live[k] for k in in_pile} == in_pile
    assert live["pile_id"] == pile.id and live["pile_code"] == "AP0001" and live["pile_name"] == "A1号桩"
    assert live["pile_online"] is True and live["last_heartbeat_at"].startswith("2025-03-01T10:00:30")
    # a fault without words is still shown, by its code
    assert live["faults"] == ["电表通信故障 (meter fault)", "故障码 0x20 (fault code 0x20)"]


@pytest.mark.parametrize("actor", ["headers", "property_headers"])
def test_another_tenants_pile_and_gun_answer_404(world, actor):
    a, b = world["A"], world["B"]
    add_gun_live(a["guns"][0])
    client = world["client"]
    for url in (f"{API}/piles/{a['piles'][0].id}/status", f"{API}/guns/{a['guns'][0].id}/live"):
        response = client.get(url, headers=b[actor])
        assert response.status_code == 404, url
        assert "380" not in response.get_data(as_text=True)
    own = client.get(f"{API}/guns/{b['guns'][0].id}/live", headers=b[actor])
    assert own.status_code == 200 and own.json["voltage_v"] is None


def test_station_bound_user_sees_only_its_stations_piles(world, station_user):
    a = world["A"]
    headers = station_user(a, car_station_ids=[a["stations"][1].id])
    client = world["client"]
    assert client.get(f"{API}/piles/{a['piles'][0].id}/status", headers=headers).status_code == 404
    assert client.get(f"{API}/guns/{a['guns'][0].id}/live", headers=headers).status_code == 404
    assert client.get(f"{API}/piles/{a['piles'][1].id}/status", headers=headers).status_code == 200


def test_status_needs_the_detail_permissions(world, auth_headers):
    a = world["A"]
    user = User(phone="13300000001", name="只读", password_hash=hash_password("pass-123456"),
                user_type=UserType.PROVIDER, provider_id=a["provider_id"])
    user.roles.append(Role(user_type=UserType.PROVIDER, provider_id=a["provider_id"], name="列表",
                           permissions=["car.pile:list", "car.gun:list"]))
    db.session.add(user)
    db.session.commit()
    headers = auth_headers(user)
    client = world["client"]
    assert client.get(f"{API}/piles/{a['piles'][0].id}/status", headers=headers).status_code == 403
    assert client.get(f"{API}/guns/{a['guns'][0].id}/live", headers=headers).status_code == 403
    assert client.get(f"{API}/piles/{a['piles'][0].id}/status").status_code == 401
