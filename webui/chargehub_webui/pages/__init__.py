"""Registry of the admin's list pages (:class:`~chargehub_webui.pagespec.PageSpec`), by menu code.

Modules register their pages here at import time; :func:`load` imports the page modules the webui
ships. A menu with a registered page (or one of :data:`CUSTOM_PAGES`) shows in the sidebar.
"""
from __future__ import annotations

import importlib

from chargehub_webui.pagespec import PageSpec

#: Page modules shipped with the webui (each calls :func:`register`).
PAGE_MODULES = ("chargehub_webui.pages.system", "chargehub_webui.pages.open", "chargehub_webui.pages.car",
                "chargehub_webui.pages.bike", "chargehub_webui.pages.billing", "chargehub_webui.pages.devices",
                "chargehub_webui.pages.orders", "chargehub_webui.pages.payments")
#: Menus whose pages have their own template instead of the list-page pattern.
CUSTOM_PAGES = frozenset({"home", "open.plugin"})

PAGES: dict[str, PageSpec] = {}
BY_PATH: dict[str, PageSpec] = {}


def register(*specs: PageSpec) -> None:
    """Add list pages; a menu code or path registered twice is an error."""
    for spec in specs:
        if spec.menu in PAGES or spec.path in BY_PATH:
            raise ValueError(f"page {spec.menu} ({spec.path}) is registered twice")
        PAGES[spec.menu] = spec
        BY_PATH[spec.path] = spec


def load() -> None:
    """Import the page modules once."""
    for module in PAGE_MODULES:
        importlib.import_module(module)


def has_page(code: str) -> bool:
    """Whether the menu ``code`` has a page (for :func:`chargehub.tenancy.permissions.sidebar`)."""
    return code in PAGES or code in CUSTOM_PAGES


def url_of(code: str) -> str:
    """The admin URL of menu ``code``'s page."""
    if code == "home":
        return "/admin/"
    if code == "open.plugin":
        return "/admin/open/plugins"
    return "/admin/" + PAGES[code].path
