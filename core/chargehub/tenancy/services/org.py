"""Departments (部门管理, manual 3.7.5) and posts (岗位管理, manual 3.7.6).

A department tree belongs to one service provider or one property; its top department is created
with its owner (:func:`create_top_department`) and every other department is added under a visible,
linkable parent, inheriting the parent's provider and property. A post belongs to one department and
inherits its provider and property the same way. Deleting is soft (``deleted_at``): a deleted
department or post is never listed and can no longer be linked.

Every read goes through the scope helper; the create/update/delete functions commit (the admin
pages and the API call them alike), except :func:`create_top_department`, whose caller commits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

import marshmallow as ma
import sqlalchemy as sa

from chargehub.api.listing import contains, equals, paginate
from chargehub.db import utcnow
from chargehub.errors import Conflict, ValidationFailed
from chargehub.extensions import db
from chargehub.tenancy.audit_log import record
from chargehub.tenancy.models import Property, ServiceProvider, User
from chargehub.tenancy.org_models import Department, Post
from chargehub.tenancy.scope import get_or_404, scoped
from chargehub.tenancy.services.guards import ensure_property_accepts_children, ensure_provider_accepts_children

MOBILE = re.compile(r"^1\d{10}$")
LANDLINE = re.compile(r"^(0\d{2,3}-?\d{7,8}(-\d{1,6})?|[48]00-?\d{3}-?\d{4})$")
NAME_MAX = 50
ORDER_MAX = 9999
DEPARTMENT_FIELDS = ("name", "order_num", "leader", "phone", "email", "enabled")
POST_FIELDS = ("name", "order_num", "enabled")
POST_SORTABLE = {"order_num": Post.order_num, "name": Post.name, "created_at": Post.created_at}


# ------------------------------------------------------------------------------------------ validation

def _clean_fields(data: Mapping[str, Any], *, creating: bool, label: str) -> dict[str, Any]:
    """Check the plain fields of a department or post payload; return them stripped."""
    values = {k: data[k] for k in DEPARTMENT_FIELDS if k in data and data[k] is not None}
    for key in ("name", "leader", "phone", "email"):
        if key in values:
            values[key] = str(values[key]).strip()
    if creating or "name" in values:
        name = values.get("name", "")
        if not name:
            raise ValidationFailed(f"{label}名称不能为空 (name is required)", "name")
        if len(name) > NAME_MAX:
            raise ValidationFailed(f"{label}名称不能超过 {NAME_MAX} 个字符 (name is too long)", "name")
    if "order_num" in values:
        try:
            values["order_num"] = int(values["order_num"])
        except (TypeError, ValueError):
            values["order_num"] = -1
        if not 0 <= values["order_num"] <= ORDER_MAX:
            raise ValidationFailed(f"显示排序须为 0–{ORDER_MAX} 的整数 (order must be 0..{ORDER_MAX})", "order_num")
    if len(values.get("leader", "")) > NAME_MAX:
        raise ValidationFailed(f"负责人不能超过 {NAME_MAX} 个字符 (leader is too long)", "leader")
    phone = values.get("phone", "")
    if phone and not (MOBILE.match(phone) or LANDLINE.match(phone)):
        raise ValidationFailed("联系电话须为 11 位手机号或固定电话 (a mobile or landline number)", "phone")
    email = values.get("email", "")
    if email:
        try:
            ma.validate.Email()(email)
        except ma.ValidationError:
            raise ValidationFailed("邮箱格式不正确 (invalid email address)", "email") from None
        if len(email) > 120:
            raise ValidationFailed("邮箱不能超过 120 个字符 (email is too long)", "email")
    return values


def _ensure_owner_accepts_children(provider_id: int, property_id: int | None, field_name: str) -> None:
    ensure_provider_accepts_children(db.session.get(ServiceProvider, provider_id), field_name)
    if property_id is not None:
        ensure_property_accepts_children(db.session.get(Property, property_id), field_name)


def _linkable_department(department_id: Any, field_name: str, what: str) -> Department:
    """The visible, enabled, not deleted department ``department_id``.

    A department outside the caller's scope answers 404 like every foreign id; a deleted or
    disabled one of its own is a 422 on ``field_name``.
    """
    if department_id in (None, ""):
        raise ValidationFailed(f"请选择{what} ({field_name} is required)", field_name)
    try:
        ident = int(department_id)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{what}不存在或已删除 (department not found)", field_name) from None
    dept = get_or_404(Department, ident)
    if dept.deleted_at is not None:
        raise ValidationFailed(f"{what}不存在或已删除 (department not found)", field_name)
    if not dept.enabled:
        raise ValidationFailed(f"{what}「{dept.name}」已禁用，不能关联 (the department is disabled)", field_name)
    return dept


def _ensure_unique(model, parent_column, parent_id: int | None, name: str, exclude_id: int | None,
                   message: str) -> None:
    stmt = sa.select(model.id).where(parent_column == parent_id, model.name == name, model.deleted_at.is_(None))
    if exclude_id is not None:
        stmt = stmt.where(model.id != exclude_id)
    if db.session.execute(scoped(stmt, model)).first():
        raise ValidationFailed(message, "name")


def _count(model, *conditions) -> int:
    return db.session.execute(scoped(sa.select(sa.func.count(model.id)).where(*conditions), model)).scalar_one()


def _users_linked(column, ident: int) -> int:
    """How many users hold the department or post.

    Deliberately not scoped: a link blocks deletion even when the caller cannot see that user.
    """
    return db.session.execute(sa.select(sa.func.count(User.id)).where(column == ident)).scalar_one()


def _apply(row, values: Mapping[str, Any]) -> list[str]:
    changed = [k for k, v in values.items() if getattr(row, k) != v]
    for key in changed:
        setattr(row, key, values[key])
    return changed


# ----------------------------------------------------------------------------------------- departments

def create_top_department(provider: ServiceProvider, prop: Property | None = None) -> Department:
    """Create the top (一级) department of an approved ``provider`` or of its new property ``prop``.

    Named after its owner, no parent, path ``/<id>/``. Flushes to get the id; the caller commits.
    Idempotent: an existing top department of that owner is returned as it is.
    """
    owner = prop if prop is not None else provider
    if provider.id is None or (prop is not None and prop.id is None):
        db.session.flush()
    # Not scoped on purpose: called by the approval/creation services, also outside a request.
    existing = db.session.execute(sa.select(Department).where(
        Department.provider_id == provider.id, Department.parent_id.is_(None), Department.deleted_at.is_(None),
        Department.property_id == prop.id if prop is not None else Department.property_id.is_(None))).scalars().first()
    if existing is not None:
        return existing
    dept = Department(provider_id=provider.id, property_id=prop.id if prop is not None else None,
                      parent_id=None, name=owner.name[:NAME_MAX], path="", order_num=0, enabled=True)
    db.session.add(dept)
    db.session.flush()
    dept.path = f"/{dept.id}/"
    return dept


def create_department(data: Mapping[str, Any]) -> Department:
    """Add a department under ``data["parent_id"]`` (visible and linkable); it inherits the owner.

    :raises ValidationFailed: bad fields, a missing/hidden/disabled/deleted parent, a disabled owner,
        or a name already used by a sibling.
    """
    parent = _linkable_department(data.get("parent_id"), "parent_id", "上级部门")
    values = _clean_fields(data, creating=True, label="部门")
    _ensure_owner_accepts_children(parent.provider_id, parent.property_id, "parent_id")
    _ensure_unique(Department, Department.parent_id, parent.id, values["name"], None,
                   f"同级部门中已有「{values['name']}」 (a sibling department has this name)")
    dept = Department(provider_id=parent.provider_id, property_id=parent.property_id, parent_id=parent.id,
                      path="", **values)
    db.session.add(dept)
    db.session.flush()
    dept.path = f"{parent.path}{dept.id}/"
    record("department.create", target=dept, name=dept.name, parent_id=parent.id)
    db.session.commit()
    return dept


def _move(dept: Department, parent_id: Any) -> None:
    """Put ``dept`` under ``parent_id`` and re-path its whole subtree (validated first)."""
    if dept.parent_id is None:
        raise ValidationFailed("一级部门不能移动 (a top department cannot be moved)", "parent_id")
    parent = _linkable_department(parent_id, "parent_id", "上级部门")
    if parent.path.startswith(dept.path):
        raise ValidationFailed("上级部门不能是自己或下级部门 (cannot move under itself or a descendant)", "parent_id")
    if (parent.provider_id, parent.property_id) != (dept.provider_id, dept.property_id):
        raise ValidationFailed("只能在本服务商或本物业的部门内移动 (a department stays in its own tree)", "parent_id")
    old, new = dept.path, f"{parent.path}{dept.id}/"
    subtree = db.session.execute(scoped(sa.select(Department).where(Department.path.startswith(old, autoescape=True)),
                                        Department)).scalars().all()
    for row in subtree:
        row.path = new + row.path[len(old):]
    dept.parent_id = parent.id


def update_department(dept: Department, data: Mapping[str, Any]) -> Department:
    """Change a department's fields and/or move it under another parent (its subtree follows).

    :raises ValidationFailed: bad fields, a deleted department, a duplicate sibling name, or a move
        under itself, a descendant, another tree, or a parent that cannot be linked.
    """
    if dept.deleted_at is not None:
        raise ValidationFailed("部门已删除 (the department is deleted)", "_schema")
    values = _clean_fields(data, creating=False, label="部门")
    moving = data.get("parent_id") not in (None, dept.parent_id)
    target_parent = data["parent_id"] if moving else dept.parent_id
    if moving or values.get("name", dept.name) != dept.name:
        name = values.get("name", dept.name)
        _ensure_unique(Department, Department.parent_id, target_parent, name, dept.id,
                       f"同级部门中已有「{name}」 (a sibling department has this name)")
    if moving:
        _move(dept, target_parent)
    changed = _apply(dept, values) + (["parent_id"] if moving else [])
    record("department.update", target=dept, fields=changed)
    db.session.commit()
    return dept


def delete_department(dept: Department) -> None:
    """Soft-delete a department.

    :raises Conflict: a top department, or one with sub-departments, posts or users.
    """
    if dept.deleted_at is not None:
        return
    if dept.parent_id is None:
        raise Conflict("一级部门不能删除 (a top department cannot be deleted)")
    children = _count(Department, Department.parent_id == dept.id, Department.deleted_at.is_(None))
    if children:
        raise Conflict(f"请先删除下级部门（{children} 个） (delete its sub-departments first)")
    posts = _count(Post, Post.department_id == dept.id, Post.deleted_at.is_(None))
    if posts:
        raise Conflict(f"请先删除部门下的岗位（{posts} 个） (delete its posts first)")
    users = _users_linked(User.department_id, dept.id)
    if users:
        raise Conflict(f"请先移除部门下的用户（{users} 个） (move its users to another department first)")
    dept.deleted_at = utcnow()
    record("department.delete", target=dept, name=dept.name)
    db.session.commit()


@dataclass
class DepartmentNode:
    """A department in a tree: reads like the department, plus its ``children`` nodes."""

    department: Department
    children: list["DepartmentNode"] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.department, name)


def _build(rows: list[Department]) -> list[DepartmentNode]:
    nodes = {d.id: DepartmentNode(d) for d in sorted(rows, key=lambda d: (d.order_num, d.id))}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.department.parent_id)
        (parent.children if parent is not None else roots).append(node)
    return roots


def department_tree(filters: Mapping[str, Any] | None = None) -> list[DepartmentNode]:
    """The visible, not deleted departments as trees, each level ordered by ``order_num`` then id.

    :param filters: ``provider_id``, ``property_id``, ``name`` (contains), ``enabled``; empty ones
        are ignored. Matches come with their ancestors so every match hangs in its tree.
    """
    filters = filters or {}
    live = scoped(sa.select(Department).where(Department.deleted_at.is_(None)), Department)
    conditions = [c for c in (equals(Department.provider_id, filters.get("provider_id")),
                              equals(Department.property_id, filters.get("property_id")),
                              contains(Department.name, filters.get("name")),
                              equals(Department.enabled, filters.get("enabled"))) if c is not None]
    if not conditions:
        return _build(list(db.session.execute(live).scalars()))
    matches = db.session.execute(live.where(*conditions)).scalars().all()
    wanted = {int(part) for d in matches for part in d.path.strip("/").split("/") if part}
    found = {d.id: d for d in matches}
    missing = wanted - found.keys()
    if missing:
        found.update((d.id, d) for d in db.session.execute(live.where(Department.id.in_(missing))).scalars())
    return _build(list(found.values()))


def department_node(dept: Department) -> DepartmentNode:
    """``dept`` with its visible, not deleted subtree."""
    rows = db.session.execute(scoped(sa.select(Department).where(
        Department.path.startswith(dept.path, autoescape=True), Department.deleted_at.is_(None)),
        Department)).scalars().all()
    nodes = _build([dept, *[r for r in rows if r.id != dept.id]])
    return next(n for n in nodes if n.department.id == dept.id)


# ----------------------------------------------------------------------------------------------- posts

@dataclass
class PostView:
    """A post as listed: reads like the post, plus its department's name."""

    post: Post
    department_name: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.post, name)


