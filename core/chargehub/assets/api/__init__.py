"""Charging-asset API under ``/api/v1/admin``."""

#: Modules whose ``blp`` is registered on the app, in this order.
BLUEPRINT_MODULES = (
    "chargehub.assets.api.car_stations",
    "chargehub.assets.api.car_areas",
    "chargehub.assets.api.spaces",
    "chargehub.assets.api.cameras",
    "chargehub.assets.api.piles",
    "chargehub.assets.api.guns",
    "chargehub.assets.api.bike_stations",
    "chargehub.assets.api.bike_areas",
    "chargehub.assets.api.devices",
    "chargehub.assets.api.sockets",
    "chargehub.assets.api.qrcodes",
)
