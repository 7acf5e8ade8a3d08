"""The admin in a real browser (issue 3 acceptance), through the UI only.

The administrator signs in, adds a service provider and audits it; the provider signs in, switches
its sample plugin on with settings, adds two properties, a role limited to two menus and a property
user holding it; that user sees only those menus and only its property's data.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from chargehub.testing.fixtures import ADMIN_PASSWORD, ADMIN_PHONE
from tests.browser.conftest import (
    dialog_field,
    open_menu,
    open_menu_plain,
    read_once_and_close,
    row,
    save_dialog,
    sidebar,
    sign_in,
    sign_out,
)

pytestmark = pytest.mark.timeout(300)

PROVIDER_PHONE = "13900000001"
PROPERTY_PHONE = "13900000002"
OTHER_PROPERTY_PHONE = "13900000003"
STAFF_PHONE = "13900000004"
STAFF_PASSWORD = "staff-pass-123"
SAMPLE_API_KEY = "sk-live-0123456789abcdef"


def test_wrong_password_shows_the_message(page: Page, shot):
    page.goto("/admin/system/users")
    expect(page).to_have_url(re.compile(r"/admin/login\?next=/admin/system/users"))
    page.fill("#login-form [name=phone]", ADMIN_PHONE)
    page.fill("#login-form [name=password]", "not-the-password")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#login-form .form-message")).to_contain_text("手机号或密码错误")
    shot("wrong-password")
    page.fill("#login-form [name=password]", ADMIN_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/system/users$"))


def test_invalid_form_shows_field_messages_and_changes_nothing(page: Page, shot):
    sign_in(page, ADMIN_PHONE, ADMIN_PASSWORD)
    open_menu(page, "系统管理", "服务商管理")
    total_before = page.locator("#pager .total").inner_text()
    page.click("#toolbar button[data-action=add]")
    save_dialog(page)  # nothing filled: the required fields say so before any request
    expect(dialog_field(page, "name").locator(".error")).to_have_text("此项为必填项")
    page.fill("#form-dialog [name=name]", "无效服务商")
    page.fill("#form-dialog [name=phone]", "12345")
    page.fill("#form-dialog [name=email]", "not-an-email")
    save_dialog(page)
    expect(dialog_field(page, "phone").locator(".error")).to_contain_text("11 位手机号")
    expect(dialog_field(page, "email").locator(".error")).not_to_be_empty()
    expect(page.locator("#form-dialog .form-message")).not_to_be_empty()
    shot("field-messages")
    page.locator("#form-dialog button", has_text="取消").click()
    page.reload()
    expect(page.locator("#pager .total")).to_have_text(total_before)
    expect(row(page, "无效服务商")).to_have_count(0)


def test_language_switch_shows_english_menus(page: Page, shot):
    sign_in(page, ADMIN_PHONE, ADMIN_PASSWORD)
    page.click("text=English")
    expect(page.locator("#sidebar summary", has_text="System")).to_be_visible()
    page.goto("/admin/system/providers")
    assert "Service providers" in sidebar(page) and "Audit log" in sidebar(page)
    expect(page.locator("#search-form button[type=submit]")).to_have_text("Search")
    expect(page.locator("#grid th", has_text="Audit state")).to_be_visible()
    shot("english")
    page.click("text=中文")
    expect(page.locator("#sidebar summary", has_text="系统管理")).to_be_visible()


def test_acceptance_flow(page: Page, shot):
    # -- the administrator adds a service provider and approves it
    sign_in(page, ADMIN_PHONE, ADMIN_PASSWORD)
    expect(page.locator(".welcome h1")).to_contain_text("平台管理员")
    assert {"首页", "系统管理", "开放中心", "服务商管理", "集团物业管理", "用户管理", "角色管理", "部门管理",
            "岗位管理", "操作日志", "插件管理"} <= set(sidebar(page))
    shot("admin-home")
    open_menu(page, "系统管理", "服务商管理")
    page.click("#toolbar button[data-action=add]")
    page.fill("#form-dialog [name=name]", "绿能服务商")
    page.fill("#form-dialog [name=contact]", "王经理")
    page.fill("#form-dialog [name=phone]", PROVIDER_PHONE)
    page.fill("#form-dialog [name=email]", "ops@lvneng.example")
    shot("provider-add")
    save_dialog(page)
    provider_row = row(page, "绿能服务商")
    expect(provider_row).to_contain_text("待审核")
    provider_row.locator("button[data-action=form]", has_text="审核").click()
    page.fill("#form-dialog [name=remark]", "资料齐全")
    save_dialog(page)
    provider_password = read_once_and_close(page)
    assert len(provider_password) >= 8
    expect(provider_row).to_contain_text("审核通过")
    shot("providers")
    provider_row.locator("button[data-action=detail]").click()
    expect(page.locator("#detail-dialog dd[data-key=created_by]")).to_have_text("平台管理员")
    shot("provider-detail")
    page.locator("#detail-dialog button", has_text="关闭").click()
    sign_out(page)

    # -- the provider signs in: no 服务商管理, but its own plugin page
    sign_in(page, PROVIDER_PHONE, provider_password)
    entries = set(sidebar(page))
    assert "服务商管理" not in entries and {"集团物业管理", "用户管理", "角色管理", "插件管理"} <= entries
    configure_sample_plugin(page, shot)

    # -- two properties; the first one's staff get a role limited to 用户管理 and 部门管理
    open_menu(page, "系统管理", "集团物业管理")
    for name, phone in (("阳光物业", PROPERTY_PHONE), ("月亮物业", OTHER_PROPERTY_PHONE)):
        page.click("#toolbar button[data-action=add]")
        expect(page.locator("#form-dialog select[name=provider_id]")).to_have_value(re.compile(r"\d+"))
        page.fill("#form-dialog [name=name]", name)
        page.fill("#form-dialog [name=contact]", "物业联系人")
        page.fill("#form-dialog [name=phone]", phone)
        page.fill("#form-dialog [name=province]", "广东省")
        page.fill("#form-dialog [name=city]", "深圳市")
        page.fill("#form-dialog [name=address]", "南山区科技园 1 号")
        save_dialog(page)
        assert len(read_once_and_close(page)) >= 8
        expect(row(page, name)).to_contain_text("绿能服务商")
    shot("properties")

    open_menu(page, "系统管理", "部门管理")  # the property's first-level department, and one below it
    page.click("#toolbar button[data-action=add]")
    page.select_option("#form-dialog select[name=parent_id]", label="阳光物业")
    page.fill("#form-dialog [name=name]", "工程部")
    page.fill("#form-dialog [name=leader]", "李工")
    save_dialog(page)
    child = row(page, "工程部")
    expect(child).to_contain_text("李工")
    page.locator("#toolbar button", has_text="折叠").click()
    expect(child).to_be_hidden()
    page.locator("#toolbar button", has_text="展开").click()
    expect(child).to_be_visible()
    shot("departments")

    open_menu(page, "系统管理", "角色管理")
    page.click("#toolbar button[data-action=add]")
    page.select_option("#form-dialog select[name=user_type]", label="物业")
    page.select_option("#form-dialog select[name=property_id]", label="阳光物业")
    page.fill("#form-dialog [name=name]", "物业查看员")
    for menu in ("用户管理", "部门管理"):
        node = page.locator(f"#form-dialog .perm-node:has(> label:has-text('{menu}'))")
        node.locator(".perm-buttons label", has_text="查询").locator("input").check()
    shot("role-add")
    save_dialog(page)
    expect(row(page, "物业查看员")).to_contain_text("物业")

    open_menu(page, "系统管理", "用户管理")
    page.click("#toolbar button[data-action=add]")
    page.select_option("#form-dialog select[name=user_type]", label="物业")
    page.select_option("#form-dialog select[name=property_id]", label="阳光物业")
    page.fill("#form-dialog [name=name]", "张三")
    page.fill("#form-dialog [name=phone]", STAFF_PHONE)
    page.fill("#form-dialog [name=password]", STAFF_PASSWORD)
    page.locator("#form-dialog [data-name=role_ids] label", has_text="物业查看员").locator("input").check()
    shot("user-add")
    save_dialog(page)
    staff_row = row(page, STAFF_PHONE)
    expect(staff_row).to_contain_text("物业查看员")
    expect(staff_row).to_contain_text("阳光物业")
    shot("users")
    sign_out(page)

    # -- the property user: only the two menus, only 阳光物业's users
    sign_in(page, STAFF_PHONE, STAFF_PASSWORD)
    expect(page).to_have_url(re.compile(r"/admin/system/users$"))
    assert sidebar(page) == ["系统管理", "用户管理", "部门管理"]
    expect(row(page, STAFF_PHONE)).to_be_visible()
    expect(row(page, PROPERTY_PHONE)).to_be_visible()
    expect(row(page, OTHER_PROPERTY_PHONE)).to_have_count(0)
    expect(row(page, PROVIDER_PHONE)).to_have_count(0)
    for name in page.locator("#grid tbody td[data-key=property_name]").all_text_contents():
        assert name == "阳光物业"
    expect(page.locator("#toolbar button[data-action=add]")).to_have_count(0)
    shot("staff-users")
    open_menu(page, "系统管理", "部门管理")
    assert set(page.locator("#grid tbody td[data-key=name]").all_text_contents()) == {"阳光物业", "工程部"}
    shot("staff-departments")
    page.goto("/admin/system/roles")
    expect(page.locator(".empty-state h1")).to_have_text("403")
    shot("staff-forbidden")


def configure_sample_plugin(page: Page, shot) -> None:
    """插件管理: switch the sample plugin on with settings; the secret shows as set, never its value."""
    open_menu_plain(page, "开放中心", "插件管理")
    card = page.locator(".plugin[data-plugin=sample]")
    expect(card.locator("[data-state=enabled]")).to_have_text("未启用")
    expect(card.locator("[data-secret=api_key]")).to_have_text("未设置")
    card.locator("[name=__enabled]").check()
    card.locator("[name=merchant_no]").fill("M12")
    card.locator("[name=api_key]").fill(SAMPLE_API_KEY)
    card.locator("button[type=submit]").click()
    expect(card.locator("[data-field=merchant_no] .error")).not_to_be_empty()
    shot("plugin-invalid")
    card.locator("[name=merchant_no]").fill("M1234567")
    card.locator("[name=fee_rate]").fill("0.006")
    card.locator("button[type=submit]").click()
    card = page.locator(".plugin[data-plugin=sample]")
    expect(card.locator("[data-state=enabled]")).to_have_text("已启用")
    expect(card.locator("[data-secret=api_key]")).to_have_text("已设置")
    page.reload()
    card = page.locator(".plugin[data-plugin=sample]")
    expect(card.locator("[data-state=configured]")).to_have_text("配置完整")
    expect(card.locator("[name=merchant_no]")).to_have_value("M1234567")
    expect(card.locator("[data-secret=api_key]")).to_have_text("已设置")
    assert SAMPLE_API_KEY not in page.content()
    shot("plugins")
