"""The system-management API (系统管理) and sign-in, under ``/api/v1/auth`` and ``/api/v1/admin``."""

#: Modules whose ``blp`` is registered on the app, in this order.
BLUEPRINT_MODULES = (
    "chargehub.tenancy.api.auth",
    "chargehub.tenancy.api.providers",
    "chargehub.tenancy.api.properties",
    "chargehub.tenancy.api.users",
    "chargehub.tenancy.api.roles",
    "chargehub.tenancy.api.departments",
    "chargehub.tenancy.api.posts",
    "chargehub.tenancy.api.options",
    "chargehub.tenancy.api.audit_logs",
)
