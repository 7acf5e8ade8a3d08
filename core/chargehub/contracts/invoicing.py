"""E-invoice backends (电子发票服务). Registered by ``register_invoicing_backends``."""
from __future__ import annotations

from chargehub.contracts.base import Provider


class InvoicingBackend(Provider):
    """Base of every e-invoice service backend; ``identifier`` is stored on each invoice record."""

    kind = "invoicing_backends"
