"""Settings of the WeChat Pay plugin: the tenant's (where the API is) and the station's 支付配置.

Messages are Chinese with English in parentheses, as operators read them in the admin. Fields declared
``load_only=True`` are secrets (encrypted at rest, never shown again).
"""
from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from chargehub_wechatpay import signing

DEFAULT_BASE_URL = "https://api.mch.weixin.qq.com"
DEFAULT_MAX_SPLIT_RATIO = Decimal("0.30")
RELATION_TYPES = ("STORE", "STAFF", "STORE_OWNER", "PARTNER", "HEADQUARTER", "BRAND", "DISTRIBUTOR", "USER",
                  "SUPPLIER")


def _positive_decimal(places: int, upper: Decimal, label: str):
    def check(value: Decimal) -> None:
        if not value.is_finite() or value <= 0 or value > upper:
            raise ValidationError(f"{label}须大于 0 且不超过 {upper} ({label} must be > 0 and <= {upper})")
        if value.as_tuple().exponent < -places:
            raise ValidationError(f"{label}最多 {places} 位小数 (at most {places} decimal places)")
    return check


class WechatPayTenantSettings(Schema):
    """Tenant settings: where the client sends its requests and how long it waits."""

    base_url = fields.Url(
        require_tld=False, schemes={"http", "https"}, load_default=DEFAULT_BASE_URL, dump_default=DEFAULT_BASE_URL,
        error_messages={"invalid": "接口地址须为 http(s) 网址 (base_url must be an http(s) URL)"},
        metadata={"label": "接口地址 (API base URL)",
                  "description": "默认 https://api.mch.weixin.qq.com；备用 https://api2.mch.weixin.qq.com"})
    timeout_s = fields.Float(
        load_default=10.0, dump_default=10.0,
        validate=validate.Range(min=0.1, max=120, error="超时须在 0.1–120 秒之间 (timeout_s must be 0.1–120 s)"),
        metadata={"label": "超时秒数 (timeout, seconds)"})

    @validates("base_url")
    def _no_trailing_path(self, value: str, **_) -> None:
        if "?" in value or "#" in value:
            raise ValidationError("接口地址不能带查询参数 (base_url must not have a query)")


class SplitAccountSchema(Schema):
    """One split receiver (分账账号) with its ratio (分账比例)."""

    account = fields.String(required=True, validate=validate.Length(
        min=1, max=64, error="分账账号长度须为 1–64 (account must be 1–64 characters)"),
        metadata={"label": "分账账号 (receiver account)"})
    name = fields.String(load_default="", dump_default="", validate=validate.Length(
        max=256, error="分账方名称过长 (name too long)"), metadata={"label": "分账方全称 (legal name)"})
    ratio = fields.Decimal(as_string=True, required=True, validate=_positive_decimal(4, Decimal("1"), "分账比例"),
                           error_messages={"invalid": "分账比例须为小数，如 0.1 (ratio must be a decimal such as 0.1)"},
                           metadata={"label": "分账比例 (ratio)"})
    kind = fields.String(load_default="merchant", dump_default="merchant", metadata={
        "label": "分账方类型 merchant / personal (receiver kind)"}, validate=validate.OneOf(
        ["merchant", "personal"], error="分账方类型须为 merchant 或 personal (kind must be merchant or personal)"))

    @validates_schema
    def _merchant_rules(self, data: dict, **_) -> None:
        if data.get("kind", "merchant") == "merchant":
            if not str(data.get("account", "")).isdigit():
                raise ValidationError("商户分账账号须为数字商户号 (a merchant receiver's account must be its mchid)",
                                      "account")
            if not data.get("name"):
                raise ValidationError("商户分账方须填写全称 (a merchant receiver needs its legal name)", "name")


