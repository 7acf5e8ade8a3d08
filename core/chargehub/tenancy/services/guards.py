"""Rules shared by every system-management service: who may add what under which owner."""
from __future__ import annotations

import sqlalchemy as sa

from chargehub.errors import ValidationFailed
from chargehub.extensions import db
from chargehub.tenancy.models import AuditState, Property, ServiceProvider, User


def ensure_provider_accepts_children(provider: ServiceProvider, field: str = "provider_id") -> None:
    """A disabled or not yet approved provider cannot get properties, users, roles, departments, posts."""
    if not provider.enabled:
        raise ValidationFailed(f"服务商「{provider.name}」已禁用，不能在其下添加 (the service provider is disabled)", field)
    if provider.audit_state is not AuditState.APPROVED:
        raise ValidationFailed(f"服务商「{provider.name}」尚未审核通过 (the service provider is not approved)", field)


def ensure_property_accepts_children(prop: Property, field: str = "property_id") -> None:
    """A disabled property cannot get stations, users, roles, departments or posts."""
    if not prop.enabled:
        raise ValidationFailed(f"物业「{prop.name}」已禁用，不能在其下添加 (the property is disabled)", field)


def ensure_phone_free(phone: str, field: str = "phone") -> None:
    """A login phone must not be taken by any account (users, providers, properties)."""
    taken = db.session.execute(sa.select(User.id).where(User.phone == phone)).first() \
        or db.session.execute(sa.select(ServiceProvider.id).where(ServiceProvider.phone == phone)).first() \
        or db.session.execute(sa.select(Property.id).where(Property.phone == phone)).first()
    if taken:
        raise ValidationFailed(f"手机号 {phone} 已被使用 (this phone number is already an account)", field)
