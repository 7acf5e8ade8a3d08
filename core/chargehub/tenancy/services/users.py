"""Users (3.7.3): add, edit, enable / disable, delete, bind stations, reset password."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import sqlalchemy as sa

from chargehub.assets.bike_models import BikeStation
from chargehub.assets.car_models import CarStation
from chargehub.db import utcnow
from chargehub.errors import Conflict, ValidationFailed
from chargehub.extensions import db
from chargehub.tenancy.audit_log import record
from chargehub.tenancy.models import AuthScope, StationKind, User, UserStation, UserType
from chargehub.tenancy.org_models import Department, Post, Role
from chargehub.tenancy.passwords import hash_password
from chargehub.tenancy.scope import get_or_404
from chargehub.tenancy.services.guards import ensure_phone_free
from chargehub.tenancy.services.owners import resolve_owner, same_owner
from chargehub.tenancy.services.tenants import generate_password


def set_password(user: User, password: str, field: str = "password") -> None:
    """Hash and store a new password; end the user's other sessions (bumps the session version)."""
    try:
        user.password_hash = hash_password(password)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field) from None
    user.password_changed_at = utcnow()
    user.session_version = (user.session_version or 1) + 1


def _department(user: User, department_id: int | None) -> int | None:
    if not department_id:
        return None
    dept = get_or_404(Department, department_id)
    if not dept.linkable:
        raise ValidationFailed("该部门已禁用或已删除，不能关联 (the department is disabled or deleted)", "department_id")
    if (dept.provider_id, dept.property_id) != (user.provider_id, user.property_id):
        raise ValidationFailed("部门须属于该用户的服务商 / 物业 (the department belongs to another owner)", "department_id")
    return dept.id


def _post(department_id: int | None, post_id: int | None) -> int | None:
    if not post_id:
        return None
    post = get_or_404(Post, post_id)
    if not post.linkable:
        raise ValidationFailed("该岗位已禁用或已删除，不能关联 (the post is disabled or deleted)", "post_id")
    if post.department_id != department_id:
        raise ValidationFailed("岗位须属于所选部门 (the post belongs to another department)", "post_id")
    return post.id


def _roles(user: User, role_ids: Iterable[int]) -> list[Role]:
    roles = []
    for role_id in dict.fromkeys(role_ids or ()):
        role = get_or_404(Role, role_id)
        if not role.enabled:
            raise ValidationFailed(f"角色「{role.name}」已禁用，不能关联 (the role is disabled)", "role_ids")
        if role.user_type is not user.user_type or not same_owner(role, user):
            raise ValidationFailed(f"角色「{role.name}」不适用于该用户 (the role is for other users)", "role_ids")
        roles.append(role)
    return roles


def create_user(data: Mapping[str, Any], actor: User) -> User:
    """Add a user of the given type under the owner its type calls for."""
    user_type = UserType(data["user_type"])
    owner = resolve_owner(user_type, data, actor)
    ensure_phone_free(data["phone"])
    user = User(phone=data["phone"], name=data["name"], email=data.get("email", ""), user_type=user_type,
                auth_scope=AuthScope(data.get("auth_scope") or AuthScope.ALL), password_hash="", **owner)
    set_password(user, data["password"])
    user.department_id = _department(user, data.get("department_id"))
    user.post_id = _post(user.department_id, data.get("post_id"))
    user.roles = _roles(user, data.get("role_ids", ()))
    db.session.add(user)
    db.session.flush()
    record("user.create", target=user, phone=user.phone, user_type=user_type.value)
    db.session.commit()
    return user


