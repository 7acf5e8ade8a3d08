"""Payments (支付订单), refunds (退费) and split payments (分账): core records with their own states.

Providers report results; only :mod:`chargehub.payments` services move these states (DESIGN §3).
Each row belongs to one charging order (``order_kind`` + ``order_id``, its ``trade_no`` copied) and to
the station that took the money: ``car_station_id`` or ``bike_station_id`` is set, so the one scope
helper filters rows of either side. Money is ``Numeric`` yuan with two places.

:class:`PaymentNotification` keeps every notification a vendor posted, verified or not, before it is
applied: nothing a vendor sent is lost, and a rejected one is there for review.
"""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from chargehub.db import JSONType, Money, UTCDateTime, utcnow
from chargehub.extensions import db
from chargehub.tenancy.models import _enum

#: ``plugin`` of a payment / refund taken from or returned to the driver's balance (no provider).
BALANCE = "balance"


class PaymentState(str, enum.Enum):
    """支付状态 of a payment."""

    PENDING = "pending"  # 待支付
    PAID = "paid"  # 已支付
    FAILED = "failed"  # 支付失败
    CLOSED = "closed"  # 已关闭 (not paid in time, or the order failed before payment)


class RefundKind(str, enum.Enum):
    """退费类型."""

    SETTLEMENT = "settlement"  # 结算退回: the unused prepaid amount at settlement
    START_FAILED = "start_failed"  # 启动失败退回: the order never charged
    LATE_PAYMENT = "late_payment"  # 支付晚到退回: paid after the order had already failed or closed
    MANUAL = "manual"  # 人工退费: an operator's 退费 on a completed order


class RefundState(str, enum.Enum):
    """退费状态."""

    PROCESSING = "processing"  # 退款中
    SUCCESS = "success"  # 退款成功
    FAILED = "failed"  # 退款失败 (the amount counts as held again; an operator may refund anew)
    ABNORMAL = "abnormal"  # 退款异常 (the payer's account cannot receive it: handle at the vendor)


class SplitState(str, enum.Enum):
    """分账状态 of one receiver's share."""

    PROCESSING = "processing"  # 分账中
    SUCCESS = "success"  # 分账成功
    FAILED = "failed"  # 分账失败 (分账 on the order page tries again)
    REVOKING = "revoking"  # 撤销中
    REVOKED = "revoked"  # 已撤销


class MoneyRecord:
    """Columns payments, refunds and splits share: the order, the station, the tenant, the provider."""

    @declared_attr.directive
    def __table_args__(cls):
        table = cls.__tablename__
        return (sa.Index(f"ix_{table}_order", "order_kind", "order_id"),
                sa.Index(f"ix_{table}_provider_created", "provider_id", "created_at"),
                sa.Index(f"ix_{table}_created", "created_at"))

    __scope__ = {"provider": "provider_id", "property": "property_id", "car_station": "car_station_id",
                 "bike_station": "bike_station_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("service_provider.id", ondelete="RESTRICT"))
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("property.id", ondelete="RESTRICT"))
    car_station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("car_station.id", ondelete="RESTRICT"),
                                                       nullable=True, index=True)
    bike_station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bike_station.id", ondelete="RESTRICT"),
                                                        nullable=True, index=True)
    station_name: Mapped[str] = mapped_column(sa.String(100), default="", nullable=False)
    area_name: Mapped[str] = mapped_column(sa.String(100), default="", nullable=False)
    device_code: Mapped[str] = mapped_column(sa.String(32), default="", nullable=False)
    order_kind: Mapped[str] = mapped_column(sa.String(10))  # car / bike
    order_id: Mapped[int] = mapped_column(sa.Integer)
    trade_no: Mapped[str] = mapped_column(sa.String(32), index=True)  # the charging order's number
    driver_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    phone: Mapped[str] = mapped_column(sa.String(20), default="", nullable=False)
    #: the payment plugin (``wechatpay``, ``leshua``, ``suixingfu``) or :data:`BALANCE`
    plugin: Mapped[str] = mapped_column(sa.String(50))
    amount: Mapped[Decimal] = Money(nullable=False)
    message: Mapped[str] = mapped_column(sa.String(300), default="", nullable=False)
    raw: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)  # 第三方回调 / last vendor answer
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)


