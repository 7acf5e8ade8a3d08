"""An e-bike charger's 实时状态, MQTT 账号, sockets and 单车充电记录 in a real browser (Debian's Chromium through
Playwright).

A provider, its property, an approved e-bike station and a 2-socket device are made through the admin API
(so the device gets its broker account as in production); what the gateway would write (the device's
liveness, firmware and faults, socket 1's live figures with two faults, a charge record) is inserted through
the models on the server's database. The provider's owner then opens the device's 详细 (live figures, faults
in red, 查看账号, 重置密码, 刷新状态), watches a figure change without clicking, opens 插座管理 and the
单车充电记录 page (search, 详细, 导出).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from chargehub.testing.fixtures import ADMIN_PASSWORD, ADMIN_PHONE
from tests.browser.conftest import admin_api, browser, open_menu, page, row, server, sign_in  # noqa: F401
from tests.devices_admin.conftest import add_bike_record, add_socket_live

pytestmark = pytest.mark.timeout(300)

PROVIDER_PHONE = "13900000601"
STATION = "西湖单车充电站"
DEVICE = "西湖1号充电柜"
FACTORY_ID = "BK8600000601"
DEVICE_FAULT = "急停 (emergency stop)"
SOCKET_FAULT = "过流 (over-current)"
DANGER_RED = (229, 72, 77)  # --danger in admin.css


class GatewayWriter:
    """Writes what the gateway would, through the models, on the server's database (an app of its own)."""

    def __init__(self, database_url: str, instance: str):
        from chargehub.app import create_app  # noqa: PLC0415

        self.app = create_app({"DATABASE_URL": database_url, "PLUGIN_AUTOLOAD": False, "PLUGINS": "",
                               "REDIS_URL": None, "INSTANCE_PATH": instance, "LOG_LEVEL": "WARNING"})

    def __call__(self, write) -> None:
        from chargehub.extensions import db  # noqa: PLC0415

        with self.app.app_context():
            write(db)
            db.session.commit()
            db.session.remove()

    def close(self) -> None:
        from chargehub.extensions import db  # noqa: PLC0415

        with self.app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def seeded(server, chargehub_database_url, tmp_path_factory):
    """The provider's owner account, the device and a writer for the gateway's rows."""
    admin = admin_api(server, ADMIN_PHONE, ADMIN_PASSWORD)
    status, provider = admin("POST", "/api/v1/admin/providers", {
        "name": "西湖新能源", "contact": "钱经理", "phone": PROVIDER_PHONE, "merchant_type": "provider"})
    assert status == 201, provider
    status, audited = admin("POST", f"/api/v1/admin/providers/{provider['id']}/audit", {"approved": True, "remark": ""})
    assert status == 200, audited
    call = admin_api(server, PROVIDER_PHONE, audited["initial_password"])
    status, prop = call("POST", "/api/v1/admin/properties", {
        "provider_id": provider["id"], "name": "西湖物业", "phone": "13900000602", "contact": "孙主任"})
    assert status == 201, prop
    status, station = call("POST", "/api/v1/admin/bike-stations",
                           {"property_id": prop["property"]["id"], "name": STATION})
    assert status == 201, station
    status, _ = call("POST", f"/api/v1/admin/bike-stations/{station['id']}/audit", {"approved": True, "remark": ""})
    assert status == 200
    status, areas = call("GET", f"/api/v1/admin/bike-areas?station_id={station['id']}")
    status, device = call("POST", "/api/v1/admin/devices", {"area_id": areas["items"][0]["id"],
                                                            "factory_id": FACTORY_ID, "name": DEVICE, "socket_count": 2})
    assert status == 201, device
    writer = GatewayWriter(chargehub_database_url, str(tmp_path_factory.mktemp("seed-instance")))
    writer(lambda db: _write_gateway_rows(db, device["id"]))
    yield {"phone": PROVIDER_PHONE, "password": audited["initial_password"], "device": device, "call": call,
           "write": writer}
    writer.close()


def _write_gateway_rows(db, device_id: int) -> None:
    from chargehub.assets.bike_models import BikeDevice, Socket, SocketState  # noqa: PLC0415

    device = db.session.get(BikeDevice, device_id)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    device.online, device.last_heartbeat_at, device.online_changed_at = True, now, now - timedelta(hours=3)
    device.firmware, device.fault_bits = "BK-2.0.3", 64
    device.faults = [{"bit": 6, "code": "0064", "text": DEVICE_FAULT}]
    socket = db.session.execute(db.select(Socket).where(Socket.device_id == device_id, Socket.number == 1)).scalar_one()
    socket.state = SocketState.CHARGING
    db.session.commit()
    add_socket_live(socket, updated_at=now)
    add_bike_record(device, trade_no="B86000006010000000000001", ended_at=now - timedelta(hours=1),
                    started_at=now - timedelta(hours=3), received_at=now - timedelta(minutes=59),
                    last_received_at=now - timedelta(minutes=59))