def update_user(user: User, data: Mapping[str, Any], actor: User) -> User:
    """Change name, email, department, post, roles, data scope and (optionally) the password."""
    if user.is_owner and actor.id != user.id and "role_ids" in data and data["role_ids"]:
        raise ValidationFailed("登录主账号拥有全部权限，无需分配角色 (owner accounts hold every permission)", "role_ids")
    for key in ("name", "email"):
        if key in data:
            setattr(user, key, data[key])
    if "auth_scope" in data:
        user.auth_scope = AuthScope(data["auth_scope"])
    if "department_id" in data:
        user.department_id = _department(user, data["department_id"])
        if "post_id" not in data:
            user.post_id = None
    if "post_id" in data:
        user.post_id = _post(user.department_id, data["post_id"])
    if "role_ids" in data:
        user.roles = _roles(user, data["role_ids"])
    if data.get("password"):
        set_password(user, data["password"])
    record("user.update", target=user, fields=sorted(k for k in data if k != "password"),
           password_changed=bool(data.get("password")))
    db.session.commit()
    return user


def _ensure_not_protected(user: User, actor: User, verb: str, verb_en: str) -> None:
    if user.id == actor.id:
        raise Conflict(f"不能{verb}当前登录的账号 (you cannot {verb_en} your own account)")
    if user.is_owner:
        raise Conflict(f"服务商 / 物业的登录主账号不能{verb} (owner login accounts cannot be {verb_en}d)")


def set_user_enabled(user: User, enabled: bool, actor: User) -> User:
    """启用 / 禁用; a disabled user cannot sign in and its sessions end at once."""
    if not enabled:
        _ensure_not_protected(user, actor, "禁用", "disable")
        user.session_version += 1
    user.enabled = enabled
    record("user.enable" if enabled else "user.disable", target=user)
    db.session.commit()
    return user


def delete_user(user: User, actor: User) -> None:
    """删除 the account (its tokens, roles and station bindings go with it)."""
    _ensure_not_protected(user, actor, "删除", "delete")
    record("user.delete", target=user, phone=user.phone)
    db.session.delete(user)
    db.session.commit()


def reset_password(user: User, password: str | None = None) -> str:
    """重置密码: set ``password`` or a generated one; return it (shown once)."""
    password = password or generate_password()
    set_password(user, password)
    record("user.reset_password", target=user)
    db.session.commit()
    return password


def bound_stations(user: User) -> dict[str, list[int]]:
    """The station ids bound to ``user``, by kind."""
    rows = db.session.execute(sa.select(UserStation.kind, UserStation.station_id).where(UserStation.user_id == user.id))
    out: dict[str, list[int]] = {"car_station_ids": [], "bike_station_ids": []}
    for kind, station_id in rows:
        out[f"{kind.value}_station_ids"].append(station_id)
    return {k: sorted(v) for k, v in out.items()}


def bind_stations(user: User, car_ids: Iterable[int], bike_ids: Iterable[int]) -> dict[str, list[int]]:
    """绑定电站: replace the user's bound stations; each must be visible and of the user's tenant."""
    if user.user_type is UserType.SYSTEM:
        raise ValidationFailed("平台用户不绑定电站 (platform users are not bound to stations)", "car_station_ids")
    wanted = []
    for kind, model, ids, field in ((StationKind.CAR, CarStation, car_ids, "car_station_ids"),
                                    (StationKind.BIKE, BikeStation, bike_ids, "bike_station_ids")):
        for station_id in dict.fromkeys(ids or ()):
            station = get_or_404(model, station_id)
            if station.provider_id != user.provider_id or (user.property_id and station.property_id != user.property_id):
                raise ValidationFailed(f"电站「{station.name}」不属于该用户的服务商 / 物业 (station of another owner)", field)
            wanted.append(UserStation(user_id=user.id, kind=kind, station_id=station.id))
    db.session.execute(sa.delete(UserStation).where(UserStation.user_id == user.id))
    db.session.add_all(wanted)
    record("user.bind_stations", target=user, car=len([w for w in wanted if w.kind is StationKind.CAR]),
           bike=len([w for w in wanted if w.kind is StationKind.BIKE]))
    db.session.commit()
    return bound_stations(user)
