"""Our numbers for payments (``P…``), refunds (``R…``), splits (``S…``) and split returns (``B…``).

Letters and digits only, 25 characters: every vendor accepts them (WeChat 6–32, Leshua letters and
digits, Tianque letters, digits and ``_``). A prefix, the local time to the second, 12 random digits.
"""
from __future__ import annotations

import secrets

from chargehub.db import utcnow

PAYMENT, REFUND, SPLIT, SPLIT_RETURN = "P", "R", "S", "B"


def new_number(prefix: str) -> str:
    """A fresh number with ``prefix`` (one of the module's constants)."""
    from chargehub.billing.services.versions import operator_zone  # noqa: PLC0415

    return f"{prefix}{utcnow().astimezone(operator_zone()):%y%m%d%H%M%S}{secrets.randbelow(10**12):012d}"
