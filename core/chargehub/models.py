"""Imports every model module so that metadata (and Alembic autogenerate) sees all tables."""
from chargehub.plugins.models import PlatformPlugin, PluginListenerFailure, TenantPlugin  # noqa: F401
from chargehub.tenancy.models import ApiToken, ServiceProvider, User  # noqa: F401
