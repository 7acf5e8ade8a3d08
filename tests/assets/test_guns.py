"""电枪管理: search, charging URL, rename, enable / disable, isolation."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from chargehub.assets.car_models import Gun, GunState
from chargehub.extensions import db

pytestmark = pytest.mark.smoke
G = "/api/v1/admin/guns"


@pytest.fixture
def pile_pair(client, admin_token, pile_site):
    """Two piles in two stations: A (1 gun, 32011111111111) and B (2 guns, 32012222222222)."""
    _, area_a, _ = pile_site("服务商A")
    _, area_b, _ = pile_site("服务商B")
    piles = []
    for area, factory_id, count in ((area_a, "32011111111111", 1), (area_b, "32012222222222", 2)):
        response = client.post("/api/v1/admin/piles", headers=admin_token,
                               json={"area_id": area.id, "factory_id": factory_id, "name": "桩", "gun_count": count})
        assert response.status_code == 201, response.json
        piles.append(response.json)
    return piles


def test_item_carries_pile_names_and_charge_url(client, admin_token, pile_pair):
    gun_id = pile_pair[0]["guns"][0]["id"]
    gun = client.get(f"{G}/{gun_id}", headers=admin_token).json
    token = db.session.get(Gun, gun_id).qr_token
    assert gun["charge_url"] == f"http://localhost/h5/charge/g/{token}"
    assert gun["pile_code"] == pile_pair[0]["code"] and gun["factory_id"] == "32011111111111"
    assert gun["station_name"] == pile_pair[0]["station_name"] and gun["area_name"] == pile_pair[0]["area_name"]
    assert gun["name"] == "1号枪" and gun["state"] == "offline" and gun["enabled"] is True


def test_charge_url_uses_the_public_url_setting(app, client, admin_token, pile_pair):
    gun_id = pile_pair[0]["guns"][0]["id"]
    app.config["CHARGEHUB"]["PUBLIC_URL"] = "https://cd.example.cn/"
    try:
        url = client.get(f"{G}/{gun_id}", headers=admin_token).json["charge_url"]
    finally:
        app.config["CHARGEHUB"].pop("PUBLIC_URL")
    assert url == f"https://cd.example.cn/h5/charge/g/{db.session.get(Gun, gun_id).qr_token}"


@pytest.mark.parametrize("search", ["station_id", "area_id", "pile_code", "factory_id", "state"])
def test_every_search_field(client, admin_token, pile_pair, search):
    first, second = pile_pair
    for gun in second["guns"]:
        db.session.get(Gun, gun["id"]).state = GunState.IDLE
    db.session.commit()
    value = {"station_id": first["station_id"], "area_id": first["area_id"], "pile_code": first["code"],
             "factory_id": "3201111", "state": "offline"}[search]
    found = client.get(G, headers=admin_token, query_string={search: value}).json
    assert [g["id"] for g in found["items"]] == [first["guns"][0]["id"]] and found["total"] == 1
    assert client.get(G, headers=admin_token).json["total"] == 3
    assert client.get(G, headers=admin_token, query_string={"state": "idle"}).json["total"] == 2


def test_rename_validates_and_only_changes_the_name(client, admin_token, pile_pair):
    gun_id = pile_pair[0]["guns"][0]["id"]
    bad = client.put(f"{G}/{gun_id}", headers=admin_token, json={"name": ""})
    assert bad.status_code == 422 and "1–50" in bad.json["errors"]["json"]["name"][0]
    fixed = client.put(f"{G}/{gun_id}", headers=admin_token, json={"name": "快充A枪", "number": 5})
    assert fixed.status_code == 422 and "number" in fixed.json["errors"]["json"]
    renamed = client.put(f"{G}/{gun_id}", headers=admin_token, json={"name": "快充A枪"}).json
    assert renamed["name"] == "快充A枪" and renamed["number"] == 1


def test_enable_disable_and_usability(client, admin_token, pile_pair):
    from chargehub.assets.services.guns import gun_usable

    gun_id = pile_pair[0]["guns"][0]["id"]
    assert client.post(f"{G}/{gun_id}/disable", headers=admin_token).json["enabled"] is False
    assert gun_usable(db.session.get(Gun, gun_id)) is False
    assert client.post(f"{G}/{gun_id}/enable", headers=admin_token).json["enabled"] is True
    assert gun_usable(db.session.get(Gun, gun_id)) is True


def test_another_tenant_gets_404(client, pile_site):
    _, area_a, headers_a = pile_site("服务商A")
    _, _, headers_b = pile_site("服务商B")
    pile = client.post("/api/v1/admin/piles", headers=headers_a,
                       json={"area_id": area_a.id, "factory_id": "32013333333333", "name": "桩"}).json
    gun_id = pile["guns"][0]["id"]
    for method, url in (("GET", f"{G}/{gun_id}"), ("PUT", f"{G}/{gun_id}"), ("POST", f"{G}/{gun_id}/disable")):
        assert client.open(url, method=method, headers=headers_b, json={"name": "x"}).status_code == 404
    assert client.get(G, headers=headers_b).json["total"] == 0
    assert client.get(G, headers=headers_a).json["total"] == 1
    assert db.session.execute(sa.select(Gun.name)).scalar_one() == "1号枪"
