"""单车充电记录: every search field on its own, the detail (faults in words, the message), paging, sorting,
tenant scope, station binding and permissions."""
from __future__ import annotations

import pytest

from chargehub.assets.bike_models import BikeDevice
from chargehub.devices.models import ReviewState
from chargehub.extensions import db
from chargehub.tenancy.models import User, UserType
from chargehub.tenancy.org_models import Role
from chargehub.tenancy.passwords import hash_password
from tests.devices_admin.conftest import SOCKET_FAULTS, add_bike_record, add_sockets, utc

pytestmark = pytest.mark.smoke
URL = "/api/v1/admin/bike-charge-records"


@pytest.fixture
def records(world):
    """Tenant A: a record of socket 1 of its device (ended Mar 1 11:05 Shanghai, full), one of socket 2 of a
    second device (ended Mar 3 00:30 Shanghai = Mar 2 16:30 UTC, fault, matched, resent twice); tenant B: one."""
    a, b = world["A"], world["B"]
    second = BikeDevice(provider_id=a["provider_id"], property_id=a["property_id"], station_id=a["device"].station_id,
                        area_id=a["device"].area_id, code="AD0002", factory_id="A-DEV-2", name="A二号设备",
                        socket_count=2)
    db.session.add(second)
    db.session.commit()
    add_sockets(a["device"])
    add_sockets(second)
    return {
        "first": add_bike_record(a["device"], trade_no="A1000000000000000000000000000001"),
        "second": add_bike_record(second, socket_number=2, trade_no="A2000000000000000000000000000002",
                                  started_at=utc(2025, 3, 2, 15, 0), ended_at=utc(2025, 3, 2, 16, 30),
                                  received_at=utc(2025, 3, 2, 16, 31), last_received_at=utc(2025, 3, 2, 16, 40),
                                  energy_kwh="0.2000", elapsed_s=5400, max_power_w=820, stop_reason_code="fault",
                                  stop_reason="故障停止 (fault)", fault_bits=36, faults=SOCKET_FAULTS, duplicates=2,
                                  review_state=ReviewState.MATCHED),
        "other": add_bike_record(b["device"], trade_no="B1000000000000000000000000000001"),
        "device2": second,
    }


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.json["items"]]


def test_list_items(world, records):
    body = world["client"].get(URL, headers=world["A"]["headers"]).json
    assert body["total"] == 2 and [i["id"] for i in body["items"]] == [records["second"].id, records["first"].id]
    first, second = body["items"][1], body["items"][0]
    assert first["trade_no"] == "A1000000000000000000000000000001" and first["station_name"] == "A单车站"
    assert (first["device_code"], first["device_name"], first["factory_id"]) == ("AD0001", "A单车设备", "A-DEV-1")
    assert first["socket_number"] == 1 and first["socket_id"] is not None
    assert (first["energy_kwh"], first["elapsed_s"], first["max_power_w"]) == ("0.8125", 7530, 415)
    assert (first["stop_reason_code"], first["stop_reason"]) == ("full", "充满自停 (battery full)")
    assert (first["fault_bits"], first["fault_code"], first["faults"]) == (0, None, [])
    assert first["review_state"] == "pending" and first["duplicates"] == 0
    assert first["started_at"].startswith("2025-03-01T01:00:00") and first["ended_at"].startswith("2025-03-01T03:05:30")
    assert "frame" not in first  # the detail carries it
    assert (second["device_code"], second["socket_number"], second["fault_code"]) == ("AD0002", 2, "0036")
    assert second["faults"] == ["过流 (over-current)", "电表故障 (meter fault)"]
    assert second["review_state"] == "matched" and second["duplicates"] == 2


def test_detail_has_the_message(world, records):
    detail = world["client"].get(f"{URL}/{records['second'].id}", headers=world["A"]["headers"])
    assert detail.status_code == 200, detail.json
    body = detail.json
    assert body["trade_no"] == "A2000000000000000000000000000002" and body["device_name"] == "A二号设备"
    assert body["frame"].startswith('{"v":1,"type":"record"') and body["record_id"] == records["second"].record_id
    assert body["faults"] == ["过流 (over-current)", "电表故障 (meter fault)"] and body["max_power_w"] == 820
    assert body["last_received_at"].startswith("2025-03-02T16:40:00")


