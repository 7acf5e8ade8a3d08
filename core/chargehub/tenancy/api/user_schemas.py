"""Schemas of the user and role API."""
from __future__ import annotations

import marshmallow as ma

from chargehub.api.audit_fields import AuditFieldsSchema
from chargehub.api.listing import CreatedRangeArgs, page_schema
from chargehub.tenancy.api.auth_schemas import PHONE
from chargehub.tenancy.api.tenant_schemas import optional_email
from chargehub.tenancy.models import AuthScope, UserType
from chargehub.tenancy.passwords import MIN_LENGTH

USER_TYPES = ma.validate.OneOf([t.value for t in UserType], error="用户类型无效 (unknown user type)")
AUTH_SCOPES = ma.validate.OneOf([s.value for s in AuthScope], error="授权类型无效 (unknown authorization type)")
PASSWORD = ma.validate.Length(min=MIN_LENGTH, max=128, error=f"密码至少 {MIN_LENGTH} 位 (at least {MIN_LENGTH} characters)")
IDS = ma.fields.List(ma.fields.Integer(), load_default=list)


class OwnerArgs(CreatedRangeArgs):
    provider_id = ma.fields.Integer(load_default=None, metadata={"label": "服务商"})
    property_id = ma.fields.Integer(load_default=None, metadata={"label": "物业"})
    collective_id = ma.fields.Integer(load_default=None, metadata={"label": "集体户"})
    enabled = ma.fields.Boolean(load_default=None, metadata={"label": "状态"})
    user_type = ma.fields.String(load_default=None, validate=USER_TYPES, metadata={"label": "用户类型"})


class UserArgs(OwnerArgs):
    phone = ma.fields.String(load_default=None, metadata={"label": "登录账号"})
    name = ma.fields.String(load_default=None, metadata={"label": "用户名称"})
    auth_scope = ma.fields.String(load_default=None, validate=AUTH_SCOPES, metadata={"label": "授权类型"})


class RoleRefSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class UserSchema(AuditFieldsSchema):
    id = ma.fields.Integer(dump_only=True)
    user_type = ma.fields.Enum(UserType, by_value=True, required=True, metadata={"label": "用户类型"})
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=50), metadata={"label": "用户名称"})
    phone = ma.fields.String(required=True, validate=PHONE, metadata={"label": "手机号码（登录账号）"})
    email = ma.fields.String(load_default="", validate=optional_email, metadata={"label": "邮箱"})
    password = ma.fields.String(required=True, load_only=True, validate=PASSWORD, metadata={"label": "登录密码"})
    provider_id = ma.fields.Integer(load_default=None, allow_none=True, metadata={"label": "服务商"})
    property_id = ma.fields.Integer(load_default=None, allow_none=True, metadata={"label": "物业"})
    collective_id = ma.fields.Integer(load_default=None, allow_none=True, metadata={"label": "集体户"})
    department_id = ma.fields.Integer(load_default=None, allow_none=True, metadata={"label": "归属部门"})
    post_id = ma.fields.Integer(load_default=None, allow_none=True, metadata={"label": "岗位"})
    role_ids = ma.fields.List(ma.fields.Integer(), load_default=list, load_only=True, metadata={"label": "角色"})
    auth_scope = ma.fields.Enum(AuthScope, by_value=True, load_default=AuthScope.ALL, metadata={"label": "授权类型"})
    roles = ma.fields.List(ma.fields.Nested(RoleRefSchema), dump_only=True)
    enabled = ma.fields.Boolean(dump_only=True)
    is_owner = ma.fields.Boolean(dump_only=True, metadata={"description": "服务商 / 物业的登录主账号"})
    last_login_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    provider_name = ma.fields.String(dump_only=True, allow_none=True)
    property_name = ma.fields.String(dump_only=True, allow_none=True)
    collective_name = ma.fields.String(dump_only=True, allow_none=True)
    department_name = ma.fields.String(dump_only=True, allow_none=True)
    post_name = ma.fields.String(dump_only=True, allow_none=True)


class UserUpdateSchema(ma.Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=50))
    email = ma.fields.String(validate=optional_email)
    department_id = ma.fields.Integer(allow_none=True)
    post_id = ma.fields.Integer(allow_none=True)
    role_ids = ma.fields.List(ma.fields.Integer())
    auth_scope = ma.fields.String(validate=AUTH_SCOPES)
    password = ma.fields.String(load_only=True, validate=PASSWORD, metadata={"description": "留空则不修改"})


class StationsSchema(ma.Schema):
    car_station_ids = ma.fields.List(ma.fields.Integer(), load_default=list, metadata={"label": "汽车电站"})
    bike_station_ids = ma.fields.List(ma.fields.Integer(), load_default=list, metadata={"label": "单车电站"})


class ResetPasswordSchema(ma.Schema):
    password = ma.fields.String(load_default=None, allow_none=True, validate=PASSWORD,
                                metadata={"description": "留空则生成随机密码"})


class PasswordResultSchema(ma.Schema):
    password = ma.fields.String(metadata={"description": "新密码，只显示一次"})


class RoleArgs(OwnerArgs):
    name = ma.fields.String(load_default=None, metadata={"label": "角色名称"})


class RoleSchema(AuditFieldsSchema):
    id = ma.fields.Integer(dump_only=True)
    user_type = ma.fields.Enum(UserType, by_value=True, required=True, metadata={"label": "授权类型"})
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=50), metadata={"label": "角色名称"})
    permissions = ma.fields.List(ma.fields.String(), load_default=list, metadata={"label": "菜单权限"})
    remark = ma.fields.String(load_default="", validate=ma.validate.Length(max=200), metadata={"label": "备注"})
    provider_id = ma.fields.Integer(load_default=None, allow_none=True)
    property_id = ma.fields.Integer(load_default=None, allow_none=True)
    collective_id = ma.fields.Integer(load_default=None, allow_none=True)
    enabled = ma.fields.Boolean(dump_only=True)
    user_count = ma.fields.Function(lambda r: len(r.users), dump_only=True)
    provider_name = ma.fields.String(dump_only=True, allow_none=True)
    property_name = ma.fields.String(dump_only=True, allow_none=True)
    collective_name = ma.fields.String(dump_only=True, allow_none=True)


class RoleUpdateSchema(ma.Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=50))
    permissions = ma.fields.List(ma.fields.String())
    remark = ma.fields.String(validate=ma.validate.Length(max=200))


class UserIdsSchema(ma.Schema):
    user_ids = ma.fields.List(ma.fields.Integer(), required=True, validate=ma.validate.Length(min=1))


UserPage = page_schema(UserSchema, "UserPage")
RolePage = page_schema(RoleSchema, "RolePage")
