"""上下线记录 and 桩交易记录 exports: real .xlsx files (written by the export writer process) read back with
openpyxl, in the operators' time zone, with the list's filters and the asker's scope."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from chargehub.devices.models import ConnectionState
from chargehub.extensions import db
from chargehub.tenancy.models import User, UserType
from chargehub.tenancy.org_models import Role
from chargehub.tenancy.passwords import hash_password
from tests.devices_admin.conftest import add_online_record, add_pile_record, utc

pytestmark = pytest.mark.smoke
EXPORTS = "/api/v1/admin/qrcodes/exports"


def export(client, headers, kind: str, status: int = 202, **filters):
    response = client.post(EXPORTS, headers=headers, json={"kind": kind, "filters": filters})
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json


def rows_of(client, headers, started) -> tuple[str, list[tuple]]:
    state = client.get(f"{EXPORTS}/{started['export_id']}", headers=headers).json
    assert state["state"] == "done", state
    response = client.get(state["download_url"], headers=headers)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book[book.sheetnames[0]]
    return sheet.title, list(sheet.iter_rows(values_only=True))


@pytest.fixture
def online_records(world):
    a, b = world["A"], world["B"]
    add_online_record(a, pile=a["piles"][0], occurred_at=utc(2025, 3, 1, 2, 0, 5))
    add_online_record(a, pile=a["piles"][0], state=ConnectionState.OFFLINE, reason="心跳超时 (heartbeat timeout)",
                      occurred_at=utc(2025, 3, 1, 16, 30, 0))
    add_online_record(a, device=a["device"], state=ConnectionState.REFUSED, reason="设备已禁用 (device disabled)",
                      peer="10.0.0.9:40000", occurred_at=utc(2025, 3, 2, 0, 0, 0))
    add_online_record(b, pile=b["piles"][0], occurred_at=utc(2025, 3, 1, 3, 0, 0))


def test_online_record_export(world, online_records):
    client, headers = world["client"], world["A"]["headers"]
    started = export(client, headers, "device_online_record")
    assert started["kind"] == "device_online_record"
    title, rows = rows_of(client, headers, started)
    assert title == "上下线记录"
    assert rows[0] == ("设备名称", "设备编号", "设备sn号", "设备类型", "连接状态", "原因", "协议", "地址", "记录时间")
    assert rows[1:] == [  # newest first; times in Asia/Shanghai (UTC+8)
        ("A单车设备", "AD0001", "A-DEV-1", "单车设备", "拒绝登录", "设备已禁用 (device disabled)", "bike",
         "10.0.0.9:40000", "2025-03-02 08:00:00"),
        ("A1号桩", "AP0001", "A-FAC-1", "充电桩", "下线", "心跳超时 (heartbeat timeout)", "ykc", "10.0.0.8:50112",
         "2025-03-02 00:30:00"),
        ("A1号桩", "AP0001", "A-FAC-1", "充电桩", "上线", None, "ykc", "10.0.0.8:50112", "2025-03-01 10:00:05"),
    ]


def test_online_record_export_uses_the_list_filters(world, online_records):
    client, headers = world["client"], world["A"]["headers"]
    _, rows = rows_of(client, headers, export(client, headers, "device_online_record", device_kind="pile",
                                              occurred_from="2025-03-02", occurred_to="2025-03-02"))
    assert [r[4] for r in rows[1:]] == ["下线"]  # 00:30 on Mar 2 in Shanghai, 16:30 on Mar 1 in UTC
    _, rows = rows_of(client, headers, export(client, headers, "device_online_record", state="refused"))
    assert [r[1] for r in rows[1:]] == ["AD0001"]
    _, rows = rows_of(client, world["B"]["headers"], export(client, world["B"]["headers"], "device_online_record"))
    assert [r[2] for r in rows[1:]] == ["B-FAC-1"]  # B's own record only
    bad = export(client, headers, "device_online_record", 422, state="asleep")
    assert "state" in bad["errors"]["json"]["filters"]


def test_online_record_export_needs_the_export_permission(world, online_records, auth_headers):
    a = world["A"]
    user = User(phone="13300000003", name="只看", password_hash=hash_password("pass-123456"),
                user_type=UserType.PROVIDER, provider_id=a["provider_id"])
    user.roles.append(Role(user_type=UserType.PROVIDER, provider_id=a["provider_id"], name="只看",
                           permissions=["stats.online:list", "stats.pile_record:list"]))
    db.session.add(user)
    db.session.commit()
    for kind in ("device_online_record", "pile_transaction_record"):
        refused = export(world["client"], auth_headers(user), kind, 403)
        assert "export" in refused["message"]


def test_pile_record_export(world):
    a, b = world["A"], world["B"]
    add_pile_record(a["piles"][0], trade_no="A1000000000000000000000000000001")
    add_pile_record(a["piles"][1], gun_number=1, trade_no="A2000000000000000000000000000002", energy_kwh="7.1",
                    amount="9.2345", trade_flag="card", stop_reason_code=65, stop_reason="急停停止 (emergency stop)",
                    ended_at=utc(2025, 3, 2, 16, 30), received_at=utc(2025, 3, 2, 16, 31), duplicates=3)
    add_pile_record(b["piles"][0], trade_no="B1000000000000000000000000000001")
    client, headers = world["client"], a["headers"]
    title, rows = rows_of(client, headers, export(client, headers, "pile_transaction_record"))
    assert title == "桩交易记录"
    assert rows[0] == ("交易流水号", "电站", "充电桩编号", "出厂标识", "枪号", "开始时间", "结束时间", "充电电量（kWh）",
                       "消费金额（元）", "交易标识", "停止原因", "VIN", "核对状态", "重复上传次数", "接收时间")
    assert [r[0] for r in rows[1:]] == ["A2000000000000000000000000000002", "A1000000000000000000000000000001"]
    second, first = rows[1], rows[2]
    assert first[1:7] == ("A汽车站1", "AP0001", "A-FAC-1", 1, "2025-03-01 09:00:00", "2025-03-01 10:30:00")
    assert (first[7], first[8]) == (20.5, 30.75)
    assert first[9:] == ("APP启动", "充满停止 (full)（64）", "LSVAB4BR5KN000001", "待核对", 0, "2025-03-01 10:30:06")
    assert (second[6], second[7], second[8], second[9]) == ("2025-03-03 00:30:00", 7.1, 9.2345, "卡启动")
    assert second[10] == "急停停止 (emergency stop)（65）" and second[13] == 3
    _, rows = rows_of(client, headers, export(client, headers, "pile_transaction_record", ended_from="2025-03-03"))
    assert [r[2] for r in rows[1:]] == ["AP0002"]
    _, rows = rows_of(client, headers, export(client, headers, "pile_transaction_record", trade_no="B1000"))
    assert rows[1:] == []  # another tenant's record is never exported
