"""Helpers for the Leshua tests: providers from validated settings, the notification receiver, numbers.

The receiver is a real HTTP server whose POST route hands the raw body to
``provider.parse_notification`` and answers with the returned :class:`Ack` (or the rejection's), so
the sandbox's notifications travel over real sockets exactly as Leshua's would.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal


from chargehub.contracts.payments import CreatePayment
from chargehub.testing.sandbox import NotificationReceiver

from chargehub_leshua.provider import LeshuaProvider
from chargehub_leshua.schemas import LeshuaSettings, LeshuaStationSettings


def build_provider(tenant: dict, station: dict) -> LeshuaProvider:
    """A provider as core builds it: both schemas' loaded values, station over tenant."""
    return LeshuaProvider({**LeshuaSettings().load(tenant), **LeshuaStationSettings().load(station)},
                          tenant_id=1, plugin_name="leshua")


#: Our side of the notifications (parse with ``receiver.provider``, reply with its Ack).
Receiver = NotificationReceiver


_counter = iter(range(1, 10**6))


def order_no(prefix: str = "P") -> str:
    """A fresh number of letters and digits."""
    return f"{prefix}{datetime.now():%y%m%d%H%M%S}{next(_counter):06d}"


def create_request(receiver, amount: str = "12.34", *, split: bool = False, attach: str = "") -> CreatePayment:
    """A mini-program payment request notifying ``receiver``."""
    return CreatePayment(out_trade_no=order_no(), amount=Decimal(amount), description="充电预付",
                         notify_url=receiver.url, payer_id="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                         expires_at=datetime.now(timezone.utc) + timedelta(minutes=10), split=split,
                         client_ip="10.1.2.3", attach=attach)


def paid_payment(provider, sandbox, receiver, amount: str = "12.34", *, split: bool = False) -> str:
    """Create and pay a payment; its number."""
    request_ = create_request(receiver, amount, split=split)
    provider.execute_create_payment(request_)
    sandbox.pay(request_.out_trade_no)
    return request_.out_trade_no