def _red_pixels(path) -> int:
    from PIL import Image  # noqa: PLC0415

    with Image.open(path) as image:
        data = image.convert("RGB").tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3])
    return sum(1 for p in pixels if all(abs(a - b) <= 12 for a, b in zip(p, DANGER_RED)))


def test_device_live_status_account_sockets_and_records(page: Page, seeded, tmp_path):  # noqa: F811 - Playwright's page
    sign_in(page, seeded["phone"], seeded["password"])
    device = seeded["device"]

    # -- 单车管理 → 设备管理: 在线 and the fault marker
    open_menu(page, "单车管理", "设备管理")
    line = row(page, DEVICE)
    expect(line.locator("td[data-key=online]")).to_have_text("在线")
    expect(line.locator("td[data-key=has_fault] .tag.flag")).to_have_text("故障")

    # -- 详细: the device's fields, then 实时状态 with the device fault and socket 1's figures
    line.locator("button[data-action=detail_with_live]").click()
    dialog = page.locator("#detail-dialog")
    expect(dialog.locator("dd[data-key=factory_id]").first).to_have_text(FACTORY_ID)
    panel = dialog.locator(".live-panel")
    expect(panel.locator("h3")).to_have_text("实时状态")
    expect(panel.locator(".live-auto")).to_have_text("每 5 秒自动刷新")
    head = panel.locator("dl.head")
    expect(head.locator("dd[data-key=online]")).to_have_text("在线")
    expect(head.locator("dd[data-key=firmware]")).to_have_text("BK-2.0.3")
    expect(head.locator("dd[data-key=faults] .fault-code")).to_have_text("故障代码 0064")
    expect(head.locator("dd[data-key=faults] li.fault")).to_have_text(DEVICE_FAULT)
    socket1, socket2 = panel.locator(".live-socket[data-socket='1']"), panel.locator(".live-socket[data-socket='2']")
    expect(socket1.locator(".socket-state")).to_have_text("充电中")
    expect(socket1.locator("dd[data-key=voltage_v]")).to_have_text("220.5 V")
    expect(socket1.locator("dd[data-key=current_a]")).to_have_text("1.825 A")
    expect(socket1.locator("dd[data-key=power_w]")).to_have_text("402 W")
    expect(socket1.locator("dd[data-key=energy_kwh]")).to_have_text("0.3120 kWh")
    expect(socket1.locator("dd[data-key=elapsed_s]")).to_have_text("0:46:05")
    expect(socket1.locator("dd[data-key=trade_no]")).to_have_text("B20250301100000000001")
    expect(socket1.locator("dd[data-key=faults] .fault-code")).to_have_text("故障代码 0036")
    fault = socket1.locator("li.fault", has_text=SOCKET_FAULT)
    expect(fault).to_be_visible()
    assert fault.evaluate("node => getComputedStyle(node).color") == "rgb(%d, %d, %d)" % DANGER_RED
    expect(socket1.locator("dd[data-key=last_stop] .result.bad")).to_contain_text("失败：插座空闲 (socket idle)")
    expect(socket2.locator(".socket-state")).to_have_text("空闲中")
    expect(socket2.locator(".no-live")).to_have_text("暂无实时数据（设备尚未上报）")
    panel.scroll_into_view_if_needed()
    screenshot = tmp_path / "bike-device-live.png"
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 10_000
    assert _red_pixels(screenshot) > 200  # the faults really show in red

    # -- the figures refresh by themselves: the gateway writes new ones, the panel shows them without a click
    def more_power(db):
        from chargehub.devices.bike_models import SocketLive  # noqa: PLC0415

        live = db.session.execute(db.select(SocketLive).where(SocketLive.device_id == device["id"])).scalar_one()
        live.power_w, live.energy_kwh, live.elapsed_s = 388, Decimal("0.3571"), 2770

    seeded["write"](more_power)
    expect(socket1.locator("dd[data-key=power_w]")).to_have_text("388 W", timeout=12_000)
    expect(socket1.locator("dd[data-key=energy_kwh]")).to_have_text("0.3571 kWh")

    # -- MQTT 账号: its state; 查看账号 reveals the credentials, 重置密码 (confirmed) issues a new password
    account = panel.locator(".live-section.account")
    state = seeded["call"]("GET", f"/api/v1/admin/bike-devices/{device['id']}/status")[1]["account"]["state"]
    words = {"pending": "待同步", "unmanaged": "未托管", "active": "已生效", "failed": "同步失败"}[state]
    expect(account.locator("dd[data-key=account_state]")).to_have_text(words)
    account.locator("button.account-view").click()
    secret = account.locator(".account-secret")
    expect(secret.locator("dd[data-key=username]")).to_have_text(FACTORY_ID)
    expect(secret.locator("dd[data-key=client_id]")).to_have_text(FACTORY_ID)
    first_password = secret.locator("dd[data-key=password]").inner_text().strip()
    assert len(first_password) >= 20 and first_password != "尚未签发"
    page.screenshot(path=str(tmp_path / "bike-device-account.png"))
    loaded = panel.get_attribute("data-loaded-at")  # the next reload of the panel keeps the revealed account
    expect(panel).not_to_have_attribute("data-loaded-at", loaded, timeout=12_000)
    expect(secret.locator("dd[data-key=password]")).to_have_text(first_password)
    account.locator("button.account-reset").click()
    expect(page.locator("#confirm-dialog .confirm-text")).to_contain_text(DEVICE)
    page.locator("#confirm-dialog button", has_text="确定").click()
    expect(page.locator(".toast", has_text="密码已重置")).to_be_visible()
    expect(secret.locator("dd[data-key=password]")).not_to_have_text(first_password)
    second_password = secret.locator("dd[data-key=password]").inner_text().strip()
    status, viewed = seeded["call"]("GET", f"/api/v1/admin/bike-devices/{device['id']}/mqtt-account")
    assert status == 200 and viewed["password"] == second_password != first_password

    # -- 刷新状态: the command goes over the bus; no gateway holds this device, so it answers 设备离线
    panel.locator(".device-commands button[data-command=refresh_state]").click()
    expect(panel.locator(".command-result")).to_have_text("刷新状态：设备离线")
    dialog.locator(".buttons button", has_text="关闭").click()

    # -- 插座管理: state and live figures in the list, the socket's own 实时状态 in its 详细
    open_menu(page, "单车管理", "插座管理")
    first = page.locator("#grid tbody tr", has=page.locator("td[data-key=number]", has_text="1")).first
    expect(first.locator("td[data-key=state]")).to_have_text("充电中")
    expect(first.locator("td[data-key=power_w]")).to_have_text("388")
    expect(first.locator("td[data-key=elapsed_s]")).to_have_text("0:46:10")
    expect(first.locator("td[data-key=faults]")).to_have_text("过流 (over-current)、电表故障 (meter fault)")
    first.locator("button[data-action=detail_with_live]").click()
    expect(panel.locator(".head dd[data-key=device]")).to_have_text(f"{DEVICE}（{device['code']}）")
    expect(panel.locator(".live-socket")).to_have_count(1)
    expect(panel.locator(".live-socket dd[data-key=voltage_v]")).to_have_text("220.5 V")
    dialog.locator(".buttons button", has_text="关闭").click()

    # -- 汇总统计 → 单车充电记录: search by 停止原因, 详细, 导出
    open_menu(page, "汇总统计", "单车充电记录")
    record = row(page, "B86000006010000000000001")
    expect(record.locator("td[data-key=stop_reason]")).to_have_text("充满自停 (battery full)")
    expect(record.locator("td[data-key=elapsed_s]")).to_have_text("2:05:30")
    page.select_option("#s-stop_reason_code", label="故障停止")
    page.click("#search-form button[type=submit]")
    expect(page.locator("#pager .total")).to_have_text("共 0 条")
    page.click("#search-form button[type=reset]")
    expect(page.locator("#pager .total")).to_have_text("共 1 条")
    record.locator("button[data-action=record_detail]").click()
    expect(dialog.locator("h2")).to_have_text("充电记录详情 · B86000006010000000000001")
    expect(dialog.locator("dd[data-key=stop_reason_code]")).to_have_text("充满自停")
    expect(dialog.locator("dd[data-key=frame] pre")).to_contain_text('"type":"record"')
    page.screenshot(path=str(tmp_path / "bike-record-detail.png"))
    dialog.locator("button", has_text="关闭").click()
    page.locator("#toolbar button", has_text="导出").click()
    expect(page.locator("#detail-dialog .export-status")).to_have_text("导出完成，共 1 条")
    expect(page.locator("#detail-dialog .export-link a")).to_be_visible()
