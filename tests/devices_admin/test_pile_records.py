"""桩交易记录: every search field on its own, the detail (periods, meters, frame), paging, scope."""
from __future__ import annotations

import pytest

from chargehub.devices.models import ReviewState
from tests.devices_admin.conftest import add_pile_record, utc

pytestmark = pytest.mark.smoke
URL = "/api/v1/admin/pile-transaction-records"


@pytest.fixture
def records(world):
    """Tenant A: a record of pile 1 gun 2 (ended Mar 1 10:30 Shanghai, full), one of pile 2 (ended Mar 3 00:30
    Shanghai = Mar 2 16:30 UTC, emergency stop, matched, resent twice); tenant B: one of its pile."""
    a, b = world["A"], world["B"]
    return {
        "first": add_pile_record(a["piles"][0], gun_number=2, trade_no="A1000000000000000000000000000001"),
        "second": add_pile_record(a["piles"][1], trade_no="A2000000000000000000000000000002",
                                  started_at=utc(2025, 3, 2, 15, 0), ended_at=utc(2025, 3, 2, 16, 30),
                                  received_at=utc(2025, 3, 2, 16, 31), last_received_at=utc(2025, 3, 2, 16, 40),
                                  stop_reason_code=65, stop_reason="急停停止 (emergency stop)", duplicates=2,
                                  review_state=ReviewState.MATCHED, trade_flag="card", card="00000000a1b2c3d4"),
        "other": add_pile_record(b["piles"][0], trade_no="B1000000000000000000000000000001"),
    }


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.json["items"]]


def test_list_items(world, records):
    body = world["client"].get(URL, headers=world["A"]["headers"]).json
    assert body["total"] == 2 and [i["id"] for i in body["items"]] == [records["second"].id, records["first"].id]
    first = body["items"][1]
    assert first["trade_no"] == "A1000000000000000000000000000001" and first["station_name"] == "A汽车站1"
    assert (first["pile_code"], first["pile_name"], first["factory_id"]) == ("AP0001", "A1号桩", "A-FAC-1")
    assert first["gun_number"] == 2 and first["gun_name"] is None  # the record does not say which gun row
    assert (first["energy_kwh"], first["amount"]) == ("20.5000", "30.7500")
    assert first["stop_reason_code"] == 64 and first["stop_reason"] == "充满停止 (full)"
    assert first["review_state"] == "pending" and first["duplicates"] == 0 and first["trade_flag"] == "app"
    assert first["ended_at"].startswith("2025-03-01T02:30:00")
    assert "periods" not in first and "frame" not in first  # the detail carries them


def test_detail_has_periods_meters_and_frame(world, records):
    a = world["A"]
    gun = next(g for g in a["guns"] if g.pile_id == a["piles"][0].id and g.number == 2)
    records["first"].gun_id = gun.id
    from chargehub.extensions import db

    db.session.commit()
    detail = world["client"].get(f"{URL}/{records['first'].id}", headers=a["headers"])
    assert detail.status_code == 200, detail.json
    body = detail.json
    assert body["gun_name"] == "2号枪"
    assert [p["rate"] for p in body["periods"]] == ["sharp", "peak", "flat", "valley"]
    assert body["periods"][1] == {"rate": "peak", "unit_price": "1.50000", "energy_kwh": "20.5000", "amount": "30.7500"}
    assert (body["meter_start_kwh"], body["meter_end_kwh"]) == ("1000.0000", "1020.5000")
    assert body["frame"] == "680c0001003b" + "00" * 8 and body["vin"] == "LSVAB4BR5KN000001"


@pytest.mark.parametrize("search,value,expected", [
    ("station_id", "station2", "second"),
    ("pile_code", "p0002", "second"),
    ("factory_id", "FAC-1", "first"),
    ("trade_no", "A2000", "second"),
    ("review_state", "matched", "second"),
    ("review_state", "pending", "first"),
    ("stop_reason_code", 65, "second"),
    ("ended", ("2025-03-03", "2025-03-03"), "second"),
    ("ended_from", "2025-03-02", "second"),
    ("ended_to", "2025-03-02", "first"),
])
def test_every_search_field(world, records, search, value, expected):
    a = world["A"]
    if search == "ended":  # 结束时间: local dates; Mar 2 16:30 UTC is Mar 3 in Shanghai
        query = {"ended_from": value[0], "ended_to": value[1]}
    elif value == "station2":
        query = {search: a["stations"][1].id}
    else:
        query = {search: value}
    assert ids(world["client"].get(URL, headers=a["headers"], query_string=query)) == [records[expected].id]


def test_paging_and_sorting(world, records):
    client, headers = world["client"], world["A"]["headers"]
    page = client.get(URL, headers=headers, query_string={"page_size": 1, "page": 2}).json
    assert page["total"] == 2 and [i["id"] for i in page["items"]] == [records["first"].id]
    assert ids(client.get(URL, headers=headers, query_string={"sort": "ended_at"})) == [
        records["first"].id, records["second"].id]
    assert ids(client.get(URL, headers=headers, query_string={"sort": "-pile_code"})) == [
        records["second"].id, records["first"].id]
    for query, field in (({"review_state": "lost"}, "review_state"), ({"stop_reason_code": "x"}, "stop_reason_code"),
                         ({"ended_from": "2025-03-04", "ended_to": "2025-03-01"}, "ended_to")):
        bad = client.get(URL, headers=headers, query_string=query)
        assert bad.status_code == 422 and field in bad.json["errors"]["query"], query


@pytest.mark.parametrize("actor", ["headers", "property_headers"])
def test_another_tenant_sees_none_of_them(world, records, actor):
    client, a, b = world["client"], world["A"], world["B"]
    listed = client.get(URL, headers=b[actor])
    assert ids(listed) == [records["other"].id] and "A1000" not in listed.get_data(as_text=True)
    assert client.get(f"{URL}/{records['first'].id}", headers=b[actor]).status_code == 404
    assert ids(client.get(URL, headers=b[actor], query_string={"station_id": a["stations"][0].id})) == []


def test_station_bound_user(world, records, station_user):
    a, client = world["A"], world["client"]
    headers = station_user(a, car_station_ids=[a["stations"][1].id])
    assert ids(client.get(URL, headers=headers)) == [records["second"].id]
    assert client.get(f"{URL}/{records['first'].id}", headers=headers).status_code == 404
    assert client.get(f"{URL}/{records['second'].id}", headers=headers).status_code == 200
