"""单车电站: add with default area, validation, search, totals, audit, state, configuration, isolation."""
from __future__ import annotations

import pytest

from chargehub.extensions import db

pytestmark = pytest.mark.smoke
S = "/api/v1/admin/bike-stations"


def test_add_creates_pending_station_with_default_area(client, admin_token, bike_owner):
    provider, prop, _ = bike_owner()
    response = client.post(S, headers=admin_token, json={
        "provider_id": provider.id, "property_id": prop.id, "name": "绿能云", "short_name": "绿能",
        "service_phone": "13317000000", "operation_type": "self_operated", "business_hours": "08:00-22:00",
        "power_limit_w": None, "address": "浦东新区 1 号", "longitude": "121.473701", "latitude": "31.230416"})
    assert response.status_code == 201, response.json
    station = response.json
    assert station["audit_state"] == "pending" and station["enabled"] is True and station["power_limit_w"] is None
    assert station["provider_name"] == provider.name and station["property_name"] == prop.name
    assert (station["area_count"], station["device_count"], station["socket_count"]) == (1, 0, 0)
    assert station["longitude"] == "121.473701"
    areas = client.get("/api/v1/admin/bike-areas", headers=admin_token,
                       query_string={"station_id": station["id"]}).json["items"]
    assert [(a["name"], a["is_default"]) for a in areas] == [("默认区域", True)]


@pytest.mark.parametrize("fields,field,message", [
    ({"name": ""}, "name", "1–100"),
    ({"business_hours": "8点-22点"}, "business_hours", "HH:MM-HH:MM"),
    ({"power_limit_w": 0}, "power_limit_w", "1–100000"),
    ({"service_phone": "call me"}, "service_phone", "数字"),
    ({"operation_type": "charity"}, "operation_type", ""),
    ({"longitude": "181"}, "longitude", "-180–180"),
])
def test_add_validates_fields(client, admin_token, bike_owner, fields, field, message):
    _, prop, _ = bike_owner()
    response = client.post(S, headers=admin_token, json={"property_id": prop.id, "name": "站", **fields})
    assert response.status_code == 422 and message in response.json["errors"]["json"][field][0]


def test_owner_rules(client, admin_token, bike_owner):
    provider_a, prop_a, _ = bike_owner("服务商A")
    provider_b, _, headers_b = bike_owner("服务商B")
    missing = client.post(S, headers=admin_token, json={"name": "站"})
    assert missing.status_code == 422 and "物业" in missing.json["errors"]["json"]["property_id"][0]
    mismatch = client.post(S, headers=admin_token, json={"name": "站", "provider_id": provider_b.id,
                                                         "property_id": prop_a.id})
    assert mismatch.status_code == 422 and "服务商" in mismatch.json["errors"]["json"]["property_id"][0]
    assert client.post(S, headers=headers_b, json={"name": "站", "property_id": prop_a.id}).status_code == 404
    prop_a.enabled = False
    db.session.commit()
    disabled = client.post(S, headers=admin_token, json={"name": "站", "property_id": prop_a.id})
    assert disabled.status_code == 422 and "已禁用" in disabled.json["errors"]["json"]["property_id"][0]


@pytest.mark.parametrize("search", ["name", "audit_state", "enabled"])
def test_every_search_field(client, admin_token, bike_owner, bike_api, search):
    _, prop, _ = bike_owner()
    first = bike_api.station(prop.id, name="东区电站", approved=True)
    second = bike_api.station(prop.id, name="西区电站", approved=False)
    client.post(f"{S}/{second['id']}/disable", headers=admin_token)
    value = {"name": "东区", "audit_state": "approved", "enabled": "true"}[search]
    found = client.get(S, headers=admin_token, query_string={search: value}).json
    assert [s["id"] for s in found["items"]] == [first["id"]] and found["total"] == 1


def test_list_totals_count_areas_devices_and_sockets(client, admin_token, bike_site, bike_api):
    station, area = bike_site["station"], bike_site["area"]
    bike_api.device(area["id"], "D-1", socket_count=4)
    bike_api.device(area["id"], "D-2", socket_count=6)
    client.post("/api/v1/admin/bike-areas", headers=admin_token, json={"station_id": station["id"], "name": "B区"})
    item = client.get(S, headers=admin_token).json["items"][0]
    assert (item["area_count"], item["device_count"], item["socket_count"]) == (2, 2, 10)


