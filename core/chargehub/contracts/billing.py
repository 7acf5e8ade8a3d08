"""Billing modes (计费模式): how a charging session is priced. Registered by ``register_billing_modes``."""
from __future__ import annotations

from chargehub.contracts.base import Provider


class BillingMode(Provider):
    """Base of every billing mode (car flat / time-of-use, the e-bike modes).

    ``identifier`` is stored on each billing rule (``"car_flat"``, ``"car_tou"``, ``"bike_duration"``...);
    ``vehicle`` says which side uses it: ``"car"`` or ``"bike"``.
    """

    kind = "billing_modes"
    vehicle: str = ""