def _views(posts: list[Post]) -> list[PostView]:
    ids = {p.department_id for p in posts}
    names = dict(db.session.execute(scoped(sa.select(Department.id, Department.name).where(Department.id.in_(ids)),
                                           Department)).all()) if ids else {}
    return [PostView(p, names.get(p.department_id, "")) for p in posts]


def post_view(post: Post) -> PostView:
    """``post`` with its department's name (what the API answers)."""
    return _views([post])[0]


def create_post(data: Mapping[str, Any]) -> Post:
    """Add a post to ``data["department_id"]`` (visible and linkable); it inherits the owner.

    :raises ValidationFailed: bad fields, a missing/hidden/disabled/deleted department, a disabled
        owner, or a name already used in that department.
    """
    dept = _linkable_department(data.get("department_id"), "department_id", "所属部门")
    values = {k: v for k, v in _clean_fields(data, creating=True, label="岗位").items() if k in POST_FIELDS}
    _ensure_owner_accepts_children(dept.provider_id, dept.property_id, "department_id")
    _ensure_unique(Post, Post.department_id, dept.id, values["name"], None,
                   f"部门中已有岗位「{values['name']}」 (the department has a post with this name)")
    post = Post(provider_id=dept.provider_id, property_id=dept.property_id, department_id=dept.id, **values)
    db.session.add(post)
    db.session.flush()
    record("post.create", target=post, name=post.name, department_id=dept.id)
    db.session.commit()
    return post


