"""Marshmallow fields shared by the rule schemas: money as exact decimals, whole numbers, ``HH:MM`` times.

Every message is Chinese with an English hint in parentheses, because the admin form shows them as they
are. Money fields load to :class:`~decimal.Decimal` quantized to their number of places (so ``"1.2"``
loads as ``Decimal("1.20000")`` for a unit price) and dump as strings, so ``dump`` → ``load`` round-trips.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import marshmallow as ma

REQUIRED = "此项必填 (required)"
NULL = "不能为空 (must not be null)"

#: The error messages every field of these schemas uses for missing and null input.
BASE_MESSAGES = {"required": REQUIRED, "null": NULL}


class Money(ma.fields.Decimal):
    """A non-negative decimal amount of money with at most ``places`` decimals and at most ``maximum``.

    :param places: 5 for unit prices (0.00001 yuan), 2 for amounts (fen).
    :param maximum: the largest accepted value (inclusive), in yuan.
    :param what: ``"单价"`` (unit price) or ``"金额"`` (amount), used in the messages.
    """

    default_error_messages = {
        **BASE_MESSAGES,
        "invalid": "请输入有效的数字 (not a valid number)",
        "special": "请输入有效的数字 (not a valid number)",
    }

    def __init__(self, *, places: int, maximum: int, what: str = "单价", **kwargs: Any) -> None:
        super().__init__(as_string=True, **kwargs)
        self.money_places = places
        self.maximum = Decimal(maximum)
        self.quantum = Decimal(1).scaleb(-places)
        self.what = what

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        number = super()._deserialize(value, attr, data, **kwargs)
        english = "price" if self.what == "单价" else "amount"
        if number < 0:
            raise ma.ValidationError(f"{self.what}不能为负数 ({english} must not be negative)")
        if number != number.quantize(self.quantum):
            raise ma.ValidationError(
                f"{self.what}最多{self.money_places}位小数 (at most {self.money_places} decimals)")
        if number > self.maximum:
            raise ma.ValidationError(f"{self.what}不能超过{self.maximum}元 (at most {self.maximum})")
        return number.quantize(self.quantum)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return str(Decimal(str(value)).quantize(self.quantum))


def unit_price_field(label: str, maximum: int = 100, **kwargs: Any) -> Money:
    """A unit price in yuan (5 decimals): per kWh (``maximum`` 100) or per hour / unit (pass 1000)."""
    return Money(places=5, maximum=maximum, what="单价", required=True, metadata={"label": label}, **kwargs)


def amount_field(label: str, maximum: int = 100000, **kwargs: Any) -> Money:
    """An amount in yuan (2 decimals)."""
    return Money(places=2, maximum=maximum, what="金额", metadata={"label": label}, **kwargs)


class Count(ma.fields.Integer):
    """A whole number within ``[minimum, maximum]``; ``"60"`` and ``60.0`` load, ``1.5`` and ``True`` do not.

    :param too_small: / :param too_large: the messages for values outside the range.
    """

    default_error_messages = {**BASE_MESSAGES, "invalid": "请输入整数 (not a valid integer)"}

    def __init__(self, *, minimum: int, maximum: int, too_small: str, too_large: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.minimum, self.maximum = minimum, maximum
        self.too_small, self.too_large = too_small, too_large

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise self.make_error("invalid")
        return super()._validated(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        number = super()._deserialize(value, attr, data, **kwargs)
        if number < self.minimum:
            raise ma.ValidationError(self.too_small)
        if number > self.maximum:
            raise ma.ValidationError(self.too_large)
        return number


TIME_RE = re.compile(r"^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$")
BOUNDARY_MESSAGE = "时段边界必须是整点或半点 (30-minute boundaries)"


def minutes_of(text: str) -> int:
    """``"07:30"`` → 450; ``"24:00"`` → 1440."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def hhmm(minutes: int) -> str:
    """450 → ``"07:30"``; 1440 → ``"24:00"``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class ClockTime(ma.fields.String):
    """A local wall-clock time ``"HH:MM"`` (``"24:00"`` allowed) on a 30-minute boundary; loads as text."""

    default_error_messages = {**BASE_MESSAGES, "invalid": "时间格式应为 HH:MM (expected HH:MM)"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not TIME_RE.match(text):
            raise self.make_error("invalid")
        if minutes_of(text) % 30:
            raise ma.ValidationError(BOUNDARY_MESSAGE)
        return text


class RuleSchema(ma.Schema):
    """Base of every rule schema: unknown keys are refused, messages in Chinese."""

    class Meta:
        unknown = ma.RAISE

    error_messages = {"unknown": "未知字段 (unknown field)", "type": "输入格式无效 (invalid input type)"}
