"""Schemas of departments (部门) and posts (岗位).

Payload schemas check types only; the rules (required name, phone and email formats, order range,
unique names, linkable parents) live in :mod:`chargehub.tenancy.services.org`, shared with the admin
pages.
"""
from __future__ import annotations

import marshmallow as ma

from chargehub.api.listing import PageArgs, page_schema


class _Payload(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    name = ma.fields.String(metadata={"description": "名称 (新增时必填，≤ 50 个字符，同级唯一)"})
    order_num = ma.fields.Integer(metadata={"description": "显示排序 (0–9999)"})
    enabled = ma.fields.Boolean(metadata={"description": "状态: true 启用 / false 禁用"})


class DepartmentPayload(_Payload):
    """部门 fields; ``parent_id`` is required when adding, optional (a move) when changing."""

    parent_id = ma.fields.Integer(metadata={"description": "上级部门 (新增时必填；修改时填写即移动部门)"})
    leader = ma.fields.String(metadata={"description": "负责人"})
    phone = ma.fields.String(metadata={"description": "联系电话: 11 位手机号或固定电话"})
    email = ma.fields.String(metadata={"description": "邮箱"})


class PostPayload(_Payload):
    """岗位 fields; ``department_id`` is required when adding, optional (a move) when changing."""

    department_id = ma.fields.Integer(metadata={"description": "所属部门 (新增时必填；修改时填写即更换部门)"})


class _Audited(ma.Schema):
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    created_by = ma.fields.Integer(allow_none=True)
    updated_by = ma.fields.Integer(allow_none=True)


class DepartmentSchema(_Audited):
    """A department with its sub-departments (``children``, ordered by order_num then id)."""

    id = ma.fields.Integer()
    provider_id = ma.fields.Integer()
    property_id = ma.fields.Integer(allow_none=True)
    parent_id = ma.fields.Integer(allow_none=True)
    name = ma.fields.String()
    order_num = ma.fields.Integer()
    leader = ma.fields.String()
    phone = ma.fields.String()
    email = ma.fields.String()
    enabled = ma.fields.Boolean()
    children = ma.fields.List(ma.fields.Nested(lambda: DepartmentSchema()))


class DepartmentTreeSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(DepartmentSchema))


class DepartmentTreeArgs(ma.Schema):
    """部门管理 search fields."""

    class Meta:
        unknown = ma.EXCLUDE

    provider_id = ma.fields.Integer(load_default=None, metadata={"description": "服务商"})
    property_id = ma.fields.Integer(load_default=None, metadata={"description": "物业"})
    name = ma.fields.String(load_default=None, metadata={"description": "部门名称 (包含)"})
    enabled = ma.fields.Boolean(load_default=None, metadata={"description": "部门状态"})


class PostSchema(_Audited):
    id = ma.fields.Integer()
    provider_id = ma.fields.Integer()
    property_id = ma.fields.Integer(allow_none=True)
    department_id = ma.fields.Integer()
    department_name = ma.fields.String()
    name = ma.fields.String()
    order_num = ma.fields.Integer()
    enabled = ma.fields.Boolean()


PostPageSchema = page_schema(PostSchema, "PostPage")


class PostListArgs(PageArgs):
    """岗位管理 search fields; sort by ``order_num`` (default), ``name`` or ``created_at``."""

    department_id = ma.fields.Integer(load_default=None, metadata={"description": "部门"})
    name = ma.fields.String(load_default=None, metadata={"description": "岗位名称 (包含)"})
    enabled = ma.fields.Boolean(load_default=None, metadata={"description": "岗位状态"})
