"""Settings of the Leshua plugin: tenant settings (``LeshuaSettings``) and the station's 支付配置
(``LeshuaStationSettings``). The provider receives both merged (station over tenant)."""
from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

DEFAULT_BASE_URL = "https://paygate.leshuazf.com"
DEFAULT_GATEWAY_PATH = "/cgi-bin/lepos_pay_gateway.cgi"
DEFAULT_SPLIT_BASE_URL = "https://saas-mch.leshuazf.com"
#: Share-merchant (分账) paths: from the one public path list (specs §2.5); our assumption until
#: Leshua's documentation is obtained.
DEFAULT_SPLIT_PATHS = {
    "split_apply_path": "/api/share-merchant/multi-apply",
    "split_query_path": "/api/share-merchant/multi-query",
    "split_cancel_path": "/api/share-merchant/cancel",
    "split_cancel_query_path": "/api/share-merchant/multi-query",
    "split_bind_path": "/api/share-merchant/bind",
}
PATH_RE = r"^/[\x21-\x7e]*$"


def _path(default: str, label: str) -> fields.String:
    return fields.String(load_default=default, validate=validate.Regexp(
        PATH_RE, error=f"{label}须以 / 开头 ({label} must start with /)"), metadata={"label": label})


class LeshuaSettings(Schema):
    """Tenant settings: where the gateway is and how the ambiguous signing rule is read."""

    base_url = fields.Url(load_default=DEFAULT_BASE_URL, require_tld=False, schemes={"http", "https"},
                          error_messages={"invalid": "网关地址无效 (base_url must be an http(s) URL)"},
                          metadata={"label": "支付网关地址", "help": "测试环境 https://t-paygate.lepass.cn"})
    gateway_path = _path(DEFAULT_GATEWAY_PATH, "gateway_path")
    split_base_url = fields.Url(load_default=DEFAULT_SPLIT_BASE_URL, require_tld=False, schemes={"http", "https"},
                                error_messages={"invalid": "分账接口地址无效 (split_base_url must be an http(s) URL)"},
                                metadata={"label": "分账接口地址"})
    split_apply_path = _path(DEFAULT_SPLIT_PATHS["split_apply_path"], "split_apply_path")
    split_query_path = _path(DEFAULT_SPLIT_PATHS["split_query_path"], "split_query_path")
    split_cancel_path = _path(DEFAULT_SPLIT_PATHS["split_cancel_path"], "split_cancel_path")
    split_cancel_query_path = _path(DEFAULT_SPLIT_PATHS["split_cancel_query_path"], "split_cancel_query_path")
    split_bind_path = _path(DEFAULT_SPLIT_PATHS["split_bind_path"], "split_bind_path")
    timeout_s = fields.Float(load_default=10.0, validate=validate.Range(
        min=0.1, max=120, error="超时须在 0.1 到 120 秒之间 (timeout_s must be between 0.1 and 120)"),
        metadata={"label": "超时（秒）"})
    sign_empty_values = fields.Boolean(load_default=False, metadata={
        "label": "空值参与签名", "help": "Whether empty values take part in the MD5 signature (to be confirmed with Leshua)"})


class SplitAccountSchema(Schema):
    """One split receiver (分账账号) and its ratio (分账比例)."""

    account = fields.String(metadata={"label": "分账账号 (receiver account)"}, required=True, validate=validate.Length(
        min=1, max=64, error="分账账号须为1到64个字符 (account must be 1-64 characters)"),
        error_messages={"required": "请填写分账账号 (account is required)"})
    name = fields.String(metadata={"label": "分账方名称 (name)"}, required=True, validate=validate.Length(
        min=1, max=100, error="分账方名称须为1到100个字符 (name must be 1-100 characters)"),
        error_messages={"required": "请填写分账方名称 (name is required)"})
    ratio = fields.Decimal(metadata={"label": "分账比例 (ratio)"}, required=True, as_string=True, error_messages={
        "required": "请填写分账比例 (ratio is required)", "invalid": "分账比例须为小数 (ratio must be a decimal)"})

    @validates_schema
    def _ratio(self, data, **kwargs):
        ratio = data.get("ratio")
        if ratio is None:
            return
        if not ratio.is_finite() or not Decimal(0) < ratio <= Decimal(1):
            raise ValidationError("分账比例须大于0且不大于1 (ratio must be > 0 and <= 1)", "ratio")
        if ratio.as_tuple().exponent < -4:
            raise ValidationError("分账比例最多4位小数 (ratio has at most 4 decimal places)", "ratio")


class LeshuaStationSettings(Schema):
    """The station's 支付配置: the Leshua merchant, its two keys and the split accounts."""

    merchant_id = fields.String(required=True, validate=validate.Regexp(
        r"^\d{10}$", error="乐刷商户号须为10位数字 (merchant_id must be 10 digits)"),
        error_messages={"required": "请填写乐刷商户号 (merchant_id is required)"}, metadata={"label": "乐刷商户号"})
    trade_key = fields.String(required=True, load_only=True, validate=validate.Length(
        min=1, max=128, error="交易密钥长度无效 (trade_key must be 1-128 characters)"),
        error_messages={"required": "请填写交易密钥 (trade_key is required)"}, metadata={"label": "交易密钥"})
    notify_key = fields.String(required=True, load_only=True, validate=validate.Length(
        min=1, max=128, error="异步通知密钥长度无效 (notify_key must be 1-128 characters)"),
        error_messages={"required": "请填写异步通知密钥 (notify_key is required)"}, metadata={"label": "异步通知密钥"})
    appid = fields.String(load_default="", validate=validate.Regexp(
        r"^([A-Za-z0-9_-]{1,32})?$", error="小程序appid无效 (appid must be at most 32 letters/digits)"),
        metadata={"label": "小程序appid", "help": "留空则使用进件时配置的appid"})
    split_enabled = fields.Boolean(load_default=False, metadata={"label": "开启分账"})
    split_accounts = fields.List(fields.Nested(SplitAccountSchema), load_default=list,
                                 metadata={"label": "分账账号和分账比例"})

    @validates_schema
    def _split(self, data, **kwargs):
        accounts = data.get("split_accounts") or []
        if data.get("split_enabled") and not accounts:
            raise ValidationError("开启分账须配置分账账号 (split_accounts are required when split_enabled)",
                                  "split_accounts")
        names = [a["account"] for a in accounts]
        if len(set(names)) != len(names):
            raise ValidationError("分账账号不能重复 (split accounts must be distinct)", "split_accounts")
        if sum((a["ratio"] for a in accounts), Decimal(0)) > 1:
            raise ValidationError("分账比例之和不能大于1 (the ratios must sum to at most 1)", "split_accounts")
