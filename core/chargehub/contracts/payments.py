"""Payment providers (支付方式). Registered by ``register_payment_providers``; core owns all states."""
from __future__ import annotations

from chargehub.contracts.base import Provider


class PaymentProvider(Provider):
    """Base of every payment provider (WeChat Pay, Leshua, Suixingfu...).

    Providers act on payment / refund / split attempt values that core hands them and report results;
    they never set a status themselves. ``identifier`` is stored on each payment record.
    """

    kind = "payment_providers"
