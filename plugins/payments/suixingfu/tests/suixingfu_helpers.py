"""Helpers for the Suixingfu tests: the notification receiver, providers, orders."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal


from chargehub.contracts.payments import CreatePayment
from chargehub.testing.sandbox import NotificationReceiver

from chargehub_suixingfu.provider import SuixingfuProvider
from chargehub_suixingfu.schemas import merge_settings
from chargehub_suixingfu.testing import SuixingfuSandbox


#: Our side of the notifications (parse with ``receiver.provider``, reply with its Ack).
Receiver = NotificationReceiver


def make_provider(sandbox: SuixingfuSandbox, station: dict | None = None, **tenant) -> SuixingfuProvider:
    """A provider from the sandbox's tenant settings (overridden by ``tenant``) and station settings."""
    return SuixingfuProvider(merge_settings({**sandbox.tenant_settings(), **tenant},
                                            station or sandbox.station_settings()))


def order(no: str = "CH20260101000001", amount: str = "12.34", notify_url: str = "http://127.0.0.1:9/x",
          split: bool = False) -> CreatePayment:
    """A CreatePayment for tests."""
    return CreatePayment(out_trade_no=no, amount=Decimal(amount), description="充电费 12 号桩",
                         notify_url=notify_url, payer_id="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                         expires_at=datetime.now(timezone.utc) + timedelta(minutes=15), split=split,
                         client_ip="10.1.2.3", attach="A1")
