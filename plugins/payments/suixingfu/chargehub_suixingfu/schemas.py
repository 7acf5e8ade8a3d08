"""Settings: the tenant's (institution, keys, variants) and the station's 支付配置 (merchant, splits).

Core validates each with its schema and hands the provider the tenant settings overlaid by the
station's (:func:`merge_settings` does the same for tests and tools). Secrets are ``load_only``.
Messages are Chinese with the English in parentheses.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from chargehub_suixingfu.signing import ALGORITHMS, load_private_key, load_public_key

DEFAULT_BASE_URL = "https://openapi.tianquetech.com"
TIMESTAMP_FORMATS = ("%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S")
REQ_DATA_FORMS = ("string", "object")
SUB_APPID_FIELDS = ("subAppid", "subAppId")
LEDGER_PATHS = {
    "ledger_launch_path": "/query/ledger/launchLedger",
    "ledger_query_path": "/query/ledger/queryLedger",
    "ledger_return_path": "/query/ledger/cancelLedger",
    "ledger_return_query_path": "/query/ledger/queryCancel",
}
_PATH_RE = re.compile(r"^/[A-Za-z0-9_/.-]*$")


def _private_key(value: str) -> None:
    try:
        load_private_key(value)
    except (ValueError, TypeError) as exc:
        raise ValidationError("私钥格式不正确，应为 PEM 或 Base64 (invalid RSA private key: PEM or Base64 DER)") from exc


def _public_key(value: str) -> None:
    try:
        load_public_key(value)
    except (ValueError, TypeError) as exc:
        raise ValidationError("天阙公钥格式不正确，应为 PEM 或 Base64 (invalid RSA public key: PEM or Base64 DER)") from exc


def _one_of(choices: tuple[str, ...], what: str) -> validate.OneOf:
    listed = " / ".join(choices)
    return validate.OneOf(choices, error=f"{what}只能是 {listed} ({what} must be one of {listed})")


_ORG_ID = dict(validate=validate.Regexp(r"^[0-9A-Za-z]{1,32}$",
                                        error="机构编号只能是 1–32 位字母或数字 (orgId: 1-32 letters or digits)"))


class SuixingfuSettings(Schema):
    """Tenant settings: which Tianque host, our institution (机构) id and keys, the unconfirmed variants."""

    base_url = fields.Url(require_tld=False, load_default=DEFAULT_BASE_URL, schemes={"http", "https"},
                          error_messages={"invalid": "接口地址不是有效的 URL (base_url is not a valid URL)"})
    org_id = fields.String(required=True, error_messages={"required": "请填写机构编号 (orgId is required)"},
                           **_ORG_ID)
    org_private_key = fields.String(required=True, load_only=True, validate=_private_key,
                                    error_messages={"required": "请填写机构私钥 (org private key is required)"})
    tianque_public_key = fields.String(required=True, validate=_public_key,
                                       error_messages={"required": "请填写天阙公钥 (Tianque public key is required)"})
    sign_algorithm = fields.String(load_default="SHA1", validate=_one_of(ALGORITHMS, "签名算法 (sign_algorithm)"))
    timestamp_format = fields.String(load_default=TIMESTAMP_FORMATS[0],
                                     validate=_one_of(TIMESTAMP_FORMATS, "时间戳格式 (timestamp_format)"))
    req_data_as = fields.String(load_default="string", validate=_one_of(REQ_DATA_FORMS, "reqData 形式 (req_data_as)"))
    sub_appid_field = fields.String(load_default="subAppid",
                                    validate=_one_of(SUB_APPID_FIELDS, "小程序 appid 字段名 (sub_appid_field)"))
    timeout_s = fields.Float(load_default=10.0, validate=validate.Range(
        min=0.1, max=120, error="超时时间应在 0.1–120 秒之间 (timeout_s must be 0.1-120 s)"))
    ledger_launch_path = fields.String(load_default=LEDGER_PATHS["ledger_launch_path"])
    ledger_query_path = fields.String(load_default=LEDGER_PATHS["ledger_query_path"])
    ledger_return_path = fields.String(load_default=LEDGER_PATHS["ledger_return_path"])
    ledger_return_query_path = fields.String(load_default=LEDGER_PATHS["ledger_return_query_path"])

    @validates_schema
    def _paths(self, data: dict, **kwargs: Any) -> None:
        bad = {name: ["接口路径应以 / 开头 (path must start with /)"]
               for name in LEDGER_PATHS if name in data and not _PATH_RE.match(data[name])}
        if bad:
            raise ValidationError(bad)


class SplitAccountSchema(Schema):
    """One split receiver: the receiver's Tianque merchant number (mno), its name and its ratio."""

    account = fields.String(metadata={"label": "分账账号 (receiver account)"}, required=True, validate=validate.Regexp(
        r"^[0-9A-Za-z]{1,32}$", error="分账账号应为收款方商户编号 (account: the receiver's mno, letters/digits)"),
        error_messages={"required": "请填写分账账号 (account is required)"})
    name = fields.String(metadata={"label": "分账方名称 (name)"}, load_default="", validate=validate.Length(
        max=64, error="名称不能超过 64 个字符 (name: at most 64 characters)"))
    ratio = fields.String(metadata={"label": "分账比例 (ratio)"}, required=True, error_messages={"required": "请填写分账比例 (ratio is required)"})

    @validates_schema
    def _ratio(self, data: dict, **kwargs: Any) -> None:
        if "ratio" not in data:
            return
        try:
            ratio = Decimal(str(data["ratio"]))
        except InvalidOperation:
            ratio = None
        if ratio is None or not ratio.is_finite() or not (0 < ratio <= 1) or ratio.as_tuple().exponent < -4:
            raise ValidationError("分账比例应大于 0 且不超过 1，最多 4 位小数 (ratio: 0 < ratio <= 1, "
                                  "at most 4 decimal places)", "ratio")
        data["ratio"] = str(ratio)


