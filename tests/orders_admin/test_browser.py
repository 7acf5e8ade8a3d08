"""汽车订单 in a real browser (Debian's Chromium through Playwright), in the operators' time zone.

A provider, its property, an approved car station and a 1-gun pile are made through the admin API; the
station's orders are inserted through the models on the server's database: 13 orders of one driver in
the last days (one of them settled, with its bill lines and transitions), one of the same driver 10 days
ago, and one of another driver. The provider's owner opens 订单管理 → 汽车订单: the created range starts
at the last 7 days, a search by 手机号 shows the 合计 本页总和 and 总计 搜索条件下总和 rows with the right
sums, 详细 shows the order's sections, and 结束 is offered only on orders that may be ended.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import cv2
import pytest
from playwright.sync_api import Page, expect

from chargehub.testing.fixtures import ADMIN_PASSWORD, ADMIN_PHONE
from tests.browser.conftest import admin_api, browser, open_menu, open_page, row, server, shot, sign_in  # noqa: F401
from tests.orders_admin.conftest import local_utc

pytestmark = pytest.mark.timeout(300)

ZONE = ZoneInfo("Asia/Shanghai")
PROVIDER_PHONE = "13900000801"
STATION = "江湾汽车充电站"
DRIVER = "13912345678"
SETTLED = "11000000000000000000000000000805"
BILL = {"mode": "car_tou", "free": False, "stop_reason": None, "energy_kwh": "12.5000", "electricity_fee": "11.25",
        "service_fee": "7.50", "total": "18.75",
        "lines": [{"key": "peak", "label": "峰", "seconds": 1800, "units": 0, "energy_kwh": "7.5000",
                   "electricity_price": "1.00000", "service_price": "0.60000", "electricity_fee": "7.50",
                   "service_fee": "4.50", "amount": "12.00"},
                  {"key": "flat", "label": "平", "seconds": 1200, "units": 0, "energy_kwh": "5.0000",
                   "electricity_price": "0.75000", "service_price": "0.60000", "electricity_fee": "3.75",
                   "service_fee": "3.00", "amount": "6.75"}]}


@pytest.fixture(scope="module")
def seeded(server, chargehub_database_url, tmp_path_factory) -> dict:
    """The provider owner's credentials and the orders' expected sums."""
    admin = admin_api(server, ADMIN_PHONE, ADMIN_PASSWORD)
    status, provider = admin("POST", "/api/v1/admin/providers", {
        "name": "江湾能源", "contact": "孙经理", "phone": PROVIDER_PHONE, "merchant_type": "provider"})
    assert status == 201, provider
    status, audited = admin("POST", f"/api/v1/admin/providers/{provider['id']}/audit", {"approved": True, "remark": ""})
    assert status == 200, audited
    call = admin_api(server, PROVIDER_PHONE, audited["initial_password"])
    status, prop = call("POST", "/api/v1/admin/properties", {
        "provider_id": provider["id"], "name": "江湾物业", "phone": "13900000802", "contact": "李主任"})
    assert status == 201, prop
    status, station = call("POST", "/api/v1/admin/car-stations", {"property_id": prop["property"]["id"], "name": STATION})
    assert status == 201, station
    assert call("POST", f"/api/v1/admin/car-stations/{station['id']}/audit", {"approved": True, "remark": ""})[0] == 200
    status, areas = call("GET", f"/api/v1/admin/car-areas?station_id={station['id']}")
    assert status == 200, areas
    status, pile = call("POST", "/api/v1/admin/piles", {"area_id": areas["items"][0]["id"], "factory_id": "33010000000801",
                                                        "name": "江湾1号桩", "gun_count": 1})
    assert status == 201, pile
    sums = _write_orders(chargehub_database_url, str(tmp_path_factory.mktemp("orders-instance")), pile["id"])
    return {"phone": PROVIDER_PHONE, "password": audited["initial_password"], **sums}


def _write_orders(database_url: str, instance: str, pile_id: int) -> dict:
    from chargehub.app import create_app  # noqa: PLC0415
    from chargehub.assets.car_models import CarArea, CarStation, Gun, Pile  # noqa: PLC0415
    from chargehub.charging.models import CarOrder, OrderState, OrderTransition, PayMethod, SettledBy  # noqa: PLC0415
    from chargehub.extensions import db  # noqa: PLC0415

    app = create_app({"DATABASE_URL": database_url, "PLUGIN_AUTOLOAD": False, "PLUGINS": "", "REDIS_URL": None,
                      "INSTANCE_PATH": instance, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        pile = db.session.get(Pile, pile_id)
        gun = db.session.execute(db.select(Gun).where(Gun.pile_id == pile_id)).scalar_one()
        station, area = db.session.get(CarStation, pile.station_id), db.session.get(CarArea, pile.area_id)
        base = {"provider_id": pile.provider_id, "property_id": pile.property_id, "station_id": station.id,
                "station_name": station.name, "area_id": area.id, "area_name": area.name, "pile_id": pile.id,
                "gun_id": gun.id, "gun_number": 1, "device_code": pile.code, "factory_id": pile.factory_id,
                "pay_method": PayMethod.BALANCE, "rule_name": "江湾分时计费", "rule_text": "峰 1.00 元/度，平 0.75 元/度"}
        orders = []
        for k in range(13):  # newest first: today at local midnight, then one a day further back, hours apart
            state = OrderState.CHARGING if k == 0 else OrderState.COMPLETED
            created = local_utc(0) if k == 0 else local_utc(1 + k % 5, 1 + k, 10)
            orders.append(CarOrder(**base, trade_no=f"110000000000000000000000000008{k:02d}", phone=DRIVER, state=state,
                                   prepaid=Decimal(f"{20 + k}.50"), amount=Decimal(f"{k}.25"),
                                   electricity_fee=Decimal(f"{k}.00"), service_fee=Decimal("0.25"),
                                   energy_kwh=Decimal(f"{k}.1000"), duration_s=600 + 60 * k, created_at=created))
        orders.append(CarOrder(**base, trade_no="11000000000000000000000000000890", phone=DRIVER,
                               state=OrderState.COMPLETED, prepaid=Decimal("99.00"), created_at=local_utc(10, 9)))
        orders.append(CarOrder(**base, trade_no="11000000000000000000000000000891", phone="13700000000",
                               state=OrderState.SUSPENDED, prepaid=Decimal("88.00"), created_at=local_utc(1, 9)))
        db.session.add_all(orders)
        db.session.flush()
        settled = next(o for o in orders if o.trade_no == SETTLED)
        settled.bill, settled.settled_by, settled.end_reason = BILL, SettledBy.DEVICE, "充满停止 (full)"
        settled.ended_at = settled.created_at + timedelta(seconds=settled.duration_s)
        db.session.add_all([
            OrderTransition(order_kind="car", order_id=settled.id, from_state=None, to_state="starting",
                            cause="用户启动 (driver start)", actor="driver", at=settled.created_at),
            OrderTransition(order_kind="car", order_id=settled.id, from_state="starting", to_state="charging",
                            cause="设备确认启动", actor="device", at=settled.created_at + timedelta(seconds=5)),
            OrderTransition(order_kind="car", order_id=settled.id, from_state="charging", to_state="completed",
                            cause="设备上报交易记录", actor="device", at=settled.ended_at)])
        db.session.commit()
        driver = sorted((o for o in orders[:13]), key=lambda o: o.created_at, reverse=True)
        sums = {"page_prepaid": sum(o.prepaid for o in driver[:10]), "all_prepaid": sum(o.prepaid for o in driver),
                "page_amount": sum(o.amount for o in driver[:10]), "all_amount": sum(o.amount for o in driver)}
        db.session.remove()
        db.engine.dispose()
    return sums


@pytest.fixture
def page(browser, server):  # noqa: F811 - a page in the operators' time zone, unlike the shared fixture
    with open_page(browser, server, viewport={"width": 1600, "height": 900}, timezone_id="Asia/Shanghai") as tab:
        yield tab


def test_car_orders_search_totals_and_detail(page: Page, shot, seeded, tmp_path):  # noqa: F811
    sign_in(page, seeded["phone"], seeded["password"])
    open_menu(page, "订单管理", "汽车订单")
    today = datetime.now(ZONE).date()
    expect(page.locator("#search-form input[name=created_from]")).to_have_value((today - timedelta(days=6)).isoformat())
    expect(page.locator("#search-form input[name=created_to]")).to_have_value(today.isoformat())
    expect(page.locator("#pager .total")).to_have_text("共 14 条")  # the order of 10 days ago is outside the week

    page.fill("#s-phone", DRIVER)
    page.click("#search-form button[type=submit]")
    expect(page.locator("#pager .total")).to_have_text("共 13 条")
    expect(page.locator("#grid tbody tr")).to_have_count(10)
    foot = page.locator("#grid tfoot")
    page_row, all_row = foot.locator("tr[data-totals=page]"), foot.locator("tr[data-totals=all]")
    expect(page_row.locator(".totals-label")).to_have_text("合计：本页总和")
    expect(all_row.locator(".totals-label")).to_have_text("总计：搜索条件下总和")
    expect(page_row.locator("td[data-key=prepaid]")).to_have_text(f"{seeded['page_prepaid']}元")
    expect(all_row.locator("td[data-key=prepaid]")).to_have_text(f"{seeded['all_prepaid']}元")
    expect(page_row.locator("td[data-key=amount]")).to_have_text(f"{seeded['page_amount']}元")
    expect(all_row.locator("td[data-key=amount]")).to_have_text(f"{seeded['all_amount']}元")
    expect(all_row.locator("td[data-key=trade_no]")).to_have_count(0)  # the label spans the leading columns
    page.locator("#pager button", has_text="下一页").click()  # page 2: its own 合计, the same 总计
    expect(page.locator("#grid tbody tr")).to_have_count(3)
    expect(page_row.locator("td[data-key=prepaid]")).to_have_text(f"{seeded['all_prepaid'] - seeded['page_prepaid']}元")
    expect(all_row.locator("td[data-key=prepaid]")).to_have_text(f"{seeded['all_prepaid']}元")
    page.locator("#pager button", has_text="上一页").click()
    expect(page_row.locator("td[data-key=prepaid]")).to_have_text(f"{seeded['page_prepaid']}元")
    newest = row(page, "11000000000000000000000000000800")
    expect(newest.locator("td[data-key=state]")).to_have_text("充电中")
    expect(newest.locator("td[data-key=duration_s]")).to_have_text("10分")
    expect(newest.locator("td[data-key=prepaid]")).to_have_text("20.50元")
    expect(newest.locator("button[data-action=order_end]")).to_be_visible()  # 充电中 may be ended
    expect(row(page, SETTLED).locator("button[data-action=order_end]")).to_have_count(0)  # 订单完成 may not
    shot("search")
    totals_png = tmp_path / "car-order-totals.png"
    foot.screenshot(path=str(totals_png))
    image = cv2.imread(str(totals_png), cv2.IMREAD_GRAYSCALE)
    assert image.shape[0] >= 60 and image.shape[1] > 1000  # two rows across the table
    assert (image < 100).sum() > 500  # dark text: the rows are drawn, not empty

    row(page, SETTLED).locator("button[data-action=order_detail]").click()
    dialog = page.locator("#detail-dialog")
    expect(dialog.locator("h2")).to_have_text(f"订单详情 · {SETTLED}")
    info = dialog.locator("[data-section=info]")
    expect(info.locator("dd[data-key=station_name]")).to_have_text(STATION)
    expect(info.locator("dd[data-key=factory_id]")).to_have_text("33010000000801")
    expect(info.locator("dd[data-key=state]")).to_have_text("订单完成")
    expect(info.locator("dd[data-key=end_reason]")).to_have_text("充满停止 (full)")
    expect(dialog.locator("[data-section=payments] dd[data-key=payments] tbody tr")).to_contain_text("余额")
    bill = dialog.locator("[data-section=bill]")
    expect(bill.locator("dd[data-key=rule_name]")).to_have_text("江湾分时计费")
    expect(bill.locator("dd[data-key=bill_lines] tbody tr")).to_have_count(2)
    expect(bill.locator("dd[data-key=bill_lines] tbody tr").first).to_contain_text("峰")
    expect(dialog.locator("[data-section=refunds] dd[data-key=refunds]")).to_have_text("暂无退费记录")
    expect(dialog.locator("[data-section=invoices] dd[data-key=invoice_state]")).to_have_text("未开票")
    steps = dialog.locator("[data-section=transitions] tbody tr")
    expect(steps).to_have_count(3)
    expect(steps.nth(2)).to_contain_text("充电中")
    expect(steps.nth(2)).to_contain_text("订单完成")
    expect(steps.nth(2)).to_contain_text("设备")
    shot("detail")
    detail_png = tmp_path / "car-order-detail.png"
    dialog.screenshot(path=str(detail_png))
    shown = cv2.imread(str(detail_png))
    assert shown.shape[0] > 400 and shown.shape[1] > 500  # the whole detail, every section
    dialog.locator("button", has_text="关闭").click()

    newest.locator("button[data-action=order_end]").click()
    confirm = page.locator("#confirm-dialog")
    expect(confirm.locator(".confirm-text")).to_contain_text("11000000000000000000000000000800")
    expect(confirm.locator("input[name=minutes]")).to_have_count(0)  # minutes are for e-bike orders
    confirm.locator("button", has_text="取消").click()
