"""Request and response schemas of the tenancy API."""
from __future__ import annotations

import marshmallow as ma


class TokenRequestSchema(ma.Schema):
    phone = ma.fields.String(required=True, validate=ma.validate.Length(min=5, max=20),
                             metadata={"description": "登录手机号"})
    password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(min=1, max=256))
    name = ma.fields.String(load_default="api", validate=ma.validate.Length(min=1, max=80),
                            metadata={"description": "令牌名称"})


class UserSchema(ma.Schema):
    id = ma.fields.Integer()
    phone = ma.fields.String()
    name = ma.fields.String()
    user_type = ma.fields.Function(lambda u: u.user_type.value)
    provider_id = ma.fields.Integer(allow_none=True)


class TokenResponseSchema(ma.Schema):
    token = ma.fields.String(metadata={"description": "只显示一次 (shown once)"})
    user = ma.fields.Nested(UserSchema)
