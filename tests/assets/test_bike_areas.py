"""区域管理（单车）: add, edit, search, counts, state, delete rules, isolation."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from chargehub.assets.bike_models import BikeArea
from chargehub.extensions import db

pytestmark = pytest.mark.smoke
A = "/api/v1/admin/bike-areas"


def test_add_edit_and_details_with_counts(client, admin_token, bike_site, bike_api):
    station = bike_site["station"]
    bad = client.post(A, headers=admin_token, json={"station_id": station["id"], "name": "", "phone": "abc"})
    assert bad.status_code == 422 and set(bad.json["errors"]["json"]) == {"name", "phone"}
    area = client.post(A, headers=admin_token, json={"station_id": station["id"], "name": "B区", "phone": "021-5555"})
    assert area.status_code == 201, area.json
    area = area.json
    assert area["code"].startswith("BQ") and area["station_name"] == station["name"] and area["is_default"] is False
    bike_api.device(area["id"], "D-1", socket_count=3)
    edited = client.put(f"{A}/{area['id']}", headers=admin_token, json={"name": "北区", "phone": "13900001111"}).json
    assert (edited["name"], edited["phone"], edited["device_count"], edited["socket_count"]) == ("北区", "13900001111", 1, 3)
    moved = client.put(f"{A}/{area['id']}", headers=admin_token, json={"station_id": 1})
    assert moved.status_code == 422 and "station_id" in moved.json["errors"]["json"]


@pytest.mark.parametrize("search", ["station_id", "code", "name", "enabled"])
def test_every_search_field(client, admin_token, bike_owner, bike_api, search):
    _, prop, _ = bike_owner()
    first = bike_api.default_area(bike_api.station(prop.id, name="东站")["id"])
    second_station = bike_api.station(prop.id, name="西站")
    second = client.post(A, headers=admin_token, json={"station_id": second_station["id"], "name": "西区"}).json
    client.post(f"{A}/{second['id']}/disable", headers=admin_token)
    second_default = bike_api.default_area(second_station["id"])["id"]
    client.put(f"{A}/{second_default}", headers=admin_token, json={"name": "西侧车棚"})
    client.post(f"{A}/{second_default}/disable", headers=admin_token)
    value = {"station_id": first["station_id"], "code": first["code"], "name": "默认", "enabled": "true"}[search]
    found = client.get(A, headers=admin_token, query_string={search: value}).json
    assert [a["id"] for a in found["items"]] == [first["id"]] and found["total"] == 1


def test_disabled_area_blocks_devices(client, admin_token, bike_site):
    area = bike_site["area"]
    assert client.post(f"{A}/{area['id']}/disable", headers=admin_token).json["enabled"] is False
    response = client.post("/api/v1/admin/devices", headers=admin_token,
                           json={"area_id": area["id"], "factory_id": "D-1", "name": "设备"})
    assert response.status_code == 422 and "区域「默认区域」已禁用" in response.json["errors"]["json"]["area_id"][0]
    assert client.post(f"{A}/{area['id']}/enable", headers=admin_token).json["enabled"] is True


def test_delete_is_refused_while_devices_exist(client, admin_token, bike_site, bike_api):
    area = bike_site["area"]
    device = bike_api.device(area["id"], "D-1")
    bike_api.device(area["id"], "D-2")
    refused = client.delete(f"{A}/{area['id']}", headers=admin_token)
    assert refused.status_code == 409
    assert refused.json["message"] == "区域下有 2 台设备，请先删除设备 (delete its devices first)"
    db.session.rollback()
    assert db.session.get(BikeArea, area["id"]) is not None
    client.delete(f"/api/v1/admin/devices/{device['id']}", headers=admin_token)
    assert "1 台设备" in client.delete(f"{A}/{area['id']}", headers=admin_token).json["message"]


def test_delete_an_empty_area(client, admin_token, bike_site):
    area = bike_site["area"]
    assert client.delete(f"{A}/{area['id']}", headers=admin_token).status_code == 204
    assert db.session.execute(sa.select(sa.func.count()).select_from(BikeArea)).scalar_one() == 0
    assert client.get(f"{A}/{area['id']}", headers=admin_token).status_code == 404


def test_another_tenant_gets_404(client, bike_owner, bike_api):
    _, prop_a, headers_a = bike_owner("服务商A")
    _, _, headers_b = bike_owner("服务商B")
    station = bike_api.station(prop_a.id, headers=headers_a)
    area = bike_api.default_area(station["id"], headers=headers_a)
    for method, url in (("GET", f"{A}/{area['id']}"), ("PUT", f"{A}/{area['id']}"), ("DELETE", f"{A}/{area['id']}"),
                        ("POST", f"{A}/{area['id']}/disable")):
        assert client.open(url, method=method, headers=headers_b, json={"name": "x"}).status_code == 404
    assert client.post(A, headers=headers_b, json={"station_id": station["id"], "name": "x"}).status_code == 404
    assert client.get(A, headers=headers_b).json["total"] == 0
