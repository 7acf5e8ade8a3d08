"""What the gateway writes about devices: online/offline records, live gun figures, pile transaction records.

- :class:`DeviceOnlineRecord` (上下线记录, 3.6.6): every login, refused login and disconnect;
- :class:`GunLive`: the latest real-time figures of a gun (voltage, current, SOC, faults...), one row per
  gun, overwritten in batches by the gateway (kept apart from ``gun`` so telemetry never touches the
  asset row and its audit columns);
- :class:`PileTransactionRecord`: every transaction record (0x3B) a pile uploaded, stored once per trade
  number however often the pile resends it; records no order claims stay 待核对 for review.
"""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from chargehub.db import JSONType, UTCDateTime, utcnow
from chargehub.extensions import db
from chargehub.tenancy.models import _enum


class ConnectionState(str, enum.Enum):
    """连接状态 of an online record."""

    ONLINE = "online"  # 上线
    OFFLINE = "offline"  # 下线
    REFUSED = "refused"  # 拒绝登录 (unknown or disabled device)


class DeviceKind(str, enum.Enum):
    """设备类型."""

    PILE = "pile"  # 充电桩
    BIKE_DEVICE = "bike_device"  # 两轮车充电设备
    CAMERA = "camera"  # 相机


class DeviceOnlineRecord(db.Model):
    """上下线记录: one row per online / offline change or refused login of a device.

    Owner columns are empty for a device the platform does not know (only platform users see those).
    """

    __tablename__ = "device_online_record"
    __scope__ = {"provider": "provider_id", "property": "property_id", "car_station": "car_station_id",
                 "bike_station": "bike_station_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_provider.id", ondelete="CASCADE"),
                                                    index=True, nullable=True)
    property_id: Mapped[int | None] = mapped_column(sa.ForeignKey("property.id", ondelete="CASCADE"), nullable=True)
    car_station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("car_station.id", ondelete="CASCADE"),
                                                       nullable=True)
    bike_station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bike_station.id", ondelete="CASCADE"),
                                                        nullable=True)
    device_kind: Mapped[DeviceKind] = mapped_column(_enum(DeviceKind), nullable=False)
    device_ref: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    device_name: Mapped[str] = mapped_column(sa.String(100), default="", nullable=False)
    device_code: Mapped[str] = mapped_column(sa.String(20), default="", nullable=False)
    factory_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    protocol: Mapped[str] = mapped_column(sa.String(50), default="", nullable=False)
    state: Mapped[ConnectionState] = mapped_column(_enum(ConnectionState), nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    peer: Mapped[str] = mapped_column(sa.String(64), default="", nullable=False)
    detail: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True, nullable=False)


class GunLive(db.Model):
    """实时数据 of one gun: what its pile reported last (real-time data, BMS, ground lock)."""

    __tablename__ = "gun_live"

    gun_id: Mapped[int] = mapped_column(sa.ForeignKey("gun.id", ondelete="CASCADE"), primary_key=True)
    pile_id: Mapped[int] = mapped_column(sa.ForeignKey("pile.id", ondelete="CASCADE"), index=True)
    trade_no: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    plugged: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    homed: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    voltage_v: Mapped[Decimal] = mapped_column(sa.Numeric(8, 1), default=Decimal("0"), nullable=False)
    current_a: Mapped[Decimal] = mapped_column(sa.Numeric(8, 1), default=Decimal("0"), nullable=False)
    power_kw: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2), default=Decimal("0"), nullable=False)
    soc: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    energy_kwh: Mapped[Decimal] = mapped_column(sa.Numeric(12, 4), default=Decimal("0"), nullable=False)
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 4), default=Decimal("0"), nullable=False)
    charging_minutes: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    remaining_minutes: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    cable_temp_c: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    battery_max_temp_c: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    fault_bits: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    faults: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    bms: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    lock: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    last_start: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    last_stop: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class ReviewState(str, enum.Enum):
    """核对状态 of a pile transaction record."""

    PENDING = "pending"  # 待核对: no order claimed it (yet)
    MATCHED = "matched"  # 已匹配: settled against its order


class PileTransactionRecord(db.Model):
    """交易记录 as the pile uploaded it (0x3B), before and independent of settlement."""

    __tablename__ = "pile_transaction_record"
    __scope__ = {"provider": "provider_id", "property": "property_id", "car_station": "station_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("service_provider.id", ondelete="RESTRICT"), index=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("property.id", ondelete="RESTRICT"))
    station_id: Mapped[int] = mapped_column(sa.ForeignKey("car_station.id", ondelete="RESTRICT"), index=True)
    pile_id: Mapped[int] = mapped_column(sa.ForeignKey("pile.id", ondelete="RESTRICT"), index=True)
    gun_id: Mapped[int | None] = mapped_column(sa.ForeignKey("gun.id", ondelete="SET NULL"), nullable=True)
    gun_number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    trade_no: Mapped[str] = mapped_column(sa.String(32), unique=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    traded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    energy_kwh: Mapped[Decimal] = mapped_column(sa.Numeric(12, 4), default=Decimal("0"), nullable=False)
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 4), default=Decimal("0"), nullable=False)
    periods: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    meter_start_kwh: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 4), nullable=True)
    meter_end_kwh: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 4), nullable=True)
    vin: Mapped[str] = mapped_column(sa.String(17), default="", nullable=False)
    trade_flag: Mapped[str] = mapped_column(sa.String(20), default="", nullable=False)
    stop_reason_code: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    stop_reason: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    card: Mapped[str] = mapped_column(sa.String(32), default="", nullable=False)
    review_state: Mapped[ReviewState] = mapped_column(_enum(ReviewState), default=ReviewState.PENDING,
                                                      nullable=False)
    duplicates: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    frame: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    last_received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
