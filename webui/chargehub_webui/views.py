"""Admin pages: server-rendered shells (sidebar, top bar, page spec) whose data comes from the REST API.

Every page under ``/admin/`` needs a signed-in user (else a redirect to ``/admin/login``) and its menu's
``<menu>:list`` permission (else the 403 page). ``/`` stays the public start page with the health checks.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user as login_user_proxy

from chargehub import __version__
from chargehub.tenancy.auth import authenticate_request, current_permissions
from chargehub.tenancy.permissions import MENU_INDEX, sidebar
from chargehub_webui import i18n, pages
from chargehub_webui.pages.common import USER_TYPES

bp = Blueprint("webui", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/webui-assets")


@bp.record_once
def _setup(state) -> None:
    i18n.init_app(state.app)
    pages.load()


def _label(menu) -> str:
    return menu.label_en if i18n.ui_language() == "en" else menu.label


def _sidebar_entries() -> list[dict]:
    out = []
    for entry in sidebar(current_permissions(), pages.has_page):
        children = [{"code": c.menu.code, "label": _label(c.menu), "url": pages.url_of(c.menu.code)}
                    for c in entry.children]
        out.append({"code": entry.menu.code, "label": _label(entry.menu), "icon": entry.menu.icon,
                    "url": None if children else pages.url_of(entry.menu.code), "children": children})
    return out


def _page(menu_code: str, template: str, **context):
    """Render ``template`` in the admin shell, or redirect to sign-in / answer the 403 page."""
    if not login_user_proxy.is_authenticated:
        return redirect(url_for("webui.login", next=request.full_path.rstrip("?")))
    user = authenticate_request()
    granted = current_permissions()
    shell = {"user": user, "menus": _sidebar_entries(), "active": menu_code, "version": __version__,
             "strings": i18n.js_strings(), "permissions": sorted(granted),
             "menu_label": _label(MENU_INDEX[menu_code])}
    if f"{menu_code}:list" not in granted:
        return render_template("webui/forbidden.html", **shell), 403
    return render_template(template, **shell, **context)


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin"):
        return url_for("webui.home")
    return target


@bp.get("/")
def index():
    """平台首页 (public): version, links to the API document and the health endpoint."""
    return render_template("webui/index.html", version=__version__)


@bp.get("/admin/login")
def login():
    """登录: the sign-in form; it posts to ``/api/v1/auth/session`` and then opens ``next``."""
    return render_template("webui/login.html", next_url=_safe_next(request.args.get("next")),
                           strings=i18n.js_strings(), version=__version__)


@bp.get("/admin/")
def home():
    """首页: welcome and the signed-in user's account; without 首页 the user's first menu opens instead."""
    if login_user_proxy.is_authenticated and "home:list" not in current_permissions():
        first = next((e for e in _sidebar_entries()), None)
        if first is not None:
            return redirect(first["url"] or first["children"][0]["url"])
    return _page("home", "webui/home.html", user_types=USER_TYPES)


@bp.get("/admin/open/plugins")
def plugins():
    """插件管理: a provider's plugins, switches and settings forms (system users pick a provider)."""
    return _page("open.plugin", "webui/plugins.html")


@bp.get("/admin/<path:page_path>")
def list_page(page_path: str):
    """A list page declared by a :class:`~chargehub_webui.pagespec.PageSpec`."""
    spec = pages.BY_PATH.get(page_path.strip("/"))
    if spec is None:
        return render_template("webui/message.html", title=_("页面不存在"), version=__version__), 404
    return _page(spec.menu, "webui/list.html", spec=spec.to_json(), scripts=spec.scripts)
