"""Billing-rule API under ``/api/v1/admin`` (``docs/api/billing.md``)."""

#: Modules whose ``blp`` is registered on the app, in this order.
BLUEPRINT_MODULES = (
    "chargehub.billing.api.modes",
    "chargehub.billing.api.car_rules",
    "chargehub.billing.api.bike_rules",
)
