"""上下线记录 (汇总统计 3.6.6): every search field on its own, paging and sorting, tenant and station scope."""
from __future__ import annotations

import pytest

from chargehub.devices.models import ConnectionState
from tests.devices_admin.conftest import add_online_record, utc

pytestmark = pytest.mark.smoke
URL = "/api/v1/admin/device-online-records"


@pytest.fixture
def records(world):
    """Tenant A: pile 1 上线 (Mar 1, 10:00 Shanghai), pile 2 下线 (Mar 3, 01:00 Shanghai = Mar 2 17:00 UTC), the
    e-bike device 拒绝登录 (Mar 5); tenant B: one 上线 of its pile; and a refused unknown device (no tenant)."""
    a, b = world["A"], world["B"]
    return {
        "online": add_online_record(a, pile=a["piles"][0], occurred_at=utc(2025, 3, 1, 2, 0, 0)),
        "offline": add_online_record(a, pile=a["piles"][1], state=ConnectionState.OFFLINE,
                                     reason="心跳超时 (heartbeat timeout)", occurred_at=utc(2025, 3, 2, 17, 0, 0)),
        "refused": add_online_record(a, device=a["device"], state=ConnectionState.REFUSED,
                                     reason="设备已禁用 (device disabled)", occurred_at=utc(2025, 3, 5, 4, 0, 0)),
        "other": add_online_record(b, pile=b["piles"][0], occurred_at=utc(2025, 3, 4, 0, 0, 0)),
        "unknown": add_online_record(None, device_name="", device_code="", factory_id="99999999999999",
                                     state=ConnectionState.REFUSED, reason="未登记的设备 (unknown device)",
                                     occurred_at=utc(2025, 3, 6, 0, 0, 0)),
    }


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.json["items"]]


def test_list_shows_the_records_newest_first_with_station_names(world, records):
    body = world["client"].get(URL, headers=world["A"]["headers"]).json
    assert body["total"] == 3
    assert [i["id"] for i in body["items"]] == [records[k].id for k in ("refused", "offline", "online")]
    offline = body["items"][1]
    assert offline["device_name"] == "A2号桩" and offline["device_code"] == "AP0002"
    assert offline["factory_id"] == "A-FAC-2" and offline["device_kind"] == "pile" and offline["state"] == "offline"
    assert offline["reason"] == "心跳超时 (heartbeat timeout)" and offline["protocol"] == "ykc"
    assert offline["peer"] == "10.0.0.8:50112" and offline["station_name"] == "A汽车站2"
    assert offline["occurred_at"].startswith("2025-03-02T17:00:00")
    assert body["items"][0]["station_name"] == "A单车站" and body["items"][0]["device_kind"] == "bike_device"


@pytest.mark.parametrize("search,value,expected", [
    ("device_name", "2号", "offline"),
    ("device_code", "p0002", "offline"),
    ("factory_id", "DEV", "refused"),
    ("device_kind", "bike_device", "refused"),
    ("state", "offline", "offline"),
    ("state", "refused", "refused"),
    ("occurred", ("2025-03-03", "2025-03-03"), "offline"),
    ("occurred_from", "2025-03-04", "refused"),
    ("occurred_to", "2025-03-01", "online"),
])
def test_every_search_field(world, records, search, value, expected):
    client, headers = world["client"], world["A"]["headers"]
    if search == "occurred":  # 记录时间 is a range of local dates: Mar 2 17:00 UTC is Mar 3 in Shanghai
        query = {"occurred_from": value[0], "occurred_to": value[1]}
    else:
        query = {search: value}
    assert ids(client.get(URL, headers=headers, query_string=query)) == [records[expected].id]


