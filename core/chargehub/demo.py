"""Demo data: an approved service provider with its own login, so a new user has a tenant to try.

Later issues add demo stations and simulated devices here. Idempotent: running it again changes
nothing and says what exists.
"""
from __future__ import annotations

from typing import Iterator

import sqlalchemy as sa

from chargehub.extensions import db
from chargehub.tenancy.models import ServiceProvider
from chargehub.tenancy.services.tenants import audit_provider, create_provider

DEMO_PROVIDER_PHONE = "13900000001"


def seed_demo() -> Iterator[str]:
    """Create the demo tenant if missing; yield one line per thing created or found."""
    provider = db.session.execute(
        sa.select(ServiceProvider).where(ServiceProvider.phone == DEMO_PROVIDER_PHONE)).scalar_one_or_none()
    if provider is not None:
        yield f"demo service provider exists: {provider.name} (login {DEMO_PROVIDER_PHONE})"
        return
    provider = create_provider({"name": "演示服务商", "contact": "演示联系人", "phone": DEMO_PROVIDER_PHONE,
                                "email": "demo@example.com"})
    password = audit_provider(provider, approved=True, remark="演示数据")
    yield f"demo service provider created: {provider.name}, login {DEMO_PROVIDER_PHONE} / {password}"
