"""Schemas of the driver API: sign-in, the driver's profile and balances, and the charging lookups."""
from __future__ import annotations

import re

import marshmallow as ma

from chargehub.members.models import BalanceEntryKind, Gender

#: Province abbreviations that start a licence plate (plus 使 / 领 for embassy and consulate cars).
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_LETTER = "A-HJ-NP-Z"  # I and O are never used on plates
#: Ordinary plates (京A12345, 粤B1234学) and new-energy plates (8 characters): small cars 京AD12345 /
#: 沪AFA1234 (the energy letter — D, A, B, C, E for battery, F, G, H, J, K otherwise — a letter or digit,
#: then 4 digits), large vehicles 京A12345D.
PLATE = re.compile(
    rf"^[{PROVINCES}][{_LETTER}]("
    rf"[{_LETTER}0-9]{{4}}[{_LETTER}0-9挂学警港澳]"  # ordinary, 7 characters
    rf"|[A-HJK][{_LETTER}0-9][0-9]{{4}}"  # new energy, small
    rf"|[0-9]{{5}}[DF]"  # new energy, large
    r")$")


def normalize_plate(value: str) -> str:
    """``value`` upper-cased without spaces; raises :class:`marshmallow.ValidationError` unless it is a
    Chinese licence plate (empty clears the plate)."""
    plate = re.sub(r"[\s·•-]", "", value or "").upper()
    if plate and not PLATE.match(plate):
        raise ma.ValidationError("车牌号格式不正确，例如 京A12345 或新能源 京AD12345 (not a valid plate)")
    return plate


# ------------------------------------------------------------------------------------------- sign-in


class CodeRequestSchema(ma.Schema):
    phone = ma.fields.String(required=True, validate=ma.validate.Length(max=20),
                             metadata={"description": "手机号 (11 位中国大陆手机号)", "example": "13800138000"})


class CodeSentSchema(ma.Schema):
    phone = ma.fields.String()
    expires_in = ma.fields.Integer(metadata={"description": "验证码有效期 (秒)"})
    retry_after = ma.fields.Integer(metadata={"description": "多少秒后可重新获取 (秒)"})


class LoginSchema(CodeRequestSchema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(max=10),
                            metadata={"description": "短信验证码 (6 位数字)", "example": "123456"})


class DriverSchema(ma.Schema):
    id = ma.fields.Integer()
    phone = ma.fields.String()
    nickname = ma.fields.String()
    name = ma.fields.String()
    gender = ma.fields.Enum(Gender, by_value=True)
    plate = ma.fields.String()
    verified = ma.fields.Boolean(metadata={"description": "已认证 (认证后可预约充电)"})
    created_at = ma.fields.DateTime()
    last_login_at = ma.fields.DateTime(allow_none=True)


class LoginResultSchema(ma.Schema):
    token = ma.fields.String(metadata={"description": "Bearer 令牌，只返回一次 (send as Authorization: Bearer …)"})
    expires_at = ma.fields.DateTime()
    driver = ma.fields.Nested(DriverSchema)


class DriverUpdateSchema(ma.Schema):
    nickname = ma.fields.String(validate=ma.validate.Length(max=50, error="昵称最多 50 个字符 (at most 50 characters)"),
                                metadata={"label": "昵称"})
    name = ma.fields.String(validate=ma.validate.Length(max=50, error="姓名最多 50 个字符 (at most 50 characters)"),
                            metadata={"label": "姓名"})
    gender = ma.fields.Enum(Gender, by_value=True, metadata={"label": "性别"})
    plate = ma.fields.String(metadata={"label": "车牌号", "example": "京AD12345"})

    @ma.validates("plate")
    def _plate(self, value: str, **_kwargs) -> None:
        normalize_plate(value)

    @ma.post_load
    def _normalize(self, data: dict, **_kwargs) -> dict:
        if "plate" in data:
            data["plate"] = normalize_plate(data["plate"])
        for key in ("nickname", "name"):
            if key in data:
                data[key] = data[key].strip()
        return data


class BalanceSchema(ma.Schema):
    provider_id = ma.fields.Integer()
    provider_name = ma.fields.String(metadata={"description": "服务商"})
    balance = ma.fields.Decimal(as_string=True, metadata={"description": "余额 (元)"})
    updated_at = ma.fields.DateTime()


class BalanceListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(BalanceSchema))


class BalanceEntrySchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.Enum(BalanceEntryKind, by_value=True, metadata={"description": "topup 充值 / hold 充电预扣 / "
                                                                                    "release 预扣退回 / adjust 人工调整"})
    amount = ma.fields.Decimal(as_string=True, metadata={"description": "变动金额 (元，负数为扣除)"})
    balance_after = ma.fields.Decimal(as_string=True, metadata={"description": "变动后余额 (元)"})
    trade_no = ma.fields.String(metadata={"description": "订单号"})
    note = ma.fields.String()
    created_at = ma.fields.DateTime()


class BalanceEntryListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(BalanceEntrySchema))


# ------------------------------------------------------------------------------------------- lookups


class ScanArgs(ma.Schema):
    url = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500),
                           metadata={"description": "扫码得到的充电链接",
                                     "example": "https://charge.example.com/h5/charge/g/Ab3dE5fG7hJ9"})


class StationBriefSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    address = ma.fields.String(metadata={"description": "省市区 + 详细地址"})
    phone = ma.fields.String(metadata={"description": "客服电话"})
    business_hours = ma.fields.String(metadata={"description": "营业时间"})


class AreaBriefSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class DeviceBriefSchema(ma.Schema):
    """A pile (car side) or an e-bike charger."""

    id = ma.fields.Integer()
    code = ma.fields.String(metadata={"description": "桩编号 / 设备编号"})
    name = ma.fields.String()
    factory_id = ma.fields.String(metadata={"description": "出厂编号"})
    online = ma.fields.Boolean()
    speed = ma.fields.String(metadata={"description": "汽车桩: fast 快充 / slow 慢充"})
    current_type = ma.fields.String(metadata={"description": "汽车桩: dc 直流 / ac 交流"})
    power_kw = ma.fields.Decimal(as_string=True, allow_none=True, metadata={"description": "汽车桩: 输出功率 (kW)"})
    position = ma.fields.String(metadata={"description": "单车设备: 安装位置"})


class RuleOptionSchema(ma.Schema):
    amount = ma.fields.String(metadata={"description": "金额 (元)"})
    minutes = ma.fields.Integer(metadata={"description": "单车预估值: 时长 (分钟)"})


class RuleBriefSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    mode = ma.fields.String(metadata={"description": "计费方式标识 (car_flat, car_tou, bike_duration...)"})
    mode_name = ma.fields.String(metadata={"description": "计费方式"})
    text = ma.fields.String(metadata={"description": "计费说明 (the rule in force, in words)"})
    options = ma.fields.List(ma.fields.Nested(RuleOptionSchema),
                             metadata={"description": "汽车: 预充值金额; 单车: 预估值 (时长 + 金额)"})


class ConnectorSchema(ma.Schema):
    """A gun or a socket as a driver sees it before starting."""

    kind = ma.fields.String(metadata={"description": "gun 电枪 / socket 插座"})
    id = ma.fields.Integer()
    number = ma.fields.Integer(metadata={"description": "枪号 / 插座号"})
    name = ma.fields.String()
    state = ma.fields.String(metadata={"description": "状态值 (GunState / SocketState)"})
    state_label = ma.fields.String(metadata={"description": "状态 (空闲 / 已插枪 / 充电中 / 故障 / 离线)"})
    online = ma.fields.Boolean(metadata={"description": "设备在线"})
    available = ma.fields.Boolean(metadata={"description": "可以启动充电"})
    unavailable_reason = ma.fields.String(allow_none=True, metadata={"description": "不可用原因"})
    station = ma.fields.Nested(StationBriefSchema)
    area = ma.fields.Nested(AreaBriefSchema)
    pile = ma.fields.Nested(DeviceBriefSchema, metadata={"description": "电枪所在的充电桩 (kind = gun)"})
    device = ma.fields.Nested(DeviceBriefSchema, metadata={"description": "插座所在的设备 (kind = socket)"})
    rule = ma.fields.Nested(RuleBriefSchema, allow_none=True, metadata={"description": "生效中的计费规则"})


class PileLookupSchema(ma.Schema):
    pile = ma.fields.Nested(DeviceBriefSchema)
    station = ma.fields.Nested(StationBriefSchema)
    area = ma.fields.Nested(AreaBriefSchema)
    rule = ma.fields.Nested(RuleBriefSchema, allow_none=True)
    guns = ma.fields.List(ma.fields.Nested(ConnectorSchema))


class DeviceLookupSchema(ma.Schema):
    device = ma.fields.Nested(DeviceBriefSchema)
    station = ma.fields.Nested(StationBriefSchema)
    area = ma.fields.Nested(AreaBriefSchema)
    rule = ma.fields.Nested(RuleBriefSchema, allow_none=True)
    sockets = ma.fields.List(ma.fields.Nested(ConnectorSchema))