def test_searches_combine(world, records):
    client, headers = world["client"], world["A"]["headers"]
    assert ids(client.get(URL, headers=headers, query_string={"device_kind": "pile", "state": "online"})) == [
        records["online"].id]
    assert ids(client.get(URL, headers=headers, query_string={"device_kind": "camera"})) == []
    assert ids(client.get(URL, headers=headers, query_string={"occurred_from": "2025-03-02",
                                                              "occurred_to": "2025-03-02"})) == []


def test_paging_and_sorting(world, records):
    client, headers = world["client"], world["A"]["headers"]
    first = client.get(URL, headers=headers, query_string={"page_size": 2}).json
    second = client.get(URL, headers=headers, query_string={"page_size": 2, "page": 2}).json
    assert first["total"] == second["total"] == 3 and len(first["items"]) == 2 and len(second["items"]) == 1
    assert ids(client.get(URL, headers=headers, query_string={"sort": "occurred_at"})) == [
        records[k].id for k in ("online", "offline", "refused")]
    assert ids(client.get(URL, headers=headers, query_string={"sort": "device_code"})) == [
        records[k].id for k in ("refused", "online", "offline")]  # AD0001, AP0001, AP0002


@pytest.mark.parametrize("query,field", [
    ({"state": "sleeping"}, "state"),
    ({"device_kind": "toaster"}, "device_kind"),
    ({"occurred_from": "2025-03-05", "occurred_to": "2025-03-01"}, "occurred_to"),
    ({"occurred_from": "yesterday"}, "occurred_from"),
    ({"sort": "peer"}, "sort"),
])
def test_bad_search_values_answer_422(world, records, query, field):
    response = world["client"].get(URL, headers=world["A"]["headers"], query_string=query)
    assert response.status_code == 422
    assert field in response.json["errors"]["query"]


def test_tenants_see_only_their_own_records(world, records, admin_token):
    client, a, b = world["client"], world["A"], world["B"]
    for headers in (b["headers"], b["property_headers"]):
        body = client.get(URL, headers=headers)
        assert ids(body) == [records["other"].id]
        assert "A-FAC" not in body.get_data(as_text=True)
    assert ids(client.get(URL, headers=a["property_headers"], query_string={"sort": "occurred_at"})) == [
        records[k].id for k in ("online", "offline", "refused")]
    # a device nobody registered belongs to no tenant: only platform users see its refused logins
    everything = client.get(URL, headers=admin_token).json
    assert everything["total"] == 5 and everything["items"][0]["id"] == records["unknown"].id
    assert everything["items"][0]["station_name"] is None and everything["items"][0]["provider_id"] is None


def test_station_bound_user_sees_only_its_stations_records(world, records, station_user):
    a, client = world["A"], world["client"]
    car_only = station_user(a, car_station_ids=[a["stations"][0].id])
    assert ids(client.get(URL, headers=car_only)) == [records["online"].id]
    bike_only = station_user(a, bike_station_ids=[a["bike_station"].id])
    assert ids(client.get(URL, headers=bike_only)) == [records["refused"].id]
    both = station_user(a, car_station_ids=[a["stations"][1].id], bike_station_ids=[a["bike_station"].id])
    assert ids(client.get(URL, headers=both)) == [records["refused"].id, records["offline"].id]
    assert ids(client.get(URL, headers=station_user(a))) == []


def test_list_needs_its_permission(world, records, auth_headers):
    from chargehub.extensions import db
    from chargehub.tenancy.models import User, UserType
    from chargehub.tenancy.org_models import Role
    from chargehub.tenancy.passwords import hash_password

    a = world["A"]
    user = User(phone="13300000002", name="无权限", password_hash=hash_password("pass-123456"),
                user_type=UserType.PROVIDER, provider_id=a["provider_id"])
    user.roles.append(Role(user_type=UserType.PROVIDER, provider_id=a["provider_id"], name="桩",
                           permissions=["car.pile:list"]))
    db.session.add(user)
    db.session.commit()
    assert world["client"].get(URL, headers=auth_headers(user)).status_code == 403
    assert world["client"].get(URL).status_code == 401
