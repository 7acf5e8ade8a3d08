"""The admin's pages with the Flask test client: sign-in redirect, 403, sidebar, local assets, English."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

import chargehub_webui.plugin as webui_plugin
from chargehub.extensions import db
from chargehub.tenancy.models import User, UserType
from chargehub.tenancy.org_models import Role
from chargehub.tenancy.passwords import hash_password
from chargehub.tenancy.permissions import ALL_PERMISSIONS, MENU_INDEX
from chargehub_webui import pages

pytestmark = pytest.mark.smoke


@pytest.fixture
def webui_app(make_app):
    """An app with the webui plugin; no app context stays pushed, so each request has its own ``g``."""
    return make_app(plugins=[webui_plugin])


def make_user(app, phone: str, *, owner: bool = False, permissions: tuple[str, ...] = ()) -> str:
    """A system user; returns its Flask-Login id."""
    with app.app_context():
        user = User(phone=phone, name=f"用户{phone[-4:]}", password_hash=hash_password("user-pass-123"),
                    user_type=UserType.SYSTEM, is_owner=owner)
        if permissions:
            user.roles.append(Role(user_type=UserType.SYSTEM, name="受限角色", permissions=list(permissions)))
        db.session.add(user)
        db.session.commit()
        return user.get_id()


def signed_in(app, login_id: str):
    """A test client whose Flask-Login session holds the user ``login_id``."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = login_id
        session["_fresh"] = True
    return client


class Tags(HTMLParser):
    """Collects script/link/img URLs, the <head> text and the sidebar's menu codes."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.menus: list[str] = []
        self.head: list[str] = []
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "head":
            self.in_head = True
        if tag in ("script", "link", "img") and (attrs.get("src") or attrs.get("href")):
            self.urls.append(attrs.get("src") or attrs.get("href"))
        if "data-menu" in attrs:
            self.menus.append(attrs["data-menu"])

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False

    def handle_data(self, data):
        if self.in_head:
            self.head.append(data)


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    return tags


def embedded(html: str, element_id: str):
    """The JSON a page hands to its scripts in ``<script id=... type="application/json">``."""
    return json.loads(re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S).group(1))


def admin_urls() -> list[str]:
    return ["/admin/", "/admin/open/plugins"] + ["/admin/" + spec.path for spec in pages.PAGES.values()]


def test_pages_redirect_to_sign_in_when_signed_out(webui_app):
    client = webui_app.test_client()
    for url in admin_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/admin/login?next=" + url.split("?")[0].rstrip("/")), url
    login = client.get("/admin/login?next=/admin/system/users")
    assert login.status_code == 200
    html = login.get_data(as_text=True)
    assert 'name="csrf-token"' in html and 'data-next="/admin/system/users"' in html
    assert 'data-next="/admin/"' in client.get("/admin/login?next=https://evil.example/").get_data(as_text=True)


def test_limited_role_sees_only_its_menus_and_gets_403_elsewhere(webui_app):
    user = make_user(webui_app, "13700000001", permissions=("system.user:list", "system.user:add", "system.department:list"))
    client = signed_in(webui_app, user)
    page = client.get("/admin/system/users")
    assert page.status_code == 200
    assert parse(page.get_data(as_text=True)).menus == ["system", "system.user", "system.department"]
    spec = embedded(page.get_data(as_text=True), "page-spec")
    assert spec["api"] == "/api/v1/admin/users" and spec["title"] == "用户管理"
    permissions = embedded(page.get_data(as_text=True), "ui-permissions")
    assert permissions == ["system.department:list", "system.user:add", "system.user:list"]
    forbidden = client.get("/admin/system/roles")
    assert forbidden.status_code == 403
    assert "您没有访问此页面的权限" in forbidden.get_data(as_text=True)
    assert client.get("/admin/open/plugins").status_code == 403
    home = client.get("/admin/")  # no 首页 permission: the first menu opens instead
    assert home.status_code == 302 and home.headers["Location"] == "/admin/system/users"
    assert client.get("/admin/system/nothing-here").status_code == 404


def test_every_page_serves_its_assets_locally(webui_app):
    owner = make_user(webui_app, "13700000002", owner=True)
    client = signed_in(webui_app, owner)
    seen: set[str] = set()
    for url in admin_urls() + ["/admin/login", "/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        tags = parse(response.get_data(as_text=True))
        assert tags.urls, url
        for asset in tags.urls:
            assert asset.startswith("/") and not asset.startswith("//"), (url, asset)
            seen.add(asset)
        head = "".join(tags.head)
        assert "http://" not in head and "https://" not in head, url
    for asset in seen:
        assert client.get(asset).status_code == 200, asset
    assert len(seen) >= 8  # css + shared scripts + list page + plugin page + custom handlers


def test_english_switch_is_remembered(webui_app):
    owner = make_user(webui_app, "13700000003", owner=True)
    client = signed_in(webui_app, owner)
    chinese = client.get("/admin/system/providers").get_data(as_text=True)
    assert '<html lang="zh-CN">' in chinese and "服务商管理" in chinese
    assert "审核状态" in [c["label"] for c in embedded(chinese, "page-spec")["columns"]]
    english = client.get("/admin/system/providers?lang=en")
    assert "lang=en" in english.headers.get("Set-Cookie", "")
    html = english.get_data(as_text=True)
    assert '<html lang="en">' in html and "Service providers" in html
    assert "Audit state" in [c["label"] for c in embedded(html, "page-spec")["columns"]]
    again = client.get("/admin/").get_data(as_text=True)  # the cookie keeps English
    assert "Open center" in again and "My account" in again and "Sign out" in again
    assert embedded(again, "ui-strings")["search"] == "Search"
    assert "退出登录" in client.get("/admin/?lang=zh-CN").get_data(as_text=True)


def test_page_specs_name_real_menus_and_permissions():
    pages.load()
    assert set(pages.PAGES) == {"system.provider", "system.property", "system.user", "system.role",
                                "system.department", "system.post", "system.audit_log", "open.plugin_failure",
                                "car.station", "car.area", "car.space", "car.camera", "car.pile", "car.gun",
                                "car.rule", "bike.station", "bike.area", "bike.device", "bike.socket", "bike.rule",
                                "stats.online", "stats.pile_record", "stats.bike_record", "order.car", "order.bike",
                                "order.payment", "order.refund", "stats.split"}
    for code, spec in pages.PAGES.items():
        assert code in MENU_INDEX
        for action in spec.actions:
            assert action.permission in ALL_PERMISSIONS, (code, action.permission)
            assert action.permission.startswith(code + ":")
        assert spec.to_json()["columns"], code
    with pytest.raises(ValueError):
        pages.register(pages.PAGES["system.user"])
