"""Charging orders (充电订单), one table per side, their transitions, and idempotent app requests.

:class:`CarOrder` (汽车订单, a gun of a pile) and :class:`BikeOrder` (单车订单, a socket of an e-bike
charger) share :class:`OrderColumns`. Money is ``Numeric`` yuan (2 decimals), energy kWh (4 decimals).
Names, codes and the phone are copied onto the order when it is created (what the order *was*), so
lists need no joins and later renames do not rewrite history.

While an order is active its ``active_key`` names its connector (``"gun:12"``, ``"socket:7"``); the
unique constraint on it is what makes "one running order per connector" hold under concurrency.
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


class OrderState(str, enum.Enum):
    """订单状态. Car: 启动中 → 充电中 → 结束中 → 订单完成; 订单异常; 订单挂起. E-bike: 充电中 → 订单结束,
    订单挂起, 订单异常 (an e-bike order is 充电中 from its creation; its start is confirmed or it fails)."""

    STARTING = "starting"  # 启动中
    CHARGING = "charging"  # 充电中
    STOPPING = "stopping"  # 结束中
    COMPLETED = "completed"  # 订单完成 (car) / 订单结束 (e-bike)
    FAILED = "failed"  # 订单异常
    SUSPENDED = "suspended"  # 订单挂起


#: States an order can still leave (it holds its connector).
ACTIVE_STATES = (OrderState.STARTING, OrderState.CHARGING, OrderState.STOPPING, OrderState.SUSPENDED)


class StartMethod(str, enum.Enum):
    """启动方式."""

    APP = "app"  # 小程序
    CARD = "card"  # 刷卡
    VIN = "vin"  # 即插即充 (VIN)
    ADMIN = "admin"  # 后台启动


class OrderType(str, enum.Enum):
    """订单类型."""

    NORMAL = "normal"  # 普通订单
    RESERVATION = "reservation"  # 预约订单
    COLLECTIVE = "collective"  # 集体户订单


class PayMethod(str, enum.Enum):
    """支付方式 of the prepaid amount. A driver asks for ``online`` (the station's payment provider); the
    order then records which one took the money (``ONLINE`` for a provider without a value of its own)."""

    FREE = "free"  # 免费测试 (test mode: nothing is collected)
    BALANCE = "balance"  # 余额
    WECHAT = "wechat"  # 微信支付
    LESHUA = "leshua"  # 乐刷
    SUIXINGFU = "suixingfu"  # 随行付
    ONLINE = "online"  # 在线支付 (another payment plugin)
    CARD = "card"  # 电卡


#: The pay method recorded for an order paid through a payment plugin (by plugin name).
PLUGIN_PAY_METHODS = {"wechatpay": PayMethod.WECHAT, "leshua": PayMethod.LESHUA, "suixingfu": PayMethod.SUIXINGFU}
#: Pay methods whose money a payment provider holds.
ONLINE_METHODS = (PayMethod.WECHAT, PayMethod.LESHUA, PayMethod.SUIXINGFU, PayMethod.ONLINE)


class PayState(str, enum.Enum):
    """支付状态."""

    UNPAID = "unpaid"  # 待支付
    PAID = "paid"  # 已支付
    PARTIALLY_REFUNDED = "partially_refunded"  # 部分退款
    REFUNDED = "refunded"  # 已退款


class InvoiceState(str, enum.Enum):
    """开票状态."""

    NONE = "none"  # 未开票
    INVOICING = "invoicing"  # 开票中
    INVOICED = "invoiced"  # 已开票


class SettledBy(str, enum.Enum):
    """Whose figures settled the order."""

    DEVICE = "device"  # the device's transaction record
    OPERATOR = "operator"  # 结束 by an operator (last reported energy / duration, or the duration entered)
    SYSTEM = "system"  # a failed start (nothing charged)


class OrderReview(str, enum.Enum):
    """核对: a device record that arrived after an operator had settled the order."""

    NONE = "none"
    PENDING = "pending"  # 待核对: the device's figures differ from the settlement (see ``device_figures``)


#: Columns the 总计 totals sum, carried in the (station | provider, created_at) indexes on PostgreSQL so
#: totals over a station's weeks are answered from the index alone.
TOTALS_INCLUDE = ["prepaid", "energy_kwh", "duration_s", "electricity_fee", "service_fee", "amount"]


class OrderColumns:
    """What car and e-bike orders share (see the module docstring), with the indexes every list, search
    and sweep uses: (station | provider | driver, created_at), created_at, state."""

    @declared_attr.directive
    def __table_args__(cls):
        table = cls.__tablename__
        return (sa.Index(f"ix_{table}_station_created", "station_id", "created_at", postgresql_include=TOTALS_INCLUDE),
                sa.Index(f"ix_{table}_provider_created", "provider_id", "created_at",
                         postgresql_include=TOTALS_INCLUDE),
                sa.Index(f"ix_{table}_driver_created", "driver_id", "created_at"),
                sa.Index(f"ix_{table}_created", "created_at"),
                sa.Index(f"ix_{table}_state", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    trade_no: Mapped[str] = mapped_column(sa.String(32), unique=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("service_provider.id", ondelete="RESTRICT"), index=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("property.id", ondelete="RESTRICT"))
    driver_id: Mapped[int | None] = mapped_column(sa.ForeignKey("driver.id", ondelete="RESTRICT"), nullable=True)
    phone: Mapped[str] = mapped_column(sa.String(20), default="", nullable=False)
    card_no: Mapped[str] = mapped_column(sa.String(32), default="", nullable=False)
    station_name: Mapped[str] = mapped_column(sa.String(100), default="", nullable=False)
    area_name: Mapped[str] = mapped_column(sa.String(100), default="", nullable=False)
    device_code: Mapped[str] = mapped_column(sa.String(32), default="", nullable=False)
    factory_id: Mapped[str] = mapped_column(sa.String(64), default="", nullable=False)
    order_type: Mapped[OrderType] = mapped_column(_enum(OrderType), default=OrderType.NORMAL, nullable=False)
    start_method: Mapped[StartMethod] = mapped_column(_enum(StartMethod), default=StartMethod.APP, nullable=False)
    reservation_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    state: Mapped[OrderState] = mapped_column(_enum(OrderState), nullable=False)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    active_key: Mapped[str | None] = mapped_column(sa.String(40), unique=True, nullable=True)
    pay_method: Mapped[PayMethod] = mapped_column(_enum(PayMethod), nullable=False)
    pay_state: Mapped[PayState] = mapped_column(_enum(PayState), default=PayState.UNPAID, nullable=False)
    invoice_state: Mapped[InvoiceState] = mapped_column(_enum(InvoiceState), default=InvoiceState.NONE,
                                                        nullable=False)
    prepaid: Mapped[Decimal] = Money(default=Decimal("0.00"), nullable=False)  # 预付金额
    electricity_fee: Mapped[Decimal] = Money(default=Decimal("0.00"), nullable=False)  # 电费
    service_fee: Mapped[Decimal] = Money(default=Decimal("0.00"), nullable=False)  # 服务费
    amount: Mapped[Decimal] = Money(default=Decimal("0.00"), nullable=False)  # 订单总费用
    refunded: Mapped[Decimal] = Money(default=Decimal("0.00"), nullable=False)  # 已退金额
    energy_kwh: Mapped[Decimal] = mapped_column(sa.Numeric(12, 4), default=Decimal("0"), nullable=False)
    duration_s: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    power_w: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)  # last reported power
    max_power_w: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    rule_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    rule_version_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    rule_name: Mapped[str] = mapped_column(sa.String(100), default="", nullable=False)
    rule_text: Mapped[str] = mapped_column(sa.String(500), default="", nullable=False)
    bill: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)  # itemized (Bill.to_dict)
    #: meter samples ``[[epoch s, 0.0001-kWh count, watts], ...]`` (at most one a minute, plus the last).
    samples: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # the prepaid amount was taken
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # device confirmed
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    settled_by: Mapped[SettledBy | None] = mapped_column(_enum(SettledBy), nullable=True)
    last_report_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    stop_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end_reason: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)  # 结束描述
    stop_reason_code: Mapped[str] = mapped_column(sa.String(20), default="", nullable=False)
    review: Mapped[OrderReview] = mapped_column(_enum(OrderReview), default=OrderReview.NONE, nullable=False)
    device_figures: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)
    created_by: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    ended_by: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)  # the operator who pressed 结束


class CarOrder(OrderColumns, db.Model):
    """汽车订单: charging at one gun of a pile."""

    __tablename__ = "car_order"
    __scope__ = {"provider": "provider_id", "property": "property_id", "car_station": "station_id"}
    kind = "car"


    station_id: Mapped[int] = mapped_column(sa.ForeignKey("car_station.id", ondelete="RESTRICT"))
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("car_area.id", ondelete="RESTRICT"))
    pile_id: Mapped[int] = mapped_column(sa.ForeignKey("pile.id", ondelete="RESTRICT"), index=True)
    gun_id: Mapped[int] = mapped_column(sa.ForeignKey("gun.id", ondelete="RESTRICT"), index=True)
    gun_number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    plate: Mapped[str] = mapped_column(sa.String(16), default="", nullable=False)
    vin: Mapped[str] = mapped_column(sa.String(17), default="", nullable=False)
    soc: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)


class BikeOrder(OrderColumns, db.Model):
    """单车订单: charging at one socket of an e-bike charger."""

    __tablename__ = "bike_order"
    __scope__ = {"provider": "provider_id", "property": "property_id", "bike_station": "station_id"}
    kind = "bike"


    station_id: Mapped[int] = mapped_column(sa.ForeignKey("bike_station.id", ondelete="RESTRICT"))
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("bike_area.id", ondelete="RESTRICT"))
    device_id: Mapped[int] = mapped_column(sa.ForeignKey("bike_device.id", ondelete="RESTRICT"), index=True)
    socket_id: Mapped[int] = mapped_column(sa.ForeignKey("bike_socket.id", ondelete="RESTRICT"), index=True)
    socket_number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    protocol: Mapped[str] = mapped_column(sa.String(40), default="bike_mqtt", nullable=False)
    charge_mode: Mapped[str] = mapped_column(sa.String(20), default="duration", nullable=False)  # 充电方式
    preset_minutes: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)  # 预充时长


#: The order model of each side.
ORDER_MODELS = {"car": CarOrder, "bike": BikeOrder}


class OrderTransition(db.Model):
    """One state change of an order: when, from what to what, why and by whom."""

    __tablename__ = "order_transition"
    __table_args__ = (sa.Index("ix_order_transition_order", "order_kind", "order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_kind: Mapped[str] = mapped_column(sa.String(10))
    order_id: Mapped[int] = mapped_column(sa.Integer)
    from_state: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    to_state: Mapped[str] = mapped_column(sa.String(20))
    cause: Mapped[str] = mapped_column(sa.String(300), default="", nullable=False)
    #: ``driver`` / ``user`` (an operator) / ``device`` / ``system``; ``actor_id`` the driver or user id.
    actor: Mapped[str] = mapped_column(sa.String(10), default="system", nullable=False)
    actor_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    data: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)


class AppRequest(db.Model):
    """An idempotent driver request (start, stop): a retry with the same key gets the stored answer."""

    __tablename__ = "app_request"
    __table_args__ = (sa.UniqueConstraint("driver_id", "action", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    driver_id: Mapped[int] = mapped_column(sa.ForeignKey("driver.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(sa.String(60))  # "start", "stop:<trade_no>"
    key: Mapped[str] = mapped_column(sa.String(64))
    fingerprint: Mapped[str] = mapped_column(sa.String(64), default="", nullable=False)  # of the request body
    status_code: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)  # None while in progress
    response: Mapped[dict | None] = mapped_column(JSONType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
