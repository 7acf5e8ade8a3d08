"""Contracts between core and plugins: frozen dataclasses and documented provider base classes.

Nothing here imports the ORM, Flask or a database session: plugins receive and return these values
only. Later domain issues extend the provider base classes with their members; a member that a
provider must implement raises :class:`NotImplementedError` in the base class.
"""
from chargehub.contracts.base import Provider

PROVIDER_KINDS = (
    "billing_modes",
    "payment_providers",
    "device_protocols",
    "invoicing_backends",
    "camera_drivers",
)

__all__ = ["Provider", "PROVIDER_KINDS"]
