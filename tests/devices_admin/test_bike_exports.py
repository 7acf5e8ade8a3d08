"""单车充电记录 export: a real .xlsx (written by the export writer process) read back with openpyxl, in the
operators' time zone, with the list's filters, the asker's scope and the export permission."""
from __future__ import annotations

import pytest

from chargehub.devices.models import ReviewState
from chargehub.extensions import db
from chargehub.tenancy.models import User, UserType
from chargehub.tenancy.org_models import Role
from chargehub.tenancy.passwords import hash_password
from tests.devices_admin.conftest import SOCKET_FAULTS, add_bike_record, add_sockets, utc
from tests.devices_admin.test_exports import export, rows_of

pytestmark = pytest.mark.smoke
KIND = "bike_charge_record"
HEADERS = ("订单号", "电站", "设备编号", "出厂标识", "插座号", "开始时间", "结束时间", "充电电量（kWh）", "充电时长",
           "最大功率（W）", "停止原因", "故障", "核对状态", "重复上传次数", "接收时间")


@pytest.fixture
def records(world):
    a, b = world["A"], world["B"]
    add_sockets(a["device"])
    add_bike_record(a["device"], trade_no="A1000000000000000000000000000001")
    add_bike_record(a["device"], socket_number=2, trade_no="A2000000000000000000000000000002", energy_kwh="0.2",
                    elapsed_s=59, max_power_w=820, stop_reason_code="fault", stop_reason="故障停止 (fault)",
                    fault_bits=36, faults=SOCKET_FAULTS, ended_at=utc(2025, 3, 2, 16, 30),
                    received_at=utc(2025, 3, 2, 16, 31), duplicates=3, review_state=ReviewState.MATCHED)
    add_bike_record(b["device"], trade_no="B1000000000000000000000000000001")


def test_bike_record_export(world, records):
    client, headers = world["client"], world["A"]["headers"]
    started = export(client, headers, KIND)
    assert started["kind"] == KIND
    title, rows = rows_of(client, headers, started)
    assert title == "单车充电记录"
    assert rows[0] == HEADERS
    assert rows[1:] == [  # newest first; times in Asia/Shanghai (UTC+8)
        ("A2000000000000000000000000000002", "A单车站", "AD0001", "A-DEV-1", 2, "2025-03-01 09:00:00",
         "2025-03-03 00:30:00", 0.2, "0:00:59", 820, "故障停止 (fault)（fault）", "过流 (over-current)、电表故障 (meter fault)",
         "已匹配", 3, "2025-03-03 00:31:00"),
        ("A1000000000000000000000000000001", "A单车站", "AD0001", "A-DEV-1", 1, "2025-03-01 09:00:00",
         "2025-03-01 11:05:30", 0.8125, "2:05:30", 415, "充满自停 (battery full)（full）", None, "待核对", 0,
         "2025-03-01 11:05:31"),
    ]


def test_bike_record_export_uses_the_list_filters_and_scope(world, records):
    client, a, b = world["client"], world["A"], world["B"]
    _, rows = rows_of(client, a["headers"], export(client, a["headers"], KIND, ended_from="2025-03-03"))
    assert [r[0] for r in rows[1:]] == ["A2000000000000000000000000000002"]
    _, rows = rows_of(client, a["headers"], export(client, a["headers"], KIND, stop_reason_code="full",
                                                   socket_number=1, device_code="ad0001"))
    assert [r[0] for r in rows[1:]] == ["A1000000000000000000000000000001"]
    _, rows = rows_of(client, a["headers"], export(client, a["headers"], KIND, trade_no="B1000"))
    assert rows[1:] == []  # another tenant's record is never exported
    _, rows = rows_of(client, b["property_headers"], export(client, b["property_headers"], KIND))
    assert [(r[0], r[2]) for r in rows[1:]] == [("B1000000000000000000000000000001", "BD0001")]
    bad = export(client, a["headers"], KIND, 422, review_state="lost", page=2)
    assert {"review_state", "page"} <= set(bad["errors"]["json"]["filters"])


def test_bike_record_export_needs_the_export_permission(world, records, auth_headers):
    a = world["A"]
    user = User(phone="13300000031", name="只看", password_hash=hash_password("pass-123456"),
                user_type=UserType.PROVIDER, provider_id=a["provider_id"])
    user.roles.append(Role(user_type=UserType.PROVIDER, provider_id=a["provider_id"], name="只看",
                           permissions=["stats.bike_record:list", "stats.bike_record:detail"]))
    db.session.add(user)
    db.session.commit()
    refused = export(world["client"], auth_headers(user), KIND, 403)
    assert "stats.bike_record:export" in refused["message"]
