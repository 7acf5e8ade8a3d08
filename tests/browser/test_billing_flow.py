"""计费规则 of 汽车管理 and 单车管理 in a real browser (manual 3.2.7 and 3.3.5), through the UI.

A provider's owner account (provider, property, one car and one e-bike station made through the admin
API by the fixture) adds a car 峰平谷 rule in the form generated from the mode's schema: four rate price
pairs and three periods covering the day; removing a period shows the coverage message under 计费时段.
It finds the rule by name and by state, runs 计费测试 (the total shown is the API's), sets 预充值,
disables and enables it, edits a price (修改将于当日24:00生效), reads the two versions in 详细, and in
English renames it (a name alone makes no version). On the e-bike side it looks at 功率模式's tier
rows, adds a 时长模式 rule, tests a two-hour session, sets a 预估值 (one beyond the auto-stop threshold
refused under its field) and deletes the rule.
"""
from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from chargehub.testing.fixtures import ADMIN_PASSWORD, ADMIN_PHONE
from tests.browser.conftest import admin_api, open_menu, row, save_dialog, sign_in

pytestmark = pytest.mark.timeout(300)

PROVIDER_PHONE = "13900000301"
CAR_STATION = "东湖汽车充电站"
BIKE_STATION = "东湖单车充电站"
AREA = "默认区域"  # every station gets one
CAR_RULE = "东湖峰平谷计费"
BIKE_RULE = "东湖时长计费"
PRICES = {"sharp": ("1.20000", "0.80000"), "peak": ("1.00000", "0.80000"), "flat": ("0.70000", "0.60000"),
          "valley": ("0.30000", "0.40000")}


@pytest.fixture(scope="module")
def owner(server) -> dict:
    """An approved provider's owner account with a property, a car station and an e-bike station."""
    admin = admin_api(server, ADMIN_PHONE, ADMIN_PASSWORD)
    status, provider = admin("POST", "/api/v1/admin/providers", {
        "name": "东湖能源", "contact": "李经理", "phone": PROVIDER_PHONE, "merchant_type": "provider"})
    assert status == 201, provider
    status, audited = admin("POST", f"/api/v1/admin/providers/{provider['id']}/audit", {"approved": True, "remark": ""})
    assert status == 200, audited
    password = audited["initial_password"]
    call = admin_api(server, PROVIDER_PHONE, password)
    status, prop = call("POST", "/api/v1/admin/properties", {
        "provider_id": provider["id"], "name": "东湖物业", "phone": "13900000302", "contact": "周主任"})
    assert status == 201, prop
    for kind, name in (("car", CAR_STATION), ("bike", BIKE_STATION)):
        status, station = call("POST", f"/api/v1/admin/{kind}-stations", {"property_id": prop["property"]["id"],
                                                                           "name": name})
        assert status == 201, station
        status, approved = call("POST", f"/api/v1/admin/{kind}-stations/{station['id']}/audit",
                                {"approved": True, "remark": ""})
        assert status == 200, approved
    return {"phone": PROVIDER_PHONE, "password": password, "api": call}


def choose(page: Page, name: str, text: str) -> None:
    """Pick the option containing ``text`` of the dialog's select ``name`` once its options have loaded."""
    option = page.locator(f"#form-dialog select[name={name}] option", has_text=text).first
    expect(option).to_be_attached()
    page.select_option(f"#form-dialog select[name={name}]", value=option.get_attribute("value"))


def row_button(page: Page, text: str, label: str):
    return row(page, text).first.locator("td.actions button", has_text=re.compile(f"^{label}$"))


def confirm(page: Page) -> None:
    page.locator("#confirm-dialog button", has_text="确定").click()


def set_period(page: Page, index: int, start: str, end: str, rate: str) -> None:
    period = page.locator("#form-dialog [data-param=periods] tbody tr").nth(index)
    period.locator("select[name=start]").select_option(start)
    period.locator("select[name=end]").select_option(end)
    period.locator("select[name=rate]").select_option(rate)


