"""Schemas of sign-in, the current user and password changes."""
from __future__ import annotations

import marshmallow as ma

from chargehub.tenancy.models import UserType
from chargehub.tenancy.passwords import MIN_LENGTH

PHONE = ma.validate.Regexp(r"^1\d{10}$", error="请输入 11 位手机号 (an 11-digit mobile number)")


class SignInSchema(ma.Schema):
    phone = ma.fields.String(required=True, validate=ma.validate.Length(min=5, max=20), metadata={"description": "登录手机号"})
    password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(min=1, max=256))
    remember = ma.fields.Boolean(load_default=False, metadata={"description": "记住我"})


class TokenRequestSchema(SignInSchema):
    name = ma.fields.String(load_default="api", validate=ma.validate.Length(min=1, max=80), metadata={"description": "令牌名称"})


class MenuSchema(ma.Schema):
    code = ma.fields.String()
    label = ma.fields.String()
    label_en = ma.fields.String()
    children = ma.fields.List(ma.fields.Nested(lambda: MenuSchema()))


class SignedInUserSchema(ma.Schema):
    id = ma.fields.Integer()
    phone = ma.fields.String()
    name = ma.fields.String()
    user_type = ma.fields.Enum(UserType, by_value=True, dump_only=True)
    provider_id = ma.fields.Integer(allow_none=True)
    property_id = ma.fields.Integer(allow_none=True)
    collective_id = ma.fields.Integer(allow_none=True)


class MeSchema(SignedInUserSchema):
    permissions = ma.fields.List(ma.fields.String())
    menus = ma.fields.List(ma.fields.Nested(MenuSchema))


class TokenResponseSchema(ma.Schema):
    token = ma.fields.String(metadata={"description": "只显示一次 (shown once)"})
    user = ma.fields.Nested(SignedInUserSchema)


class PasswordChangeSchema(ma.Schema):
    old_password = ma.fields.String(required=True, load_only=True, metadata={"label": "原密码"})
    new_password = ma.fields.String(required=True, load_only=True,
                                    validate=ma.validate.Length(min=MIN_LENGTH, max=128,
                                                                error=f"密码至少 {MIN_LENGTH} 位 (at least {MIN_LENGTH} characters)"),
                                    metadata={"label": "新密码"})
