"""Schemas of the service-provider and property API."""
from __future__ import annotations

import marshmallow as ma

from chargehub.api.audit_fields import AuditFieldsSchema
from chargehub.api.listing import PageArgs, page_schema
from chargehub.tenancy.api.auth_schemas import PHONE
from chargehub.tenancy.models import AuditState, MerchantType

EMAIL = ma.validate.Email(error="邮箱格式不正确 (not an email address)")


def optional_email(value: str) -> None:
    """Empty, or a valid email address."""
    if value:
        EMAIL(value)


NAME = ma.validate.Length(min=1, max=100, error="名称须为 1–100 个字符 (1–100 characters)")


def _enum_values(enum_cls):
    return ma.validate.OneOf([m.value for m in enum_cls])


class ProviderArgs(PageArgs):
    name = ma.fields.String(load_default=None, metadata={"label": "服务商名称"})
    phone = ma.fields.String(load_default=None, metadata={"label": "手机号"})
    merchant_type = ma.fields.String(load_default=None, validate=_enum_values(MerchantType), metadata={"label": "商户类型"})
    enabled = ma.fields.Boolean(load_default=None, metadata={"label": "状态"})
    audit_state = ma.fields.String(load_default=None, validate=_enum_values(AuditState), metadata={"label": "审核状态"})


class ProviderSchema(AuditFieldsSchema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=NAME, metadata={"label": "服务商名称"})
    contact = ma.fields.String(load_default="", validate=ma.validate.Length(max=50), metadata={"label": "联系人"})
    phone = ma.fields.String(required=True, validate=PHONE, metadata={"label": "手机号码（登录账号）"})
    email = ma.fields.String(load_default="", validate=optional_email,
                             metadata={"label": "邮箱"})
    merchant_type = ma.fields.Enum(MerchantType, by_value=True, load_default=MerchantType.PROVIDER,
                                   metadata={"label": "商户类型"})
    parent_id = ma.fields.Integer(load_default=None, allow_none=True, metadata={"label": "所属服务商"})
    enabled = ma.fields.Boolean(dump_only=True)
    audit_state = ma.fields.Enum(AuditState, by_value=True, dump_only=True)
    audit_remark = ma.fields.String(dump_only=True)
    audited_at = ma.fields.DateTime(dump_only=True, allow_none=True)


class ProviderUpdateSchema(ma.Schema):
    name = ma.fields.String(validate=NAME)
    contact = ma.fields.String(validate=ma.validate.Length(max=50))
    email = ma.fields.String(validate=optional_email)


class AuditSchema(ma.Schema):
    approved = ma.fields.Boolean(required=True, metadata={"label": "审核结果"})
    remark = ma.fields.String(load_default="", validate=ma.validate.Length(max=500), metadata={"label": "审核意见"})


class AuditResultSchema(ma.Schema):
    provider = ma.fields.Nested(ProviderSchema)
    initial_password = ma.fields.String(allow_none=True, metadata={"description": "登录账号的初始密码，只显示一次"})


class PropertyArgs(PageArgs):
    provider_id = ma.fields.Integer(load_default=None, metadata={"label": "服务商"})
    name = ma.fields.String(load_default=None, metadata={"label": "物业名称"})
    phone = ma.fields.String(load_default=None, metadata={"label": "手机号"})
    enabled = ma.fields.Boolean(load_default=None, metadata={"label": "物业状态"})


class PropertySchema(AuditFieldsSchema):
    id = ma.fields.Integer(dump_only=True)
    provider_id = ma.fields.Integer(load_default=None, metadata={"label": "所属服务商"})
    provider_name = ma.fields.String(dump_only=True)
    name = ma.fields.String(required=True, validate=NAME, metadata={"label": "物业名称"})
    contact = ma.fields.String(load_default="", validate=ma.validate.Length(max=50), metadata={"label": "联系人"})
    phone = ma.fields.String(required=True, validate=PHONE, metadata={"label": "联系电话（登录账号）"})
    email = ma.fields.String(load_default="", validate=optional_email, metadata={"label": "邮箱"})
    province = ma.fields.String(load_default="", validate=ma.validate.Length(max=50), metadata={"label": "省份"})
    city = ma.fields.String(load_default="", validate=ma.validate.Length(max=50), metadata={"label": "城市"})
    address = ma.fields.String(load_default="", validate=ma.validate.Length(max=200), metadata={"label": "地址"})
    enabled = ma.fields.Boolean(dump_only=True)


class PropertyUpdateSchema(ma.Schema):
    name = ma.fields.String(validate=NAME)
    contact = ma.fields.String(validate=ma.validate.Length(max=50))
    email = ma.fields.String(validate=optional_email)
    province = ma.fields.String(validate=ma.validate.Length(max=50))
    city = ma.fields.String(validate=ma.validate.Length(max=50))
    address = ma.fields.String(validate=ma.validate.Length(max=200))


class PropertyCreatedSchema(ma.Schema):
    property = ma.fields.Nested(PropertySchema)
    initial_password = ma.fields.String(metadata={"description": "物业登录账号的初始密码，只显示一次"})


ProviderPage = page_schema(ProviderSchema, "ProviderPage")
PropertyPage = page_schema(PropertySchema, "PropertyPage")
