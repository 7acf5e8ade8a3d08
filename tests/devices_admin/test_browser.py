"""上下线记录, 桩交易记录 and a pile's 实时状态 in a real browser (Debian's Chromium through Playwright).

A provider, its property, an approved car station and a 2-gun pile are made through the admin API; what
the gateway would write (上下线记录, the pile's liveness, gun 1's live figures with two faults, a transaction
record) is inserted through the models on the server's database. The provider's owner then searches the
上下线记录, opens a transaction record's 详细 and the pile's 详细 with its 实时状态 panel (faults in red).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from chargehub.testing.fixtures import ADMIN_PASSWORD, ADMIN_PHONE
from tests.browser.conftest import admin_api, browser, open_menu, page, row, server, sign_in  # noqa: F401
from tests.devices_admin.conftest import add_gun_live, add_online_record, add_pile_record

pytestmark = pytest.mark.timeout(300)

PROVIDER_PHONE = "13900000501"
STATION = "滨江汽车充电站"
PILE = "滨江1号快充桩"
FAULT = "急停按钮动作故障 (emergency stop pressed)"
DANGER_RED = "rgb(229, 72, 77)"  # --danger in admin.css


@pytest.fixture(scope="module")
def seeded(server, chargehub_database_url, tmp_path_factory) -> dict:
    """The provider's owner account, and the pile with its gateway-written rows."""
    admin = admin_api(server, ADMIN_PHONE, ADMIN_PASSWORD)
    status, provider = admin("POST", "/api/v1/admin/providers", {
        "name": "滨江能源", "contact": "吴经理", "phone": PROVIDER_PHONE, "merchant_type": "provider"})
    assert status == 201, provider
    status, audited = admin("POST", f"/api/v1/admin/providers/{provider['id']}/audit", {"approved": True, "remark": ""})
    assert status == 200, audited
    call = admin_api(server, PROVIDER_PHONE, audited["initial_password"])
    status, prop = call("POST", "/api/v1/admin/properties", {
        "provider_id": provider["id"], "name": "滨江物业", "phone": "13900000502", "contact": "郑主任"})
    assert status == 201, prop
    status, station = call("POST", "/api/v1/admin/car-stations", {"property_id": prop["property"]["id"], "name": STATION})
    assert status == 201, station
    assert call("POST", f"/api/v1/admin/car-stations/{station['id']}/audit", {"approved": True, "remark": ""})[0] == 200
    status, areas = call("GET", f"/api/v1/admin/car-areas?station_id={station['id']}")
    status, pile = call("POST", "/api/v1/admin/piles", {"area_id": areas["items"][0]["id"], "factory_id": "33010000000501",
                                                        "name": PILE, "gun_count": 2})
    assert status == 201, pile
    _write_gateway_rows(chargehub_database_url, str(tmp_path_factory.mktemp("seed-instance")), pile["id"])
    return {"phone": PROVIDER_PHONE, "password": audited["initial_password"], "pile": pile}


