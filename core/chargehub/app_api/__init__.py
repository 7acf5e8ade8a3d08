"""The driver API (``/api/v1/app``): what the mini-program and the H5 pages call.

Drivers sign in with a phone number and an SMS code (:mod:`.account`) and then send
``Authorization: Bearer <token>``; views require it with :func:`chargehub.app_api.auth.driver_required`.
Driver tokens and the operators' API tokens are different tables: neither opens the other's API.
Drivers are not tenant-scoped: they see every provider's public stations (:mod:`.lookup`), never admin data.
"""

#: Modules whose ``blp`` is registered on the app, in this order.
BLUEPRINT_MODULES = (
    "chargehub.app_api.account",
    "chargehub.app_api.lookup",
    "chargehub.app_api.orders",
)
