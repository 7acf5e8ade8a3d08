"""汽车管理 and 单车管理 in a real browser, through the UI only (charging-asset acceptance).

A provider's owner account (provider and property made through the admin API by the fixture) adds and
approves a car station, an area, a batch of parking spaces, a camera on two of them and a 2-gun pile;
downloads a gun's QR code and decodes it; exports the guns' QR codes to .xlsx; sees a disabled station
refuse new areas and an offline space lock answer 设备离线. On the e-bike side it adds and approves a
station and a 10-socket device, and switches the device off and on again.
"""
from __future__ import annotations

import re
import time

import cv2
import openpyxl
import pytest
from playwright.sync_api import Page, expect

from chargehub.testing.fixtures import ADMIN_PASSWORD, ADMIN_PHONE
from tests.browser.conftest import admin_api, dialog_field, open_menu, row, save_dialog, sign_in

pytestmark = pytest.mark.timeout(300)

PROVIDER_PHONE = "13900000101"
PROPERTY = "星河物业"
CAR_STATION = "星河汽车充电站"
BIKE_STATION = "星河单车充电站"


@pytest.fixture(scope="module")
def owner(server) -> tuple[str, str]:
    """(phone, password) of an approved provider's owner account that has one property."""
    admin = admin_api(server, ADMIN_PHONE, ADMIN_PASSWORD)
    status, provider = admin("POST", "/api/v1/admin/providers", {
        "name": "星河能源", "contact": "赵经理", "phone": PROVIDER_PHONE, "merchant_type": "provider"})
    assert status == 201, provider
    status, audited = admin("POST", f"/api/v1/admin/providers/{provider['id']}/audit", {"approved": True, "remark": ""})
    assert status == 200, audited
    password = audited["initial_password"]
    status, created = admin_api(server, PROVIDER_PHONE, password)("POST", "/api/v1/admin/properties", {
        "provider_id": provider["id"], "name": PROPERTY, "phone": "13900000102", "contact": "钱主任"})
    assert status == 201, created
    return PROVIDER_PHONE, password


def choose(page: Page, name: str, text: str) -> None:
    """Pick the option containing ``text`` of the dialog's select ``name`` once its options have loaded."""
    option = page.locator(f"#form-dialog select[name={name}] option", has_text=text).first
    expect(option).to_be_attached()
    page.select_option(f"#form-dialog select[name={name}]", value=option.get_attribute("value"))


def add(page: Page, fields: dict[str, str], selects: dict[str, str] | None = None) -> None:
    """Open 添加, pick ``selects`` (in order), fill ``fields`` and save."""
    page.click("#toolbar button[data-action=add]")
    for name, text in (selects or {}).items():
        choose(page, name, text)
    for name, value in fields.items():
        page.fill(f"#form-dialog [name={name}]", value)
    save_dialog(page)


def confirm(page: Page) -> None:
    page.locator("#confirm-dialog button", has_text="确定").click()


def row_button(page: Page, text: str, label: str):
    """The row action ``label`` of the first row containing ``text`` (its dropdown opened when it is in one)."""
    cell = row(page, text).first.locator("td.actions")
    expect(cell).to_be_visible()
    named = re.compile(f"^{label}$")
    button = cell.locator("button", has_text=named)
    if not button.is_visible():
        cell.locator("details.row-menu", has=page.locator("button", has_text=named)).locator("summary").click()
    return button