def test_audit_history_and_reaudit(client, admin_token, bike_owner, bike_api):
    _, prop, _ = bike_owner()
    station = bike_api.station(prop.id, approved=False)
    no_reason = client.post(f"{S}/{station['id']}/audit", headers=admin_token, json={"approved": False})
    assert no_reason.status_code == 422 and "原因" in no_reason.json["errors"]["json"]["remark"][0]
    rejected = client.post(f"{S}/{station['id']}/audit", headers=admin_token,
                           json={"approved": False, "remark": "地址不全"}).json
    assert rejected["audit_state"] == "rejected" and rejected["audit_remark"] == "地址不全"
    client.put(f"{S}/{station['id']}", headers=admin_token, json={"address": "浦东新区 1 号", "power_limit_w": 900})
    approved = client.post(f"{S}/{station['id']}/audit", headers=admin_token, json={"approved": True}).json
    assert approved["audit_state"] == "approved" and approved["power_limit_w"] == 900
    again = client.post(f"{S}/{station['id']}/audit", headers=admin_token, json={"approved": True})
    assert again.status_code == 409 and "已审核通过" in again.json["message"]
    detail = client.get(f"{S}/{station['id']}", headers=admin_token).json
    assert [h["action"] for h in detail["history"]] == ["bike_station.audit", "bike_station.update",
                                                         "bike_station.audit", "bike_station.create"]
    assert detail["history"][0]["actor_name"] == "平台管理员"
    assert [h["action_label"] for h in detail["history"]] == ["审核", "修改", "审核", "创建"]


def test_edit_keeps_the_owner(client, admin_token, bike_site):
    station = bike_site["station"]
    bad = client.put(f"{S}/{station['id']}", headers=admin_token, json={"property_id": 99})
    assert bad.status_code == 422 and "property_id" in bad.json["errors"]["json"]
    edited = client.put(f"{S}/{station['id']}", headers=admin_token, json={"short_name": "新简称"}).json
    assert edited["short_name"] == "新简称" and edited["property_id"] == station["property_id"]


def test_disabled_station_blocks_areas_and_devices(client, admin_token, bike_site):
    station, area = bike_site["station"], bike_site["area"]
    assert client.post(f"{S}/{station['id']}/disable", headers=admin_token).json["enabled"] is False
    area_add = client.post("/api/v1/admin/bike-areas", headers=admin_token,
                           json={"station_id": station["id"], "name": "B区"})
    assert area_add.status_code == 422 and "已禁用" in area_add.json["errors"]["json"]["station_id"][0]
    device_add = client.post("/api/v1/admin/devices", headers=admin_token,
                             json={"area_id": area["id"], "factory_id": "D-9", "name": "设备"})
    assert device_add.status_code == 422 and "已禁用" in device_add.json["errors"]["json"]["area_id"][0]
    assert client.post(f"{S}/{station['id']}/enable", headers=admin_token).json["enabled"] is True


def test_invoice_and_payment_configuration(client, admin_token, bike_site):
    station = bike_site["station"]
    assert client.get(f"{S}/{station['id']}/invoice-config", headers=admin_token).json == {
        "configured": False, "config": None}
    bad = client.put(f"{S}/{station['id']}/invoice-config", headers=admin_token, json={"merchant_no": "M1"})
    assert bad.status_code == 422 and "taxpayer_id" in bad.json["errors"]["json"]
    body = {"merchant_no": "M1", "seller_address": "上海", "bank_account": "6222", "bank_name": "工行", "drawer": "张三",
            "company_name": "绿能", "payee": "李四", "reviewer": "王五", "taxpayer_id": "91310000MA1FL0001X",
            "electricity_rate": "0.13", "electricity_rate_code": "1100101", "service_rate": "0.06",
            "service_rate_code": "3040201", "phone": "02112345678"}
    saved = client.put(f"{S}/{station['id']}/invoice-config", headers=admin_token, json=body).json
    assert saved["configured"] is True and saved["config"]["electricity_rate"] == "0.1300"
    assert client.get(f"{S}/{station['id']}/payment-config", headers=admin_token).json == []
    missing = client.put(f"{S}/{station['id']}/payment-config/nopay", headers=admin_token, json={"enabled": True})
    assert missing.status_code == 404


def test_another_tenant_gets_404(client, bike_owner, bike_api):
    _, prop_a, headers_a = bike_owner("服务商A")
    _, _, headers_b = bike_owner("服务商B")
    station = bike_api.station(prop_a.id, headers=headers_a)
    for method, url in (("GET", f"{S}/{station['id']}"), ("PUT", f"{S}/{station['id']}"),
                        ("POST", f"{S}/{station['id']}/audit"), ("GET", f"{S}/{station['id']}/invoice-config"),
                        ("PUT", f"{S}/{station['id']}/payment-config/x"), ("POST", f"{S}/{station['id']}/disable")):
        assert client.open(url, method=method, headers=headers_b, json={"approved": True}).status_code == 404
    assert client.get(S, headers=headers_b).json["total"] == 0
    assert client.get(S, headers=headers_a).json["total"] == 1

