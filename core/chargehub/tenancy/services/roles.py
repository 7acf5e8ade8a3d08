"""Roles (3.7.4): add, edit, enable / disable, delete, assign and unassign users."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import sqlalchemy as sa

from chargehub.errors import Conflict, ValidationFailed
from chargehub.extensions import db
from chargehub.tenancy.audit_log import record
from chargehub.tenancy.models import User, UserType
from chargehub.tenancy.org_models import Role
from chargehub.tenancy.permissions import allowed_for, permissions_of, unknown
from chargehub.tenancy.scope import get_or_404
from chargehub.tenancy.services.owners import resolve_owner, same_owner


def _check_permissions(codes: Iterable[str], user_type: UserType, actor: User) -> list[str]:
    codes = sorted(set(codes or ()))
    bad = unknown(codes)
    if bad:
        raise ValidationFailed(f"未知的权限: {', '.join(bad)} (unknown permissions)", "permissions")
    beyond_type = sorted(set(codes) - allowed_for(user_type))
    if beyond_type:
        raise ValidationFailed(f"该类型的角色不能拥有: {', '.join(beyond_type)} (not allowed for this role type)", "permissions")
    beyond_actor = sorted(set(codes) - permissions_of(actor))
    if beyond_actor:
        raise ValidationFailed(f"不能授予自己没有的权限: {', '.join(beyond_actor)} (you do not hold these)", "permissions")
    return codes


def _ensure_unique_name(name: str, owner: Mapping[str, Any], exclude_id: int | None = None) -> None:
    stmt = sa.select(Role.id).where(Role.name == name, *[
        (getattr(Role, k) == v) if v is not None else getattr(Role, k).is_(None) for k, v in owner.items()])
    if exclude_id:
        stmt = stmt.where(Role.id != exclude_id)
    if db.session.execute(stmt).first():
        raise ValidationFailed(f"角色名称「{name}」已存在 (a role with this name exists)", "name")


def create_role(data: Mapping[str, Any], actor: User) -> Role:
    """Add a role for users of one type, owned by the provider / property / collective that type calls for."""
    user_type = UserType(data["user_type"])
    owner = resolve_owner(user_type, data, actor)
    _ensure_unique_name(data["name"], owner)
    role = Role(user_type=user_type, name=data["name"], remark=data.get("remark", ""),
                permissions=_check_permissions(data.get("permissions", ()), user_type, actor), **owner)
    db.session.add(role)
    db.session.flush()
    record("role.create", target=role, name=role.name, permissions=len(role.permissions))
    db.session.commit()
    return role


def update_role(role: Role, data: Mapping[str, Any], actor: User) -> Role:
    """Change name, permissions and remark (type and owner never change)."""
    if "name" in data and data["name"] != role.name:
        owner = {k: getattr(role, k) for k in ("provider_id", "property_id", "collective_id")}
        _ensure_unique_name(data["name"], owner, exclude_id=role.id)
        role.name = data["name"]
    if "permissions" in data:
        role.permissions = _check_permissions(data["permissions"], role.user_type, actor)
    if "remark" in data:
        role.remark = data["remark"]
    record("role.update", target=role, fields=sorted(data))
    db.session.commit()
    return role


def set_role_enabled(role: Role, enabled: bool) -> Role:
    """启用 / 禁用: a disabled role grants nothing and cannot be assigned."""
    role.enabled = enabled
    record("role.enable" if enabled else "role.disable", target=role)
    db.session.commit()
    return role


def delete_role(role: Role) -> None:
    """删除; refused while users hold the role."""
    if role.users:
        raise Conflict(f"角色「{role.name}」已授权给 {len(role.users)} 个用户，请先取消授权后再删除 "
                       f"(the role is assigned to {len(role.users)} users; unassign them first)")
    record("role.delete", target=role, name=role.name)
    db.session.delete(role)
    db.session.commit()


def assign_users(role: Role, user_ids: Iterable[int]) -> Role:
    """分配用户: grant the role to users of its type and owner."""
    if not role.enabled:
        raise ValidationFailed("禁用的角色不能分配给用户 (a disabled role cannot be assigned)", "user_ids")
    for user_id in dict.fromkeys(user_ids or ()):
        user = get_or_404(User, user_id)
        if user.user_type is not role.user_type or not same_owner(role, user):
            raise ValidationFailed(f"用户「{user.name}」不能使用该角色 (the role is for other users)", "user_ids")
        if role not in user.roles:
            user.roles.append(role)
    record("role.assign", target=role, users=list(user_ids or ()))
    db.session.commit()
    return role


def unassign_user(role: Role, user: User) -> None:
    """取消授权."""
    if role in user.roles:
        user.roles.remove(role)
    record("role.unassign", target=role, user_id=user.id)
    db.session.commit()