@pytest.mark.parametrize("search,value,expected", [
    ("station_id", "own", ["second", "first"]),
    ("device_code", "d0002", ["second"]),
    ("factory_id", "DEV-1", ["first"]),
    ("socket_number", 2, ["second"]),
    ("trade_no", "A1000", ["first"]),
    ("stop_reason_code", "fault", ["second"]),
    ("stop_reason_code", "full", ["first"]),
    ("review_state", "matched", ["second"]),
    ("review_state", "pending", ["first"]),
    ("ended", ("2025-03-03", "2025-03-03"), ["second"]),
    ("ended_from", "2025-03-02", ["second"]),
    ("ended_to", "2025-03-02", ["first"]),
])
def test_every_search_field(world, records, search, value, expected):
    a = world["A"]
    if search == "ended":  # 结束时间: local dates; Mar 2 16:30 UTC is Mar 3 in Shanghai
        query = {"ended_from": value[0], "ended_to": value[1]}
    elif value == "own":
        query = {search: a["bike_station"].id}
    else:
        query = {search: value}
    assert ids(world["client"].get(URL, headers=a["headers"], query_string=query)) == [records[e].id for e in expected]


def test_paging_sorting_and_bad_input(world, records):
    client, headers = world["client"], world["A"]["headers"]
    page = client.get(URL, headers=headers, query_string={"page_size": 1, "page": 2}).json
    assert page["total"] == 2 and page["page"] == 2 and [i["id"] for i in page["items"]] == [records["first"].id]
    assert ids(client.get(URL, headers=headers, query_string={"sort": "elapsed_s"})) == [
        records["second"].id, records["first"].id]
    assert ids(client.get(URL, headers=headers, query_string={"sort": "-device_code"})) == [
        records["second"].id, records["first"].id]
    assert ids(client.get(URL, headers=headers, query_string={"sort": "ended_at"})) == [
        records["first"].id, records["second"].id]
    for query, field in (({"review_state": "lost"}, "review_state"), ({"socket_number": "x"}, "socket_number"),
                         ({"socket_number": 0}, "socket_number"), ({"sort": "frame"}, "sort"),
                         ({"ended_from": "2025-03-04", "ended_to": "2025-03-01"}, "ended_to")):
        bad = client.get(URL, headers=headers, query_string=query)
        assert bad.status_code == 422 and field in bad.json["errors"]["query"], query


@pytest.mark.parametrize("actor", ["headers", "property_headers"])
def test_another_tenant_sees_none_of_them(world, records, actor):
    client, a, b = world["client"], world["A"], world["B"]
    listed = client.get(URL, headers=b[actor])
    assert ids(listed) == [records["other"].id] and "A1000" not in listed.get_data(as_text=True)
    assert client.get(f"{URL}/{records['first'].id}", headers=b[actor]).status_code == 404
    assert ids(client.get(URL, headers=b[actor], query_string={"station_id": a["bike_station"].id})) == []
    assert client.get(f"{URL}/{records['other'].id}", headers=b[actor]).json["device_code"] == "BD0001"


def test_station_bound_user(world, records, station_user):
    a, client = world["A"], world["client"]
    elsewhere = station_user(a, car_station_ids=[a["stations"][0].id])
    assert ids(client.get(URL, headers=elsewhere)) == []
    assert client.get(f"{URL}/{records['first'].id}", headers=elsewhere).status_code == 404
    bound = station_user(a, bike_station_ids=[a["bike_station"].id])
    assert ids(client.get(URL, headers=bound)) == [records["second"].id, records["first"].id]


def test_list_and_detail_permissions(world, records, auth_headers):
    a, client = world["A"], world["client"]
    user = User(phone="13300000021", name="只列表", password_hash=hash_password("pass-123456"),
                user_type=UserType.PROVIDER, provider_id=a["provider_id"])
    user.roles.append(Role(user_type=UserType.PROVIDER, provider_id=a["provider_id"], name="记录列表",
                           permissions=["stats.bike_record:list", "stats.pile_record:detail"]))
    db.session.add(user)
    db.session.commit()
    headers = auth_headers(user)
    assert ids(client.get(URL, headers=headers)) == [records["second"].id, records["first"].id]
    refused = client.get(f"{URL}/{records['first'].id}", headers=headers)
    assert refused.status_code == 403 and "stats.bike_record:detail" in refused.json["message"]
    assert client.get(URL).status_code == 401
    pile_only = User(phone="13300000022", name="桩记录", password_hash=hash_password("pass-123456"),
                     user_type=UserType.PROVIDER, provider_id=a["provider_id"])
    pile_only.roles.append(Role(user_type=UserType.PROVIDER, provider_id=a["provider_id"], name="桩记录",
                                permissions=["stats.pile_record:list"]))
    db.session.add(pile_only)
    db.session.commit()
    assert client.get(URL, headers=auth_headers(pile_only)).status_code == 403