def search(page: Page, **fields: str) -> None:
    """Reset the search form, set ``fields`` (text inputs filled, selects picked by label) and search."""
    page.click("#search-form button[type=reset]")
    for name, value in fields.items():
        control = page.locator(f"#search-form [name={name}]")
        if control.evaluate("node => node.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    page.click("#search-form button[type=submit]")


def rule_id(page: Page, name: str) -> int:
    return int(row(page, name).first.get_attribute("data-id"))


def test_car_tou_rule(page: Page, shot, owner):
    sign_in(page, owner["phone"], owner["password"])
    open_menu(page, "汽车管理", "计费规则")
    expect(page.locator("#grid thead")).to_contain_text("计费方式")
    for label in ("电站", "区域", "计费名称", "计费状态", "生效时间", "描述", "更新时间", "更新人"):
        expect(page.locator("#grid thead th", has_text=label).first).to_be_visible()
    expect(page.locator("#search-form select[name=mode] option", has_text="峰平谷计价")).to_be_attached()

    # -- 添加: the 峰平谷 form from the mode's schema: four rate price pairs and periods on half hours
    page.locator("#toolbar button", has_text="添加").click()
    choose(page, "station_id", CAR_STATION)
    choose(page, "area_id", AREA)
    page.fill("#form-dialog [name=name]", CAR_RULE)
    page.select_option("#form-dialog select[name=mode]", "car_tou")
    for rate, (electricity, service) in PRICES.items():
        prices = page.locator(f"#form-dialog .matrix tr[data-key={rate}]")
        prices.locator("input[name=electricity_price]").fill(electricity)
        prices.locator("input[name=service_price]").fill(service)
    periods = page.locator("#form-dialog [data-param=periods] tbody tr")
    expect(periods).to_have_count(1)  # a new TOU rule starts with one period over the whole day
    set_period(page, 0, "00:00", "08:00", "valley")
    add_period = page.locator("#form-dialog [data-param=periods] .add-row")
    add_period.click()
    expect(periods.nth(1).locator("select[name=start]")).to_have_value("08:00")  # starts where the last ends
    set_period(page, 1, "08:00", "18:00", "peak")
    add_period.click()
    set_period(page, 2, "18:00", "24:00", "flat")
    expect(page.locator("#form-dialog .effective-hint")).to_contain_text("立即生效")
    page.locator("#form-dialog details.trial summary").click()  # 试算 of the unsaved parameters
    page.fill("#form-dialog [name=trial_energy_kwh]", "10")
    page.locator("#form-dialog .trial button", has_text="计算").click()
    expect(page.locator("#form-dialog .trial-result dd[data-key=total]")).to_have_text(re.compile(r"^\d+\.\d\d$"))
    shot("car-rule-form")

    # a removed period leaves 18:00–24:00 uncovered: the API's message under 计费时段, nothing saved
    periods.nth(2).locator(".remove-row").click()
    expect(periods).to_have_count(2)
    save_dialog(page)
    gap = page.locator("#form-dialog [data-param=periods] > small.error")
    expect(gap).to_contain_text("24")
    expect(page.locator("#form-dialog .form-message")).not_to_be_empty()
    shot("car-rule-gap")
    add_period.click()
    expect(periods.nth(2).locator("select[name=start]")).to_have_value("18:00")
    expect(periods.nth(2).locator("select[name=end]")).to_have_value("24:00")
    periods.nth(2).locator("select[name=rate]").select_option("flat")
    save_dialog(page)
    expect(page.locator("#form-dialog")).not_to_be_visible()
    rule = row(page, CAR_RULE)
    expect(rule.locator("td[data-key=mode_name]")).to_have_text("峰平谷计价")
    expect(rule.locator("td[data-key=station_name]")).to_have_text(CAR_STATION)
    expect(rule.locator("td[data-key=area_name]")).to_have_text(AREA)
    expect(rule.locator("td[data-key=enabled]")).to_have_text("启用")
    expect(rule.locator("td[data-key=description]")).not_to_be_empty()
    expect(rule.locator("td[data-key=effective_from]")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"))
    shot("car-rules")
    rid = rule_id(page, CAR_RULE)

    # -- 搜索 by name and by state, 重置
    search(page, name="峰平谷")
    expect(page.locator("#pager .total")).to_have_text("共 1 条")
    search(page, name="没有这个规则")
    expect(page.locator("#grid tbody")).to_contain_text("暂无数据")
    search(page, enabled="禁用")
    expect(page.locator("#grid tbody")).to_contain_text("暂无数据")
    search(page, enabled="启用", mode="峰平谷计价")
    expect(row(page, CAR_RULE)).to_have_count(1)
    page.click("#search-form button[type=reset]")
    expect(row(page, CAR_RULE)).to_have_count(1)

    # -- 计费测试: 30 kWh from 17:30 (Asia/Shanghai, the operator's zone) tomorrow for an hour: 峰 then 平;
    # the form takes the browser's local time, so the test types that instant in the browser's zone
    row_button(page, CAR_RULE, "计费测试").click()
    local = page.evaluate("""() => {
        const t = new Date(Date.now() + 86400000), p = (n) => String(n).padStart(2, "0");
        const d = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), 9, 30));  // 17:30 +08:00
        return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    }""")
    page.fill("#form-dialog [name=energy_kwh]", "30")
    page.fill("#form-dialog [name=started_at]", local)
    page.fill("#form-dialog [name=duration_minutes]", "60")
    page.locator("#form-dialog button", has_text="计算").click()
    total = page.locator("#form-dialog dd[data-key=total]")
    expect(total).to_have_text(re.compile(r"^\d+\.\d\d$"))
    started_at = page.evaluate("(local) => new Date(local).toISOString()", local)
    status, answer = owner["api"]("POST", f"/api/v1/admin/car/billing-rules/{rid}/test",
                                  {"energy_kwh": "30", "started_at": started_at, "duration_minutes": 60})
    assert status == 200, answer
    assert total.inner_text() == answer["bill"]["total"]
    lines = page.locator("#form-dialog table.bill-lines tbody tr")
    expect(lines).to_have_count(2)  # 峰 17:30–18:00, 平 18:00–18:30
    assert [line["key"] for line in answer["bill"]["lines"]] == ["peak", "flat"]
    assert Decimal(answer["bill"]["total"]) == sum(Decimal(line["amount"]) for line in answer["bill"]["lines"])
    shot("car-rule-test")
    page.locator("#form-dialog button", has_text="关闭").click()

    # -- 预充值: three amounts
    row_button(page, CAR_RULE, "预充值").click()
    options = page.locator("#form-dialog [data-param=options] tbody tr")
    for i, amount in enumerate(("50", "100", "200")):
        page.locator("#form-dialog .add-row").click()
        options.nth(i).locator("input[name=amount]").fill(amount)
    shot("car-rule-prepay")
    save_dialog(page)
    expect(page.locator("#form-dialog")).not_to_be_visible()
    status, detail = owner["api"]("GET", f"/api/v1/admin/car/billing-rules/{rid}")
    assert [o["amount"] for o in detail["options"]] == ["50.00", "100.00", "200.00"]

    # -- 禁用 / 启用
    row_button(page, CAR_RULE, "禁用").click()
    confirm(page)
    expect(rule.locator("td[data-key=enabled]")).to_have_text("禁用")
    row_button(page, CAR_RULE, "启用").click()
    confirm(page)
    expect(rule.locator("td[data-key=enabled]")).to_have_text("启用")

    # -- 修改: a new peak price, in force from the next midnight (version 2, pending)
    row_button(page, CAR_RULE, "修改").click()
    expect(page.locator("#form-dialog .effective-hint")).to_contain_text("修改将于当日24:00生效")
    expect(page.locator("#form-dialog [data-param=periods] tbody tr")).to_have_count(3)
    peak = page.locator("#form-dialog .matrix tr[data-key=peak] input[name=electricity_price]")
    expect(peak).to_have_value("1.00000")
    peak.fill("1.10000")
    save_dialog(page)
    expect(page.locator("#form-dialog")).not_to_be_visible()

    # -- 详细: fields, 预充值, the two versions (the new one pending)
    row_button(page, CAR_RULE, "详细").click()
    info = page.locator("#detail-dialog")
    expect(info.locator("dd[data-key=mode_name]")).to_have_text("峰平谷计价")
    expect(info.locator("dd[data-key=description]")).not_to_be_empty()
    expect(info.locator("dd[data-key=options] tbody tr")).to_have_count(3)
    versions = info.locator("dd[data-key=versions] tbody tr")
    expect(versions).to_have_count(2)
    expect(versions.nth(0).locator("td[data-key=number]")).to_have_text("2（待生效）")
    expect(versions.nth(1).locator("td[data-key=number]")).to_have_text("1")
    expect(versions.nth(0).locator("td[data-key=created_by_name]")).not_to_be_empty()
    status, detail = owner["api"]("GET", f"/api/v1/admin/car/billing-rules/{rid}")
    pending = datetime.fromisoformat(detail["pending_from"]).astimezone(ZoneInfo("Asia/Shanghai"))
    assert (pending.hour, pending.minute) == (0, 0)  # the operator's next midnight
    shown = page.evaluate("v => UI.datetime(v)", detail["pending_from"])  # the browser's local time
    expect(info.locator("dd[data-key=pending_from]")).to_have_text(shown)
    shot("car-rule-detail")
    info.locator("button", has_text="关闭").click()

    # -- in English: the page and the generated form speak it too
    page.goto("/admin/car/billing-rules?lang=en")
    expect(page.locator("#toolbar .page-title")).to_have_text("Billing rules")
    row(page, CAR_RULE).locator("td.actions button", has_text="Edit").click()
    expect(page.locator("#form-dialog [data-field='params.periods'] > label")).to_have_text("Periods")
    expect(page.locator("#form-dialog .matrix tr[data-key=sharp] th")).to_have_text("Sharp")
    expect(page.locator("#form-dialog [data-param=periods] tbody tr").first.locator("select[name=rate] option:checked")
           ).to_have_text("Valley")
    expect(page.locator("#form-dialog .effective-hint")).to_contain_text("24:00")
    shot("car-rule-form-en")
    # a new name alone applies at once and makes no version
    page.fill("#form-dialog [name=name]", CAR_RULE + "A")
    save_dialog(page)
    expect(row(page, CAR_RULE + "A")).to_have_count(1)
    status, detail = owner["api"]("GET", f"/api/v1/admin/car/billing-rules/{rid}")
    assert [v["number"] for v in detail["versions"]] == [2, 1]


def test_bike_duration_rule(page: Page, shot, owner):
    sign_in(page, owner["phone"], owner["password"])
    open_menu(page, "单车管理", "计费规则")
    page.locator("#toolbar button", has_text="添加").click()
    choose(page, "station_id", BIKE_STATION)
    choose(page, "area_id", AREA)
    page.fill("#form-dialog [name=name]", BIKE_RULE)
    page.select_option("#form-dialog select[name=mode]", "bike_power")  # power tiers as rows
    tiers = page.locator("#form-dialog [data-param=tiers]")
    expect(tiers.locator("thead")).to_contain_text("功率")
    expect(tiers.locator("tbody tr")).to_have_count(1)
    tiers.locator(".add-row").click()
    expect(tiers.locator("tbody tr")).to_have_count(2)
    page.fill("#form-dialog [data-field='params.unit_minutes'] input", "30")
    shot("bike-power-form")
    page.select_option("#form-dialog select[name=mode]", "bike_duration")
    # a parameter both modes have keeps its value
    expect(page.locator("#form-dialog [data-field='params.unit_minutes'] input")).to_have_value("30")
    for name, value in (("unit_minutes", "60"), ("unit_price", "1.00"), ("auto_stop_minutes", "480"),
                        ("auto_stop_amount", "8.00"), ("free_minutes", "5")):
        page.fill(f"#form-dialog [data-field='params.{name}'] input", value)
    shot("bike-rule-form")
    save_dialog(page)
    expect(page.locator("#form-dialog")).not_to_be_visible()
    rule = row(page, BIKE_RULE)
    expect(rule.locator("td[data-key=mode_name]")).to_have_text("时长模式")
    rid = rule_id(page, BIKE_RULE)

    # -- 计费测试: two hours at 1.00 per started hour. The test endpoint starts the session at the whole
    # second, so within the second the rule was added no version is in force yet: let that second pass.
    status, detail = owner["api"]("GET", f"/api/v1/admin/bike/billing-rules/{rid}")
    wait = (datetime.fromisoformat(detail["effective_from"]) - datetime.now(timezone.utc)).total_seconds() + 1
    if wait > 0:
        time.sleep(wait)
    row_button(page, BIKE_RULE, "计费测试").click()
    page.fill("#form-dialog [name=duration_minutes]", "120")
    page.locator("#form-dialog button", has_text="计算").click()
    total = page.locator("#form-dialog dd[data-key=total]")
    expect(total).to_have_text(re.compile(r"^\d+\.\d\d$"))
    status, answer = owner["api"]("POST", f"/api/v1/admin/bike/billing-rules/{rid}/test", {"duration_minutes": 120})
    assert status == 200, answer
    assert total.inner_text() == answer["bill"]["total"] == "2.00"
    shot("bike-rule-test")
    page.locator("#form-dialog button", has_text="关闭").click()

    # -- 预估值: a duration beyond the auto-stop threshold is refused under its field
    row_button(page, BIKE_RULE, "预估值").click()
    options = page.locator("#form-dialog [data-param=options] tbody tr")
    page.locator("#form-dialog .add-row").click()
    options.nth(0).locator("input[name=minutes]").fill("600")
    options.nth(0).locator("input[name=amount]").fill("8.00")
    save_dialog(page)
    expect(options.nth(0).locator("td[data-key=minutes] .error")).to_contain_text("480")
    options.nth(0).locator("input[name=minutes]").fill("240")
    save_dialog(page)
    expect(page.locator("#form-dialog")).not_to_be_visible()
    row_button(page, BIKE_RULE, "详细").click()
    expect(page.locator("#detail-dialog dd[data-key=options] tbody tr")).to_have_count(1)
    expect(page.locator("#detail-dialog dd[data-key=options]")).to_contain_text("240")
    page.locator("#detail-dialog button", has_text="关闭").click()

    # -- 删除
    row_button(page, BIKE_RULE, "删除").click()
    confirm(page)
    expect(row(page, BIKE_RULE)).to_have_count(0)
    assert owner["api"]("GET", f"/api/v1/admin/bike/billing-rules/{rid}")[0] == 404
