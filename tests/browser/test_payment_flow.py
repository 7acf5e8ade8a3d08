"""Paying for a charge through the WeChat Pay sandbox, end to end, with the admin in a real browser.

``chargehub run`` (web, gateway and in-process jobs in one process, plugins loaded from their entry points)
serves a provider whose station takes WeChat Pay through the sandbox; a simulated YKC pile logs in to its
gateway. A driver (the driver API over HTTP, as the mini-program calls it) starts with ``online``, pays in
the sandbox — whose signed, encrypted notification reaches the platform over HTTP — charges and stops. The
platform administrator then sees, in Chromium, the automatic refund of the unused prepaid amount on 退费管理
and the payment on 支付订单, and refunds part of the completed order with 退费 on 汽车订单; the sandbox
receives that refund too.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from chargehub.testing.database import clear_tables
from chargehub.testing.fixtures import ADMIN_PASSWORD, ADMIN_PHONE
from chargehub.testing.helpers import wait_until
from tests.browser.conftest import _free_port, browser, open_menu, open_page, row, shot, sign_in  # noqa: F401

pytestmark = pytest.mark.timeout(300)
PREPAID = Decimal("30.00")


def _call(base: str, method: str, path: str, token: str, body=None) -> tuple[int, dict]:
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                                              "Idempotency-Key": uuid.uuid4().hex})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _prepare(database_url: str, instance: str, sandbox) -> dict:
    """Seed a provider with a 1-gun pile, switch WeChat Pay on for it and its station, make a driver."""
    import chargehub_billing_standard.plugin as billing_standard
    import chargehub_wechatpay.plugin as wechatpay
    import chargehub_ykc.plugin as ykc

    from chargehub.app import create_app
    from chargehub.extensions import db
    from chargehub.members.auth import issue_driver_token
    from chargehub.members.models import Driver
    from chargehub.testing.network import seed_pile_network
    from tests.payments.conftest import configure_payment

    app = create_app({"DATABASE_URL": database_url, "PLUGIN_AUTOLOAD": False, "PLUGINS": "", "REDIS_URL": None,
                      "INSTANCE_PATH": instance, "LOG_LEVEL": "WARNING",
                      "PLUGINS_EXTRA": [billing_standard, ykc, wechatpay]})
    with app.app_context():
        network = seed_pile_network(1, guns=1, prefix="5588", name="支付浏览器")
        configure_payment(app, network, "car", "wechatpay", sandbox)
        driver = Driver(phone="13922220000")
        db.session.add(driver)
        db.session.commit()
        from chargehub.assets.car_models import Gun

        gun_id = db.session.execute(sa.select(Gun.id).where(Gun.station_id == network.station_id)).scalar_one()
        token = issue_driver_token(driver)
        db.session.remove()
        db.engine.dispose()
    return {"pile_code": network.pile_codes[0], "gun_id": gun_id, "token": token}


@pytest.fixture(scope="module")
def paying(chargehub_database_url, tmp_path_factory):
    """``chargehub run`` on the test database, the WeChat Pay sandbox, a logged-in simulated pile."""
    from chargehub_wechatpay.testing import WechatPaySandbox
    from chargehub_ykc.simulator import Fleet, FleetThread, PileConfig
    from chargehub.testing.fixtures import DEFAULT_MQTT
    from tests.orders.conftest import FAST_PILE

    mqtt_url = os.environ.get("CHARGEHUB_TEST_MQTT_URL", DEFAULT_MQTT)

    sandbox = WechatPaySandbox()
    instance = str(tmp_path_factory.mktemp("paying-instance"))
    seeded = _prepare(chargehub_database_url, instance, sandbox)
    port, ykc_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGEHUB_")}
    env.update(CHARGEHUB_DATABASE_URL=chargehub_database_url, CHARGEHUB_PLUGIN_AUTOLOAD="1",
               CHARGEHUB_INSTANCE_PATH=instance, CHARGEHUB_LOG_LEVEL="WARNING", CHARGEHUB_MQTT_URL=mqtt_url,
               CHARGEHUB_GATEWAY_LISTEN=f"ykc=127.0.0.1:{ykc_port}", CHARGEHUB_ORDER_COMMAND_WAIT="5")
    chargehub = [sys.executable, "-m", "chargehub"]
    subprocess.run([*chargehub, "create-admin", "--phone", ADMIN_PHONE, "--password", ADMIN_PASSWORD, "--name",
                    "平台管理员"], env=env, check=True, capture_output=True, timeout=60)
    log = Path(instance) / "run.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([*chargehub, "run", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    sim = None
    try:
        wait_until(lambda: _healthy(base) or proc.poll() is not None, timeout=60)
        assert proc.poll() is None, log.read_text()
        sim = FleetThread(Fleet("127.0.0.1", ykc_port, configs=[PileConfig(seeded["pile_code"], **{**FAST_PILE, "guns": 1})]))
        sim.start()
        sim.run(sim.fleet.wait_logged_in(timeout=30))
        yield {"base": base, "sandbox": sandbox, **seeded}
    finally:
        if sim is not None:
            sim.stop()
        proc.terminate()
        proc.wait(timeout=30)
        sandbox.close()
        engine = sa.create_engine(chargehub_database_url)
        from chargehub import models  # noqa: F401
        from chargehub.extensions import db

        clear_tables(engine, db.metadata)
        engine.dispose()
    assert "Traceback" not in log.read_text(), log.read_text()


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture
def page(browser, paying):  # noqa: F811 - this module's own server
    with open_page(browser, paying["base"], timeout_ms=15_000, viewport={"width": 1600, "height": 900},
                   timezone_id="Asia/Shanghai") as tab:
        yield tab


def _order(paying, trade_no: str) -> dict:
    status, order = _call(paying["base"], "GET", f"/api/v1/app/orders/{trade_no}", paying["token"])
    assert status == 200, order
    return order


def test_pay_charge_stop_auto_refund_and_refund_from_the_admin(page: Page, shot, paying):
    base, token, sandbox = paying["base"], paying["token"], paying["sandbox"]
    status, order = _call(base, "POST", "/api/v1/app/orders", token, {
        "gun_id": paying["gun_id"], "prepaid": str(PREPAID), "pay_method": "online", "payer_id": "oBrowserPayer001"})
    assert status == 201, order
    assert order["state"] == "starting" and order["payment"]["client_params"]["package"].startswith("prepay_id=")
    trade_no, out_trade_no = order["trade_no"], order["payment"]["out_trade_no"]

    replies = sandbox.pay(out_trade_no)
    assert [reply.status for reply in replies] == [204], [(r.status, r.body) for r in replies]
    wait_until(lambda: _order(paying, trade_no)["state"] == "charging", timeout=30)
    wait_until(lambda: Decimal(_order(paying, trade_no)["energy_kwh"]) > 2, timeout=30)
    assert _call(base, "POST", f"/api/v1/app/orders/{trade_no}/stop", token)[0] == 200
    done = wait_until(lambda: (lambda o: o if o["state"] == "completed" else None)(_order(paying, trade_no)), timeout=30)
    amount = Decimal(done["amount"])
    unused = PREPAID - amount
    assert Decimal(done["refunded"]) == unused > 0
    wait_until(lambda: [Decimal(str(r["amount"])) for r in sandbox.refunds(out_trade_no)] == [unused], timeout=20)

    sign_in(page, ADMIN_PHONE, ADMIN_PASSWORD)
    open_menu(page, "订单管理", "退费管理")
    automatic = row(page, trade_no)
    expect(automatic).to_contain_text("结算退回")
    expect(automatic).to_contain_text(f"{unused}")
    expect(automatic.locator("td[data-key=state]")).to_have_text("退款成功", timeout=20_000)
    shot("automatic-refund")

    open_menu(page, "订单管理", "支付订单")
    expect(row(page, trade_no)).to_contain_text("微信支付")
    expect(row(page, trade_no).locator("td[data-key=state]")).to_have_text("已支付")

    open_menu(page, "订单管理", "汽车订单")
    row(page, trade_no).locator("button[data-action=order_refund]").click()
    dialog = page.locator("dialog[open]")
    expect(dialog.locator("dd[data-key=maximum]")).to_have_text(f"{amount}")
    part = (amount / 2).quantize(Decimal("0.01"))
    dialog.locator("#f-amount").fill(str(amount + 1))
    dialog.locator("#f-reason").fill("充电中断，部分退费")
    dialog.locator("button.primary").click()
    expect(dialog.locator(".form-message")).to_contain_text("退费金额须在")  # more than the maximum: refused
    dialog.locator("#f-amount").fill(str(part))
    shot("refund-dialog")
    dialog.locator("button.primary").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    wait_until(lambda: [Decimal(str(r["amount"])) for r in sandbox.refunds(out_trade_no)] == [unused, part], timeout=20)

    open_menu(page, "订单管理", "退费管理")
    manual = page.locator("#grid tbody tr", has_text="人工退费")
    expect(manual).to_have_count(1)
    expect(manual).to_contain_text(f"{part}")
    expect(manual.locator("td[data-key=state]")).to_have_text("退款成功", timeout=20_000)
    shot("manual-refund")
    assert Decimal(_order(paying, trade_no)["refunded"]) == unused + part

    # 支付配置: the operator turns 分账 on and adds a split account in the accounts table
    open_menu(page, "汽车管理", "汽车电站")
    station = page.locator("#grid tbody tr").first
    station.locator("details.row-menu summary").first.click()
    station.locator("button[data-action=payment_config]").click()
    card = page.locator("form.plugin-form[data-plugin=wechatpay]")
    expect(card.locator("[data-records=split_accounts] thead")).to_contain_text("分账比例")
    card.locator("input[name=split_enabled]").check()
    card.locator("[data-add=split_accounts]").click()
    cells = card.locator("[data-records=split_accounts] tbody tr").last
    cells.locator("input[data-item=account]").fill("1900000109")
    cells.locator("input[data-item=name]").fill("分账商户甲有限公司")
    cells.locator("input[data-item=ratio]").fill("0.2000")
    shot("split-accounts")
    card.locator("button[type=submit]").click()
    saved = page.locator("form.plugin-form[data-plugin=wechatpay] [data-records=split_accounts] tbody tr")
    expect(saved).to_have_count(1)
    expect(saved.locator("input[data-item=account]")).to_have_value("1900000109")
    expect(page.locator("form.plugin-form[data-plugin=wechatpay] input[name=split_enabled]")).to_be_checked()
