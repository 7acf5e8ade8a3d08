"""Schemas of station configuration (发票配置, 支付配置), shared by car and e-bike stations.

Field rules live in :mod:`chargehub.assets.services.stations_config`; these schemas declare the shape
(for the OpenAPI document and type conversion) and let the service answer with every field's message.
"""
from __future__ import annotations

import marshmallow as ma

from chargehub.api.audit_fields import AuditFieldsSchema


class _RateField(ma.fields.Field):
    """A rate kept as it was typed (string or number) so the service checks its decimals; dumped as string."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ma.ValidationError("须为数字，如 0.13 (a number such as 0.13)")
        return str(value)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)


class InvoiceConfigSchema(AuditFieldsSchema):
    """发票配置 of one station: every field is required to save."""

    class Meta:
        unknown = ma.EXCLUDE

    station_id = ma.fields.Integer(dump_only=True)
    merchant_no = ma.fields.String(load_default="", metadata={"label": "商户号"})
    seller_address = ma.fields.String(load_default="", metadata={"label": "售方地址"})
    bank_account = ma.fields.String(load_default="", metadata={"label": "银行账号"})
    bank_name = ma.fields.String(load_default="", metadata={"label": "银行名称"})
    drawer = ma.fields.String(load_default="", metadata={"label": "开票人"})
    company_name = ma.fields.String(load_default="", metadata={"label": "公司名称"})
    payee = ma.fields.String(load_default="", metadata={"label": "收款人"})
    reviewer = ma.fields.String(load_default="", metadata={"label": "复核人"})
    taxpayer_id = ma.fields.String(load_default="", metadata={"label": "纳税人识别号", "description": "15–20 位字母或数字"})
    electricity_rate_code = ma.fields.String(load_default="", metadata={"label": "电费费率编码"})
    service_rate_code = ma.fields.String(load_default="", metadata={"label": "服务费率编码"})
    phone = ma.fields.String(load_default="", metadata={"label": "电话"})
    electricity_rate = _RateField(load_default=None, metadata={"label": "电费费率", "description": "0–1，2–4 位小数"})
    service_rate = _RateField(load_default=None, metadata={"label": "服务费率", "description": "0–1，2–4 位小数"})


class InvoiceConfigResultSchema(ma.Schema):
    """``configured`` is false (and ``config`` null) until the station has invoice data."""

    configured = ma.fields.Boolean()
    config = ma.fields.Nested(InvoiceConfigSchema, allow_none=True)


class PaymentSettingsSchema(ma.Schema):
    """``PUT …/payment-config/<plugin>``: switch on/off and/or set the station settings."""

    enabled = ma.fields.Boolean(load_default=None, allow_none=True, metadata={"label": "启用"})
    settings = ma.fields.Dict(load_default=None, allow_none=True,
                              metadata={"description": "插件的电站设置；省略的密钥保持不变，null 清除"})


class PaymentConfigSchema(ma.Schema):
    """One payment plugin of a station; secrets are only ever ``set`` / ``unset``."""

    plugin = ma.fields.String()
    verbose_name = ma.fields.String()
    enabled = ma.fields.Boolean()
    settings = ma.fields.Dict()
    secrets = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    settings_form = ma.fields.List(ma.fields.Dict())


class StationHistorySchema(ma.Schema):
    """One entry of a station's 审核 / 修改 history (from the audit log)."""

    at = ma.fields.DateTime()
    action = ma.fields.String(metadata={"description": "audit-log action code"})
    action_label = ma.fields.String(metadata={"description": "操作 (创建 / 修改 / 审核 / 启用 / 禁用 / 发票配置 / 支付配置)"})
    actor_name = ma.fields.String(allow_none=True)
    success = ma.fields.Boolean()
    detail = ma.fields.Dict()