class Payment(MoneyRecord, db.Model):
    """支付订单: the prepaid amount of one charging order, through a provider or the driver's balance."""

    __tablename__ = "payment"

    out_trade_no: Mapped[str] = mapped_column(sa.String(32), unique=True)
    state: Mapped[PaymentState] = mapped_column(_enum(PaymentState), default=PaymentState.PENDING, nullable=False)
    vendor_trade_no: Mapped[str] = mapped_column(sa.String(64), default="", nullable=False)
    payer_id: Mapped[str] = mapped_column(sa.String(128), default="", nullable=False)  # openid
    client_params: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)  # wx.requestPayment
    split: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)  # created for 分账
    refunded: Mapped[Decimal] = Money(default=Decimal("0.00"), nullable=False)  # refunds not failed
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # last verified notification


class Refund(MoneyRecord, db.Model):
    """退费: money going back to the driver: through the provider that took it, or to the balance."""

    __tablename__ = "refund"

    out_refund_no: Mapped[str] = mapped_column(sa.String(32), unique=True)
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payment.id", ondelete="RESTRICT"), nullable=True,
                                                   index=True)
    kind: Mapped[RefundKind] = mapped_column(_enum(RefundKind), nullable=False)
    state: Mapped[RefundState] = mapped_column(_enum(RefundState), default=RefundState.PROCESSING, nullable=False)
    order_amount: Mapped[Decimal] = Money(default=Decimal("0.00"), nullable=False)  # 订单总额 when requested
    paid_amount: Mapped[Decimal] = Money(default=Decimal("0.00"), nullable=False)  # 支付总额
    reason: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)  # 退款原因
    vendor_refund_no: Mapped[str] = mapped_column(sa.String(64), default="", nullable=False)  # 第三方退款单号
    operator_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    operator_name: Mapped[str] = mapped_column(sa.String(50), default="", nullable=False)  # 操作者 ("系统" if none)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Split(MoneyRecord, db.Model):
    """分账记录: one receiver's share of one settled payment."""

    __tablename__ = "split"

    out_split_no: Mapped[str] = mapped_column(sa.String(32), unique=True)  # 分账单号
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payment.id", ondelete="RESTRICT"), index=True)
    state: Mapped[SplitState] = mapped_column(_enum(SplitState), default=SplitState.PROCESSING, nullable=False)
    lead_merchant: Mapped[str] = mapped_column(sa.String(64), default="", nullable=False)  # 主导商户
    receiver_account: Mapped[str] = mapped_column(sa.String(64))  # 分账商户
    receiver_name: Mapped[str] = mapped_column(sa.String(100), default="", nullable=False)
    receiver_kind: Mapped[str] = mapped_column(sa.String(20), default="merchant", nullable=False)
    ratio: Mapped[Decimal] = mapped_column(sa.Numeric(6, 4), nullable=False)
    base_amount: Mapped[Decimal] = Money(nullable=False)  # the settled order amount it was split from
    vendor_split_no: Mapped[str] = mapped_column(sa.String(64), default="", nullable=False)
    returned: Mapped[Decimal] = Money(default=Decimal("0.00"), nullable=False)  # taken back (回退 / 撤销)
    out_return_no: Mapped[str] = mapped_column(sa.String(32), default="", nullable=False)
    operator_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    operator_name: Mapped[str] = mapped_column(sa.String(50), default="", nullable=False)  # 操作人 ("系统")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class NotificationState(str, enum.Enum):
    """What became of a stored notification."""

    RECEIVED = "received"  # stored, not yet applied
    APPLIED = "applied"  # verified and applied (or a duplicate of one that was)
    REJECTED = "rejected"  # signature / timestamp / amount refused: changed nothing
    FAILED = "failed"  # verified but could not be applied now: the vendor retries; shown for review


class PaymentNotification(db.Model):
    """A notification a payment vendor posted, stored as received (headers and body) before anything else."""

    __tablename__ = "payment_notification"
    __table_args__ = (sa.Index("ix_payment_notification_received", "received_at"),)
    __scope__ = {"provider": "provider_id", "car_station": "car_station_id", "bike_station": "bike_station_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(sa.String(50))
    provider_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    car_station_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    bike_station_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    headers: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    state: Mapped[NotificationState] = mapped_column(_enum(NotificationState), default=NotificationState.RECEIVED,
                                                     nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), default="", nullable=False)  # payment / refund / split
    out_no: Mapped[str] = mapped_column(sa.String(64), default="", nullable=False, index=True)
    reason: Mapped[str] = mapped_column(sa.String(300), default="", nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