class SuixingfuStationSettings(Schema):
    """The station's 支付配置: sub-merchant (mno), mini-program appid, split accounts; optional overrides
    of the tenant's orgId and keys (absent fields stay absent so they do not hide the tenant's)."""

    mno = fields.String(required=True, validate=validate.Regexp(
        r"^[0-9A-Za-z]{1,32}$", error="商户编号只能是字母或数字 (mno: letters or digits)"),
        error_messages={"required": "请填写随行付商户编号 (mno is required)"})
    sub_appid = fields.String(required=True, validate=validate.Regexp(
        r"^wx[0-9a-zA-Z]{6,30}$", error="小程序 appid 格式不正确 (sub_appid: a WeChat appid, wx...)"),
        error_messages={"required": "请填写小程序 appid (sub_appid is required)"})
    split_enabled = fields.Boolean(load_default=False)
    split_accounts = fields.List(fields.Nested(SplitAccountSchema), load_default=list,
                                 metadata={"label": "分账账号和分账比例 (split receivers)"})
    ledger_effect_days = fields.Integer(load_default=30, validate=validate.Range(
        min=1, max=30, error="分账有效期应为 1–30 天 (ledger_effect_days must be 1-30)"))
    org_id = fields.String(**_ORG_ID)
    org_private_key = fields.String(load_only=True, validate=_private_key)
    tianque_public_key = fields.String(validate=_public_key)

    @validates_schema
    def _splits(self, data: dict, **kwargs: Any) -> None:
        accounts = data.get("split_accounts") or []
        if data.get("split_enabled") and not accounts:
            raise ValidationError("开启分账时至少需要一个分账账号 (split enabled: add at least one account)",
                                  "split_accounts")
        total = sum((Decimal(str(a["ratio"])) for a in accounts if "ratio" in a), Decimal(0))
        if total > 1:
            raise ValidationError(f"分账比例合计 {total} 超过 1 (the ratios add up to {total}, more than 1)",
                                  "split_accounts")
        seen = [a.get("account") for a in accounts]
        if len(seen) != len(set(seen)):
            raise ValidationError("分账账号重复 (an account is listed twice)", "split_accounts")


def merge_settings(tenant: Mapping[str, Any], station: Mapping[str, Any]) -> dict[str, Any]:
    """Validate both and overlay the station's values on the tenant's, as core does.

    :raises marshmallow.ValidationError: either payload is invalid.
    """
    merged = dict(SuixingfuSettings().load(dict(tenant)))
    merged.update(SuixingfuStationSettings().load(dict(station)))
    return merged