def _write_gateway_rows(database_url: str, instance: str, pile_id: int) -> None:
    from chargehub.app import create_app  # noqa: PLC0415
    from chargehub.assets.car_models import Gun, GunState, Pile  # noqa: PLC0415
    from chargehub.devices.models import ConnectionState  # noqa: PLC0415
    from chargehub.extensions import db  # noqa: PLC0415

    app = create_app({"DATABASE_URL": database_url, "PLUGIN_AUTOLOAD": False, "PLUGINS": "", "REDIS_URL": None,
                      "INSTANCE_PATH": instance, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        pile = db.session.get(Pile, pile_id)
        now = datetime.now(timezone.utc).replace(microsecond=0)
        pile.online, pile.last_heartbeat_at, pile.online_changed_at = True, now, now - timedelta(hours=2)
        pile.firmware, pile.billing_model_code = "V3.1.0", "0002"
        gun = db.session.execute(db.select(Gun).where(Gun.pile_id == pile_id, Gun.number == 1)).scalar_one()
        gun.state = GunState.FAULT
        db.session.commit()
        tenant = {"provider_id": pile.provider_id, "property_id": pile.property_id}
        add_gun_live(gun, updated_at=now)
        add_online_record(tenant, pile=pile, occurred_at=now - timedelta(hours=5), reason="")
        add_online_record(tenant, pile=pile, state=ConnectionState.OFFLINE, reason="心跳超时 (heartbeat timeout)",
                          occurred_at=now - timedelta(hours=4))
        add_online_record(tenant, pile=pile, occurred_at=now - timedelta(hours=2))
        add_pile_record(pile, trade_no="33010000000501012503010000000001")
        db.session.remove()
        db.engine.dispose()


def test_online_records_and_live_status(page: Page, seeded, tmp_path):  # noqa: F811 - Playwright's page fixture
    sign_in(page, seeded["phone"], seeded["password"])

    # -- 汇总统计 → 上下线记录: three records, newest first; search by 连接状态
    open_menu(page, "汇总统计", "上下线记录")
    expect(page.locator("#pager .total")).to_have_text("共 3 条")
    first = page.locator("#grid tbody tr").first
    expect(first.locator("td[data-key=device_name]")).to_have_text(PILE)
    expect(first.locator("td[data-key=state]")).to_have_text("上线")
    expect(first.locator("td[data-key=device_kind]")).to_have_text("充电桩")
    expect(first.locator("td[data-key=station_name]")).to_have_text(STATION)
    page.select_option("#s-state", label="下线")
    page.click("#search-form button[type=submit]")
    expect(page.locator("#pager .total")).to_have_text("共 1 条")
    expect(row(page, "心跳超时")).to_contain_text("下线")
    expect(row(page, "心跳超时").locator("td[data-key=factory_id]")).to_have_text("33010000000501")
    page.screenshot(path=str(tmp_path / "online-records.png"), full_page=True)
    page.click("#search-form button[type=reset]")
    expect(page.locator("#pager .total")).to_have_text("共 3 条")
    page.locator("#toolbar button", has_text="导出").click()  # an export job with its progress dialog
    expect(page.locator("#detail-dialog .export-status")).to_have_text("导出完成，共 3 条")
    expect(page.locator("#detail-dialog .export-link a")).to_be_visible()
    page.locator("#detail-dialog button", has_text="关闭").click()

    # -- 桩交易记录: the record and its 详细 with the rate lines in words
    open_menu(page, "汇总统计", "桩交易记录")
    record = row(page, "33010000000501012503010000000001")
    expect(record.locator("td[data-key=stop_reason]")).to_have_text("充满停止 (full)")
    record.locator("button[data-action=record_detail]").click()
    dialog = page.locator("#detail-dialog")
    expect(dialog.locator("dd[data-key=periods] tbody tr")).to_have_count(4)
    expect(dialog.locator("dd[data-key=periods] tbody tr").nth(1)).to_contain_text("峰")
    expect(dialog.locator("dd[data-key=frame] pre")).to_have_text("680c0001003b" + "00" * 8)
    page.screenshot(path=str(tmp_path / "pile-record-detail.png"))
    dialog.locator("button", has_text="关闭").click()

    # -- 充电桩管理 → 详细: the pile's fields, then 实时状态 with the live figures and the faults in red
    open_menu(page, "汽车管理", "充电桩管理")
    row(page, PILE).locator("button[data-action=detail_with_live]").click()
    expect(dialog.locator("dd[data-key=factory_id]").first).to_have_text("33010000000501")
    panel = dialog.locator(".live-panel")
    expect(panel.locator("h3")).to_have_text("实时状态")
    expect(panel.locator(".head dd[data-key=online]")).to_have_text("在线")
    expect(panel.locator(".head dd[data-key=firmware]")).to_have_text("V3.1.0")
    gun1, gun2 = panel.locator(".live-gun[data-gun='1']"), panel.locator(".live-gun[data-gun='2']")
    expect(gun1.locator(".gun-state")).to_have_text("故障")
    expect(gun1.locator("dd[data-key=voltage_v]")).to_have_text("380.5 V")
    expect(gun1.locator("dd[data-key=current_a]")).to_have_text("62.3 A")
    expect(gun1.locator("dd[data-key=soc]")).to_have_text("56 %")
    expect(gun1.locator("dd[data-key=energy_kwh]")).to_have_text("12.3456 kWh")
    fault = gun1.locator("li.fault", has_text=FAULT)
    expect(fault).to_be_visible()
    assert fault.evaluate("node => getComputedStyle(node).color") == DANGER_RED
    expect(gun1.locator("dd[data-key=lock]")).to_contain_text("已开锁")
    expect(gun1.locator("dd[data-key=last_start] .result.ok")).to_contain_text("成功")
    expect(gun1.locator("dd[data-key=last_stop] .result.bad")).to_contain_text("失败：设备故障 (device fault)")
    expect(gun2.locator(".no-live")).to_have_text("暂无实时数据（设备尚未上报）")
    panel.scroll_into_view_if_needed()
    screenshot = tmp_path / "pile-live-status.png"
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 10_000
    panel.locator(".live-refresh").click()  # reloads the panel from the API
    expect(gun1.locator("li.fault")).to_have_count(2)
    dialog.locator("button", has_text="关闭").click()

    # -- 电枪管理 → 详细: the same gun entry with its pile's liveness
    open_menu(page, "汽车管理", "电枪管理")
    page.locator("#grid tbody tr", has=page.locator("td[data-key=number]", has_text="1")).first.locator(
        "button[data-action=detail_with_live]").click()
    expect(panel.locator(".head dd[data-key=online]")).to_have_text("在线")
    expect(panel.locator(".live-gun")).to_have_count(1)
    expect(panel.locator(".live-gun li.fault").first).to_have_text(FAULT)