class WechatPayStationSettings(Schema):
    """A station's 支付配置 for WeChat Pay: direct merchant (直连商户), WeChat Pay public-key mode."""

    appid = fields.String(required=True, validate=validate.Regexp(
        r"^wx[0-9A-Za-z]{16}$", error="小程序 appid 须为 wx 加 16 位字母数字 (appid must be wx + 16 letters/digits)"),
        metadata={"label": "小程序 AppID (mini-program appid)"})
    mchid = fields.String(required=True, validate=validate.Regexp(
        r"^[0-9]{6,32}$", error="商户号须为数字 (mchid must be digits)"), metadata={"label": "商户号 (mchid)"})
    merchant_serial_no = fields.String(required=True, validate=validate.Regexp(
        r"^[0-9A-Fa-f]{8,64}$", error="商户证书序列号须为十六进制 (merchant_serial_no must be hexadecimal)"),
        metadata={"label": "商户 API 证书序列号 (merchant certificate serial)"})
    merchant_private_key = fields.String(required=True, load_only=True,
                                         metadata={"label": "商户 API 私钥 (apiclient_key.pem)"})
    apiv3_key = fields.String(required=True, load_only=True, validate=validate.Regexp(
        r"^[\x21-\x7e]{32}$", error="APIv3 密钥须为 32 个字符 (apiv3_key must be 32 ASCII characters)"),
        metadata={"label": "APIv3 密钥 (APIv3 key)"})
    platform_public_key = fields.String(required=True, metadata={"label": "微信支付公钥 (pub_key.pem)"})
    platform_public_key_id = fields.String(required=True, validate=validate.Regexp(
        r"^PUB_KEY_ID_[0-9A-Za-z_]+$", error="公钥 ID 须以 PUB_KEY_ID_ 开头 (key id must start with PUB_KEY_ID_)"),
        metadata={"label": "微信支付公钥 ID (public key id)"})
    split_enabled = fields.Boolean(load_default=False, dump_default=False, metadata={"label": "启用分账 (split)"})
    split_accounts = fields.List(fields.Nested(SplitAccountSchema), load_default=list, dump_default=list,
                                 metadata={"label": "分账账号与比例 (split receivers)"})
    split_relation_type = fields.String(
        load_default="PARTNER", dump_default="PARTNER", validate=validate.OneOf(
            RELATION_TYPES, error="分账关系类型无效 (split_relation_type must be one of WeChat's relation types)"),
        metadata={"label": "分账关系类型 (receiver relation type)"})
    split_max_ratio = fields.Decimal(
        as_string=True, load_default=DEFAULT_MAX_SPLIT_RATIO, dump_default=DEFAULT_MAX_SPLIT_RATIO,
        validate=_positive_decimal(4, Decimal("1"), "最大分账比例"),
        metadata={"label": "最大分账比例 (max split ratio)", "description": "普通商户默认 30% (default 0.30)"})

    @validates("merchant_private_key")
    def _private_key(self, value: str, **_) -> None:
        try:
            key = signing.load_private_key(value)
        except ValueError:
            raise ValidationError("商户私钥须为 PEM 格式的 RSA 私钥 (merchant_private_key must be an RSA PEM key)") from None
        if key.key_size < 2048:
            raise ValidationError("商户私钥须至少 2048 位 (merchant_private_key must be RSA-2048 or longer)")

    @validates("platform_public_key")
    def _public_key(self, value: str, **_) -> None:
        try:
            signing.load_public_key(value)
        except ValueError:
            raise ValidationError("微信支付公钥须为 PEM 格式的 RSA 公钥 (platform_public_key must be an RSA PEM "
                                  "public key)") from None

    @validates_schema
    def _split_rules(self, data: dict, **_) -> None:
        accounts = data.get("split_accounts") or []
        if data.get("split_enabled") and not accounts:
            raise ValidationError("启用分账须至少配置一个分账账号 (split needs at least one receiver)", "split_accounts")
        seen = [a["account"] for a in accounts]
        if len(seen) != len(set(seen)):
            raise ValidationError("分账账号重复 (a receiver appears twice)", "split_accounts")
        if data.get("mchid") and data["mchid"] in seen:
            raise ValidationError("分账账号不能是本商户 (the merchant cannot be its own receiver)", "split_accounts")
        total = sum((a["ratio"] for a in accounts), Decimal(0))
        limit = data.get("split_max_ratio", DEFAULT_MAX_SPLIT_RATIO)
        if total > limit:
            raise ValidationError(f"分账比例合计 {total} 超过上限 {limit} (ratios add up to {total}, above the "
                                  f"maximum {limit})", "split_accounts")