def test_car_station_to_gun_qr_codes(page: Page, shot, owner, tmp_path):
    sign_in(page, *owner)

    # -- 汽车电站: add, approve, details with counts and history
    open_menu(page, "汽车管理", "汽车电站")
    add(page, {"name": CAR_STATION, "contact": "孙站长", "contact_phone": "13900000103", "hotline": "400-800-1234",
               "province": "广东省", "city": "深圳市", "address": "南山区星河路 8 号"}, {"property_id": PROPERTY})
    station = row(page, CAR_STATION)
    expect(station).to_contain_text("待审核")
    row_button(page, CAR_STATION, "审核").click()
    page.fill("#form-dialog [name=remark]", "资料齐全")
    save_dialog(page)
    expect(station).to_contain_text("审核通过")
    expect(station.locator("td[data-key=area_count]")).to_have_text("1")  # the default area
    shot("car-stations")
    row_button(page, CAR_STATION, "详细").click()
    expect(page.locator("#detail-dialog dd[data-key=space_count]")).to_have_text("0")
    expect(page.locator("#detail-dialog dd[data-key=history] table tbody tr").first).to_be_visible()
    shot("car-station-detail")
    page.locator("#detail-dialog button", has_text="关闭").click()
    row_button(page, CAR_STATION, "私桩申请").click()
    qr = page.locator("#detail-dialog .application-qr img")
    expect(qr).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    shot("private-pile-applications")
    page.locator("#detail-dialog button", has_text="关闭").click()

    # -- 区域管理 → 车位管理 (batch) → 相机管理 on two spaces → 充电桩管理 with two guns
    open_menu(page, "汽车管理", "区域管理")
    add(page, {"name": "A区", "phone": "13900000104", "power_kw": "120"}, {"station_id": CAR_STATION})
    expect(row(page, "A区")).to_contain_text(CAR_STATION)
    open_menu(page, "汽车管理", "车位管理")
    add(page, {"count": "4", "name_prefix": "A-"}, {"station_id": CAR_STATION, "area_id": "A区",
                                                     "lock_type": "相机控制地锁"})
    expect(page.locator("#pager .total")).to_have_text("共 4 条")
    expect(page.locator("#grid tbody td[data-key=lock_type]").first).to_have_text("相机控制地锁")
    shot("spaces")
    spaces = page.locator("#grid tbody td[data-key=name]").all_text_contents()
    open_menu(page, "汽车管理", "相机管理")
    add(page, {"factory_id": "CAM-00001", "ip": "192.168.10.21", "name": "A区1号相机"},
        {"station_id": CAR_STATION, "area_id": "A区", "left_space_id": spaces[0], "right_space_id": spaces[1]})
    camera = row(page, "A区1号相机")
    expect(camera.locator("td[data-key=left_space_name]")).to_have_text(spaces[0])
    expect(camera.locator("td[data-key=right_space_name]")).to_have_text(spaces[1])
    expect(camera).to_contain_text("离线")
    shot("cameras")
    reboot = row_button(page, "A区1号相机", "重启设备")  # in the 设备操作 dropdown
    expect(reboot).to_be_visible()
    shot("camera-device-actions")
    reboot.click()
    expect(page.locator(".toast", has_text="设备离线")).to_be_visible()
    open_menu(page, "汽车管理", "充电桩管理")
    page.click("#toolbar button[data-action=add]")
    choose(page, "station_id", CAR_STATION)
    choose(page, "area_id", "A区")
    page.fill("#form-dialog [name=factory_id]", "32010600000001")
    page.fill("#form-dialog [name=name]", "A区1号桩")
    page.fill("#form-dialog [name=gun_count]", "2")
    page.fill("#form-dialog [name=output_power_kw]", "60")
    shot("pile-add")
    save_dialog(page)
    pile = row(page, "A区1号桩")
    expect(pile.locator("td[data-key=gun_count]")).to_have_text("2")
    shot("piles")
    row_button(page, "A区1号桩", "计费详情").click()
    expect(page.locator("#detail-dialog .billing-none")).to_contain_text("计费规则")
    page.locator("#detail-dialog button", has_text="关闭").click()

    # -- 电枪管理: a gun's QR code (three templates), the PNG decodes to its charging URL
    open_menu(page, "汽车管理", "电枪管理")
    expect(page.locator("#pager .total")).to_have_text("共 2 条")
    row_button(page, "A区1号桩", "查看二维码").click()
    images = page.locator("#detail-dialog figure.qr img")
    expect(images).to_have_count(3)
    for i in range(3):
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=images.nth(i).element_handle())
    shot("gun-qrcode")
    with page.expect_download() as download:
        page.locator("#detail-dialog figure[data-template=plain] a").click()
    png = tmp_path / download.value.suggested_filename
    download.value.save_as(png)
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(cv2.imread(str(png)))
    assert re.search(r"/h5/charge/g/[\w-]+$", text), text
    page.locator("#detail-dialog button", has_text="关闭").click()

    # -- 二维码导出 of the guns: progress, then the .xlsx with a row, URL and picture per gun
    page.locator("#toolbar button", has_text="二维码导出").click()
    link = page.locator("#detail-dialog .export-link a")
    expect(link).to_be_visible(timeout=60_000)
    expect(page.locator("#detail-dialog .export-status")).to_contain_text("共 2 条")
    shot("gun-export")
    with page.expect_download() as download:
        link.click()
    xlsx = tmp_path / "guns.xlsx"
    download.value.save_as(xlsx)
    sheet = openpyxl.load_workbook(xlsx).active
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if any(r)]
    assert len(rows) == 2
    assert all(r[0] == CAR_STATION and re.search(r"/h5/charge/g/[\w-]+$", r[2]) for r in rows), rows
    assert text in [r[2] for r in rows]
    assert len(sheet._images) == 2
    page.locator("#detail-dialog button", has_text="关闭").click()

    # -- a disabled station takes no new area; enabled again it does
    open_menu(page, "汽车管理", "汽车电站")
    row_button(page, CAR_STATION, "禁用").click()
    confirm(page)
    expect(station.locator("td[data-key=enabled]")).to_have_text("禁用")
    open_menu(page, "汽车管理", "区域管理")
    add(page, {"name": "B区"}, {"station_id": CAR_STATION})
    expect(dialog_field(page, "station_id").locator(".error")).to_contain_text("已禁用")
    shot("disabled-station-refuses-area")
    page.locator("#form-dialog button", has_text="取消").click()
    open_menu(page, "汽车管理", "汽车电站")
    row_button(page, CAR_STATION, "启用").click()
    confirm(page)
    expect(station.locator("td[data-key=enabled]")).to_have_text("启用")

    # -- 开锁 on a space whose camera is not connected: 设备离线 at once
    open_menu(page, "汽车管理", "车位管理")
    started = time.monotonic()
    row_button(page, spaces[0], "开锁").click()
    expect(page.locator(".toast", has_text="设备离线").last).to_be_visible(timeout=5_000)
    assert time.monotonic() - started < 5
    shot("space-unlock-offline")


