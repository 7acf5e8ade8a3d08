"""The sample plugin: a TENANT-level payment provider with settings, a secret and a listener.

Listener behaviour is driven by the event so tests can exercise retries: an order whose
``extra["fail_attempts"]`` is N makes the first N attempts raise.
"""
from __future__ import annotations

import marshmallow as ma

from chargehub import PluginLevel, PluginMeta, hookimpl
from chargehub.contracts.payments import PaymentProvider
from chargehub.jobs import current_attempt

#: (tenant_id, order_no, attempt) of every listener call that succeeded, in this process.
RECEIVED: list[tuple[int, str, int]] = []


class SampleSettings(ma.Schema):
    merchant_no = ma.fields.String(required=True, validate=ma.validate.Length(min=6, max=32),
                                   metadata={"label": "商户号"})
    api_key = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(min=16),
                               metadata={"label": "API 密钥"})
    fee_rate = ma.fields.Decimal(load_default=None, allow_none=True, places=4,
                                 validate=ma.validate.Range(min=0, max=1), metadata={"label": "费率"})
    mode = ma.fields.String(load_default="live", validate=ma.validate.OneOf(["live", "sandbox"]))


META = PluginMeta(
    name="sample",
    verbose_name="示例支付",
    version="1.0.0",
    category="payment",
    level=PluginLevel.TENANT,
    settings_schema=SampleSettings,
    description="Sample payment plugin used by ChargeHub's tests.",
)


class SamplePay(PaymentProvider):
    identifier = "samplepay"
    verbose_name = "示例支付"

    def merchant(self) -> str:
        """The merchant number this tenant configured (proves per-tenant settings reach the provider)."""
        return self.settings["merchant_no"]


@hookimpl
def register_payment_providers():
    return [SamplePay]


@hookimpl
def order_finished(tenant_id, order):
    attempt = current_attempt()
    if attempt <= int(order.extra.get("fail_attempts", 0)):
        raise RuntimeError(f"sample vendor unreachable (attempt {attempt})")
    RECEIVED.append((tenant_id, order.order_no, attempt))
