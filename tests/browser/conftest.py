"""Browser end-to-end fixtures: a real ``chargehub web`` server and Debian's headless Chromium.

The server runs as a subprocess on the session's test database (``chargehub_database_url``) with
plugin autoload on, so the webui and the installed sample plugin load as in production. The first
administrator is created with ``chargehub create-admin``. Screenshots go to
``test-artifacts/screenshots/<test>-<step>.png`` (kept by CI). The page helpers below (sign in, open a
menu, find a row, fill a dialog) and :func:`admin_api` are shared by the browser tests.
"""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

from chargehub.testing.database import clear_tables
from chargehub.testing.fixtures import ADMIN_PASSWORD, ADMIN_PHONE

if TYPE_CHECKING:  # Playwright is imported where used: the Flask-client page tests run without it
    from playwright.sync_api import Page

CHROMIUM = os.environ.get("CHARGEHUB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(chargehub_database_url, tmp_path_factory):
    """Base URL of a running ``chargehub web`` with a first administrator; tables emptied afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGEHUB_")}
    env.update(CHARGEHUB_DATABASE_URL=chargehub_database_url, CHARGEHUB_PLUGIN_AUTOLOAD="1",
               CHARGEHUB_INSTANCE_PATH=str(tmp_path_factory.mktemp("browser-instance")),
               CHARGEHUB_LOG_LEVEL="WARNING")
    chargehub = [sys.executable, "-m", "chargehub"]
    subprocess.run([*chargehub, "create-admin", "--phone", ADMIN_PHONE, "--password", ADMIN_PASSWORD, "--name", "平台管理员"],
                   env=env, check=True, capture_output=True, timeout=60)
    port = _free_port()
    proc = subprocess.Popen([*chargehub, "web", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "chargehub web did not answer in 60 s"
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
        engine = sa.create_engine(chargehub_database_url)
        from chargehub import models  # noqa: F401,PLC0415 - every table on the metadata
        from chargehub.extensions import db  # noqa: PLC0415

        clear_tables(engine, db.metadata)
        engine.dispose()
    assert "Traceback" not in out, out


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@contextmanager
def open_page(browser, base_url: str, *, timeout_ms: int = 10_000, **options):
    """A page in a fresh browser context (no cookies) whose relative URLs go to ``base_url``; ``options``
    go to ``new_context`` (viewport 1440×900 and zh-CN unless given). Fails the test on JavaScript errors."""
    context = browser.new_context(base_url=base_url, **{"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN",
                                                        **options})
    context.set_default_timeout(timeout_ms)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def page(browser, server):
    """A fresh browser context (no cookies) with a page whose relative URLs go to the server."""
    with open_page(browser, server) as tab:
        yield tab


@pytest.fixture
def shot(request, page):
    """``shot("step")`` saves a full-page screenshot as test-artifacts/screenshots/<test>-<step>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^\w-]", "_", request.node.name)

    def take(step: str) -> Path:
        path = SCREENSHOTS / f"{test}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# -- helpers shared by the browser tests ------------------------------------------------------------

def sign_in(page: Page, phone: str, password: str) -> None:
    page.goto("/admin/login")
    page.fill("#login-form [name=phone]", phone)
    page.fill("#login-form [name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/(?!login)"))


def sign_out(page: Page) -> None:
    page.click("#sign-out")
    page.wait_for_url(re.compile(r"/admin/login"))


def sidebar(page: Page) -> list[str]:
    """Every visible sidebar entry: module summaries and page links."""
    return [t.strip() for t in page.locator("#sidebar summary, #sidebar a").all_text_contents()]


def open_menu_plain(page: Page, module: str, item: str) -> None:
    """Click the page link ``item`` of sidebar module ``module`` (opening the module first)."""
    from playwright.sync_api import expect  # noqa: PLC0415

    group = page.locator("#sidebar details.module", has=page.locator("summary", has_text=module))
    link = group.locator("a", has_text=item)
    if not link.is_visible():
        group.locator("summary").click()
    link.click()
    expect(page.locator(".crumb")).to_have_text(item)


def open_menu(page: Page, module: str, item: str) -> None:
    """Open a list page from the sidebar and wait for its rows."""
    from playwright.sync_api import expect  # noqa: PLC0415

    open_menu_plain(page, module, item)
    expect(page.locator("#grid tbody tr").first).not_to_have_text("加载中…")


def row(page: Page, text: str):
    return page.locator("#grid tbody tr", has_text=text)


def dialog_field(page: Page, name: str):
    return page.locator(f"#form-dialog [data-field={name}]")


def save_dialog(page: Page) -> None:
    page.click("#form-dialog button[type=submit]")


def read_once_and_close(page: Page) -> str:
    """The value a result dialog shows once (an initial password); closes the dialog."""
    value = page.locator("#form-dialog .secret-once").inner_text().strip()
    page.locator("#form-dialog button", has_text="关闭").click()
    return value


def admin_api(base: str, phone: str, password: str):
    """``call(method, path, body=None) -> (status, data)``: the admin API with a fresh API token of
    ``phone`` (for fixtures that set up data the test itself does not click through)."""
    token = _json_call(base, "POST", "/api/v1/auth/tokens", {"phone": phone, "password": password})[1]["token"]

    def call(method: str, path: str, body=None):
        return _json_call(base, method, path, body, token)

    return call


def _json_call(base: str, method: str, path: str, body=None, token: str | None = None):
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else None