def update_post(post: Post, data: Mapping[str, Any]) -> Post:
    """Change a post's name, order and state and/or move it to another department.

    :raises ValidationFailed: bad fields, a deleted post, a duplicate name in the department, a
        department that cannot be linked, or a move while users hold the post.
    """
    if post.deleted_at is not None:
        raise ValidationFailed("岗位已删除 (the post is deleted)", "_schema")
    values = {k: v for k, v in _clean_fields(data, creating=False, label="岗位").items() if k in POST_FIELDS}
    moving = data.get("department_id") not in (None, post.department_id)
    dept = _linkable_department(data["department_id"], "department_id", "所属部门") if moving else None
    if dept is not None:
        _ensure_owner_accepts_children(dept.provider_id, dept.property_id, "department_id")
        if _users_linked(User.post_id, post.id):
            raise ValidationFailed("岗位已关联用户，不能更换部门 (users hold this post; it cannot move)",
                                   "department_id")
    target = dept.id if dept is not None else post.department_id
    if moving or values.get("name", post.name) != post.name:
        name = values.get("name", post.name)
        _ensure_unique(Post, Post.department_id, target, name, post.id,
                       f"部门中已有岗位「{name}」 (the department has a post with this name)")
    changed = _apply(post, values)
    if dept is not None:
        post.department_id, post.provider_id, post.property_id = dept.id, dept.provider_id, dept.property_id
        changed.append("department_id")
    record("post.update", target=post, fields=changed)
    db.session.commit()
    return post


def delete_post(post: Post) -> None:
    """Soft-delete a post.

    :raises Conflict: users still hold the post.
    """
    if post.deleted_at is not None:
        return
    users = _users_linked(User.post_id, post.id)
    if users:
        raise Conflict(f"请先移除该岗位的用户（{users} 个） (users still hold this post)")
    post.deleted_at = utcnow()
    record("post.delete", target=post, name=post.name)
    db.session.commit()


def post_page(args: Mapping[str, Any]) -> dict[str, Any]:
    """One page of visible, not deleted posts (search: ``department_id``, ``name``, ``enabled``).

    Sort keys: ``order_num`` (default), ``name``, ``created_at``; items are :class:`PostView`.
    """
    stmt = scoped(sa.select(Post).where(Post.deleted_at.is_(None)), Post)
    page = paginate(Post, stmt, args, POST_SORTABLE, "order_num", filters=(
        equals(Post.department_id, args.get("department_id")),
        contains(Post.name, args.get("name")),
        equals(Post.enabled, args.get("enabled")),
    ))
    page["items"] = _views(page["items"])
    return page
