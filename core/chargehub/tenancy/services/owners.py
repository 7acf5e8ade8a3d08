"""Who owns a new user or role: the provider / property / collective its type calls for.

One function for users and roles, so both follow the same rules: the owner must be visible to the
acting user, enabled, and (for providers) approved; a user can only create accounts and roles at or
below its own level.
"""
from __future__ import annotations

from typing import Any, Mapping

from chargehub.errors import ValidationFailed
from chargehub.extensions import db
from chargehub.tenancy.models import CollectiveAccount, Property, ServiceProvider, User, UserType
from chargehub.tenancy.scope import get_or_404
from chargehub.tenancy.services.guards import ensure_property_accepts_children, ensure_provider_accepts_children

#: Which types each acting user type may create.
CREATABLE = {
    UserType.SYSTEM: (UserType.SYSTEM, UserType.PROVIDER, UserType.PROPERTY, UserType.COLLECTIVE),
    UserType.PROVIDER: (UserType.PROVIDER, UserType.PROPERTY, UserType.COLLECTIVE),
    UserType.PROPERTY: (UserType.PROPERTY, UserType.COLLECTIVE),
    UserType.COLLECTIVE: (),
}


def resolve_owner(user_type: UserType, data: Mapping[str, Any], actor: User) -> dict[str, int | None]:
    """Validate and return ``provider_id``, ``property_id``, ``collective_id`` for a new user or role.

    Missing ids default to the actor's own (a provider user adding a provider user means its own
    provider). Raises :class:`ValidationFailed` naming the field; a foreign id answers 404.
    """
    if user_type not in CREATABLE[actor.user_type]:
        raise ValidationFailed(f"无权创建该类型 (you cannot create {user_type.value} accounts or roles)", "user_type")
    if user_type is UserType.SYSTEM:
        return {"provider_id": None, "property_id": None, "collective_id": None}
    if user_type is UserType.COLLECTIVE:
        collective_id = data.get("collective_id") or actor.collective_id
        if not collective_id:
            raise ValidationFailed("请选择集体户 (choose the collective account)", "collective_id")
        collective = get_or_404(CollectiveAccount, collective_id)
        if not collective.enabled:
            raise ValidationFailed(f"集体户「{collective.name}」已禁用 (the collective account is disabled)", "collective_id")
        prop = db.session.get(Property, collective.property_id)
        ensure_property_accepts_children(prop, "collective_id")
        ensure_provider_accepts_children(db.session.get(ServiceProvider, prop.provider_id), "collective_id")
        return {"provider_id": prop.provider_id, "property_id": prop.id, "collective_id": collective.id}
    if user_type is UserType.PROPERTY:
        property_id = data.get("property_id") or actor.property_id
        if not property_id:
            raise ValidationFailed("请选择所属物业 (choose the property)", "property_id")
        prop = get_or_404(Property, property_id)
        ensure_property_accepts_children(prop)
        ensure_provider_accepts_children(db.session.get(ServiceProvider, prop.provider_id), "property_id")
        return {"provider_id": prop.provider_id, "property_id": prop.id, "collective_id": None}
    provider_id = data.get("provider_id") or actor.provider_id
    if not provider_id:
        raise ValidationFailed("请选择所属服务商 (choose the service provider)", "provider_id")
    provider = get_or_404(ServiceProvider, provider_id)
    ensure_provider_accepts_children(provider)
    return {"provider_id": provider.id, "property_id": None, "collective_id": None}


def same_owner(a, b) -> bool:
    """Whether two rows (users, roles, departments) belong to the same provider, property and collective."""
    return all(getattr(a, k, None) == getattr(b, k, None) for k in ("provider_id", "property_id", "collective_id"))
