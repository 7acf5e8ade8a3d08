"""Helpers for the WeChat Pay tests: building providers, fresh numbers, the notification receiver."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from decimal import Decimal


from chargehub.contracts.payments import CreatePayment
from chargehub.testing.sandbox import NotificationReceiver
from chargehub_wechatpay.provider import WechatPayProvider
from chargehub_wechatpay.schemas import WechatPayStationSettings, WechatPayTenantSettings
from chargehub_wechatpay.testing import WechatPaySandbox


def build_provider(sandbox: WechatPaySandbox, station: dict | None = None, **tenant) -> WechatPayProvider:
    """A provider as core builds it: tenant settings overlaid by station settings, both schema-loaded."""
    settings = {**WechatPayTenantSettings().load({**sandbox.tenant_settings(), **tenant}),
                **WechatPayStationSettings().load(station or sandbox.station_settings())}
    return WechatPayProvider(settings, tenant_id=1, plugin_name="wechatpay")


def number(prefix: str = "P") -> str:
    """A fresh out_* number like core's (letters and digits)."""
    return f"{prefix}{secrets.randbelow(10**20):020d}"


#: Our side of the notifications (parse with ``receiver.provider``, reply with its Ack).
Receiver = NotificationReceiver


def create_payment(provider: WechatPayProvider, notify_url: str, amount: str = "12.34", *, split: bool = False,
                   out_trade_no: str | None = None):
    """Create a payment; returns ``(out_trade_no, PaymentCreated)``."""
    out_trade_no = out_trade_no or number()
    created = provider.execute_create_payment(CreatePayment(
        out_trade_no=out_trade_no, amount=Decimal(amount), description="充电预付-测试电站", notify_url=notify_url,
        payer_id="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", expires_at=datetime.now(timezone.utc) + timedelta(minutes=15),
        split=split, client_ip="10.1.2.3"))
    return out_trade_no, created


def wait_for(predicate, timeout: float = 5.0):
    """Poll ``predicate`` until it returns something truthy (returned) or ``timeout`` passes (``None``)."""
    import time  # noqa: PLC0415

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    return None
