"""Service providers (3.7.1) and properties (3.7.2): add, edit, audit, enable / disable.

Approving a provider creates its login account (the provider's phone, a generated password shown
once to the operator) and its top department; adding a property does the same for the property.
"""
from __future__ import annotations

import secrets
from typing import Any, Mapping

from chargehub.db import current_actor, utcnow
from chargehub.errors import Conflict, ValidationFailed
from chargehub.extensions import db
from chargehub.tenancy.audit_log import record
from chargehub.tenancy.models import AuditState, MerchantType, Property, ServiceProvider, User, UserType
from chargehub.tenancy.passwords import hash_password
from chargehub.tenancy.scope import get_or_404
from chargehub.tenancy.services.guards import (
    ensure_phone_free,
    ensure_property_accepts_children,
    ensure_provider_accepts_children,
)


def generate_password() -> str:
    """An initial password for a new login account: 12 URL-safe characters."""
    return secrets.token_urlsafe(9)


def _owner_account(phone: str, name: str, user_type: UserType, **owner_ids: Any) -> tuple[User, str]:
    password = generate_password()
    user = User(phone=phone, name=name, password_hash=hash_password(password), user_type=user_type,
                is_owner=True, password_changed_at=None, **owner_ids)
    db.session.add(user)
    return user, password


# ------------------------------------------------------------------------------------ providers


def create_provider(data: Mapping[str, Any]) -> ServiceProvider:
    """Add a provider (pending audit). Sub-merchants name an approved provider as their parent."""
    ensure_phone_free(data["phone"])
    merchant_type = MerchantType(data.get("merchant_type") or MerchantType.PROVIDER)
    parent_id = data.get("parent_id")
    if merchant_type is MerchantType.SUB_MERCHANT:
        if not parent_id:
            raise ValidationFailed("子商户须选择所属服务商 (a sub-merchant needs its service provider)", "parent_id")
        parent = get_or_404(ServiceProvider, parent_id)
        if parent.merchant_type is not MerchantType.PROVIDER:
            raise ValidationFailed("子商户只能归属于服务商 (a sub-merchant belongs to a service provider)", "parent_id")
        ensure_provider_accepts_children(parent, "parent_id")
    elif parent_id:
        raise ValidationFailed("服务商不能有上级 (only sub-merchants have a parent)", "parent_id")
    provider = ServiceProvider(name=data["name"], contact=data.get("contact", ""), phone=data["phone"],
                               email=data.get("email", ""), merchant_type=merchant_type,
                               parent_id=parent_id if merchant_type is MerchantType.SUB_MERCHANT else None,
                               audit_state=AuditState.PENDING)
    db.session.add(provider)
    db.session.flush()
    record("provider.create", target=provider, provider_id=provider.id, name=provider.name)
    db.session.commit()
    return provider


def update_provider(provider: ServiceProvider, data: Mapping[str, Any]) -> ServiceProvider:
    """Change name, contact and email; the phone (login) never changes."""
    changed = {k: data[k] for k in ("name", "contact", "email") if k in data}
    for key, value in changed.items():
        setattr(provider, key, value)
    record("provider.update", target=provider, provider_id=provider.id, fields=sorted(changed))
    db.session.commit()
    return provider


def audit_provider(provider: ServiceProvider, approved: bool, remark: str = "") -> str | None:
    """审核: approve (creates login account + top department; returns the initial password) or reject."""
    from chargehub.tenancy.services.org import create_top_department  # noqa: PLC0415

    if provider.audit_state is AuditState.APPROVED:
        raise Conflict("该服务商已审核通过 (already approved)")
    password = None
    if approved:
        ensure_phone_free_for_owner(provider.phone)
        provider.audit_state = AuditState.APPROVED
        top = create_top_department(provider)
        user, password = _owner_account(provider.phone, provider.name, UserType.PROVIDER, provider_id=provider.id)
        user.department_id = top.id
    else:
        if not remark.strip():
            raise ValidationFailed("驳回时请填写原因 (give the reason for rejecting)", "remark")
        provider.audit_state = AuditState.REJECTED
    provider.audit_remark = remark.strip()
    provider.audited_at = utcnow()
    provider.audited_by = current_actor()
    record("provider.audit", target=provider, provider_id=provider.id, approved=approved, remark=remark)
    db.session.commit()
    return password


def ensure_phone_free_for_owner(phone: str) -> None:
    """The owner account takes the provider's / property's phone: no *user* may hold it already."""
    import sqlalchemy as sa  # noqa: PLC0415

    if db.session.execute(sa.select(User.id).where(User.phone == phone)).first():
        raise Conflict(f"手机号 {phone} 已被其他账号使用，无法生成登录账号 (phone already used by an account)")


def set_provider_enabled(provider: ServiceProvider, enabled: bool) -> ServiceProvider:
    """启用 / 禁用. A disabled provider keeps its login but cannot get new properties, users, roles..."""
    provider.enabled = enabled
    record("provider.enable" if enabled else "provider.disable", target=provider, provider_id=provider.id)
    db.session.commit()
    return provider


# ------------------------------------------------------------------------------------ properties


def create_property(data: Mapping[str, Any], actor: User) -> tuple[Property, str]:
    """Add a property under a provider; creates its login account and top department.

    Provider users add properties to their own provider (or a sub-merchant) only.
    """
    from chargehub.tenancy.services.org import create_top_department  # noqa: PLC0415

    provider_id = data.get("provider_id") or (actor.provider_id if actor.user_type is UserType.PROVIDER else None)
    if not provider_id:
        raise ValidationFailed("请选择所属服务商 (choose the service provider)", "provider_id")
    provider = get_or_404(ServiceProvider, provider_id)
    ensure_provider_accepts_children(provider)
    ensure_phone_free(data["phone"])
    prop = Property(provider_id=provider.id, **{k: data.get(k, "") for k in
                                                ("name", "contact", "phone", "email", "province", "city", "address")})
    db.session.add(prop)
    db.session.flush()
    top = create_top_department(provider, prop)
    user, password = _owner_account(prop.phone, prop.name, UserType.PROPERTY, provider_id=provider.id,
                                    property_id=prop.id)
    user.department_id = top.id
    record("property.create", target=prop, name=prop.name)
    db.session.commit()
    return prop, password


def update_property(prop: Property, data: Mapping[str, Any]) -> Property:
    """Change name, contact, email and address; the phone (login) never changes."""
    changed = {k: data[k] for k in ("name", "contact", "email", "province", "city", "address") if k in data}
    for key, value in changed.items():
        setattr(prop, key, value)
    record("property.update", target=prop, fields=sorted(changed))
    db.session.commit()
    return prop


def set_property_enabled(prop: Property, enabled: bool) -> Property:
    """启用 / 禁用. A disabled property cannot get new stations, users, roles, departments or posts."""
    if enabled:
        ensure_provider_accepts_children(db.session.get(ServiceProvider, prop.provider_id))
    prop.enabled = enabled
    record("property.enable" if enabled else "property.disable", target=prop)
    db.session.commit()
    return prop


def property_accepting(property_id: int, field: str = "property_id") -> Property:
    """The visible property ``property_id`` that may get new children (and its provider may too)."""
    prop = get_or_404(Property, property_id)
    ensure_property_accepts_children(prop, field)
    ensure_provider_accepts_children(db.session.get(ServiceProvider, prop.provider_id), field)
    return prop
