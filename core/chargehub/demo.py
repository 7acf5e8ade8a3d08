"""Demo data: a service provider with its own login, so a new user has a tenant to try things with.

Later issues add demo stations and simulated devices here. Idempotent: running it again changes
nothing and says what exists.
"""
from __future__ import annotations

import secrets
from typing import Iterator

import sqlalchemy as sa

from chargehub.extensions import db
from chargehub.tenancy.models import AuditState, ServiceProvider, User, UserType
from chargehub.tenancy.passwords import hash_password

DEMO_PROVIDER_PHONE = "13900000001"


def seed_demo() -> Iterator[str]:
    """Create the demo tenant if missing; yield one line per thing created or found."""
    provider = db.session.execute(
        sa.select(ServiceProvider).where(ServiceProvider.phone == DEMO_PROVIDER_PHONE)).scalar_one_or_none()
    if provider is not None:
        yield f"demo service provider exists: {provider.name} (login {DEMO_PROVIDER_PHONE})"
        return
    provider = ServiceProvider(name="演示服务商", contact="演示联系人", phone=DEMO_PROVIDER_PHONE,
                               email="demo@example.com", audit_state=AuditState.APPROVED)
    db.session.add(provider)
    db.session.flush()
    password = secrets.token_urlsafe(9)
    db.session.add(User(phone=DEMO_PROVIDER_PHONE, name="演示服务商", password_hash=hash_password(password),
                        user_type=UserType.PROVIDER, provider_id=provider.id))
    db.session.commit()
    yield f"demo service provider created: {provider.name}, login {DEMO_PROVIDER_PHONE} / {password}"