def test_bike_station_device_and_sockets(page: Page, shot, owner):
    sign_in(page, *owner)
    open_menu(page, "单车管理", "单车电站")
    add(page, {"name": BIKE_STATION, "short_name": "星河单车", "service_phone": "13900000105",
               "province": "广东省", "city": "深圳市", "address": "南山区星河路 9 号"}, {"property_id": PROPERTY})
    station = row(page, BIKE_STATION)
    expect(station).to_contain_text("待审核")
    expect(station.locator("td[data-key=power_limit_w]")).to_have_text("未开启")
    row_button(page, BIKE_STATION, "审核").click()
    save_dialog(page)
    expect(station).to_contain_text("审核通过")
    shot("bike-stations")

    open_menu(page, "单车管理", "设备管理")
    page.click("#toolbar button[data-action=add]")
    choose(page, "station_id", BIKE_STATION)
    area = page.locator("#form-dialog select[name=area_id] option:not([value=''])").first
    expect(area).to_be_attached()
    page.select_option("#form-dialog select[name=area_id]", value=area.get_attribute("value"))
    page.fill("#form-dialog [name=factory_id]", "DEV-00001")
    page.fill("#form-dialog [name=name]", "1号充电设备")
    expect(page.locator("#form-dialog [name=socket_count]")).to_have_value("10")
    save_dialog(page)
    device = row(page, "1号充电设备")
    expect(device.locator("td[data-key=socket_count]")).to_have_text("10")
    row_button(page, "1号充电设备", "禁用").click()
    confirm(page)
    expect(device.locator("td[data-key=enabled]")).to_have_text("禁用")
    row_button(page, "1号充电设备", "启用").click()
    confirm(page)
    expect(device.locator("td[data-key=enabled]")).to_have_text("启用")
    shot("devices")

    open_menu(page, "单车管理", "插座管理")
    expect(page.locator("#pager .total")).to_have_text("共 10 条")
    assert set(page.locator("#grid tbody td[data-key=state]").all_text_contents()) == {"空闲中"}
    shot("sockets")

    open_menu(page, "单车管理", "区域管理")  # an area with a device cannot be deleted: the 409 says why
    page.locator("#grid tbody tr").first.locator("button", has_text="删除").click()
    confirm(page)
    expect(page.locator(".toast")).to_contain_text("设备")
    shot("bike-area-delete-refused")
