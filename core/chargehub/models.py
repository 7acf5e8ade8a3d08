"""Imports every model module so that metadata (and Alembic autogenerate) sees all tables."""
from chargehub.assets import bike_models, car_models  # noqa: F401
from chargehub.assets.models import StationInvoiceConfig, StationPlugin  # noqa: F401
from chargehub.billing import models  # noqa: F401
from chargehub.charging import models as charging_models  # noqa: F401
from chargehub.devices import bike_models as device_bike_models  # noqa: F401
from chargehub.devices import models as device_models  # noqa: F401
from chargehub.exports.models import ExportFile  # noqa: F401
from chargehub.members import models as member_models  # noqa: F401
from chargehub.payments import models as payment_models  # noqa: F401
from chargehub.plugins.models import PlatformPlugin, PluginListenerFailure, TenantPlugin  # noqa: F401
from chargehub.tenancy.audit_log import AuditLog  # noqa: F401
from chargehub.tenancy.models import (  # noqa: F401
    ApiToken,
    CollectiveAccount,
    Property,
    ServiceProvider,
    User,
    UserStation,
)
from chargehub.tenancy.org_models import Department, Post, Role  # noqa: F401
