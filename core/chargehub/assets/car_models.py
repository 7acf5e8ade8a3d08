"""Car side (汽车管理): station → area → parking spaces, cameras, piles → guns."""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from chargehub.assets.models import AssetOwned, OperationType, StationColumns, new_token, owner_fk
from chargehub.db import UTCDateTime
from chargehub.extensions import db
from chargehub.tenancy.models import _enum


class CarOwned(AssetOwned):
    """An asset of a car station (area, application): owner columns plus ``station_id``."""

    __scope__ = {"provider": "provider_id", "property": "property_id", "car_station": "station_id"}

    @declared_attr
    def station_id(cls) -> Mapped[int]:
        return owner_fk("car_station.id")


class CarPlaced(CarOwned):
    """An asset placed in an area of a car station: :class:`CarOwned` plus ``area_id``."""

    @declared_attr
    def area_id(cls) -> Mapped[int]:
        return owner_fk("car_area.id")


class CarStation(StationColumns, db.Model):
    """汽车电站: belongs to a property; a default area is created with it."""

    __tablename__ = "car_station"
    __scope__ = {"provider": "provider_id", "property": "property_id", "car_station": "id"}

    contact: Mapped[str] = mapped_column(sa.String(50), default="", nullable=False)
    contact_phone: Mapped[str] = mapped_column(sa.String(20), default="", nullable=False)
    introduction: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    hotline: Mapped[str] = mapped_column(sa.String(30), default="", nullable=False)
    max_power_kw: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2), nullable=True)
    capacity_kva: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2), nullable=True)


class CarArea(CarOwned, db.Model):
    """区域 of a car station; billing rules belong to an area."""

    __tablename__ = "car_area"

    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    phone: Mapped[str] = mapped_column(sa.String(20), default="", nullable=False)
    power_kw: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2), nullable=True)
    is_default: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)


class LockType(str, enum.Enum):
    """车位锁类型."""

    NONE = "none"  # 无车位锁
    GROUND_LOCK = "ground_lock"  # 地锁（桩控）
    CAMERA_LOCK = "camera_lock"  # 相机控制地锁


class LockState(str, enum.Enum):
    UNKNOWN = "unknown"
    UP = "up"  # 关锁 (raised)
    DOWN = "down"  # 开锁 (lowered)


class ParkingSpace(CarPlaced, db.Model):
    """车位 of an area; a disabled space cannot be reserved."""

    __tablename__ = "parking_space"

    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    lock_type: Mapped[LockType] = mapped_column(_enum(LockType), default=LockType.NONE, nullable=False)
    lock_state: Mapped[LockState] = mapped_column(_enum(LockState), default=LockState.UNKNOWN, nullable=False)
    #: For a 地锁（桩控）: the gun whose pile raises and lowers this space's lock.
    gun_id: Mapped[int | None] = mapped_column(sa.ForeignKey("gun.id", ondelete="SET NULL"), nullable=True)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)


class Camera(CarPlaced, db.Model):
    """相机: a parking camera watching up to two spaces (left and right) and driving their locks."""

    __tablename__ = "camera"

    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    factory_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    ip: Mapped[str] = mapped_column(sa.String(45), default="", nullable=False)
    name: Mapped[str] = mapped_column(sa.String(50))
    sim: Mapped[str] = mapped_column(sa.String(30), default="", nullable=False)
    left_space_id: Mapped[int | None] = mapped_column(sa.ForeignKey("parking_space.id", ondelete="SET NULL"), nullable=True)
    right_space_id: Mapped[int | None] = mapped_column(sa.ForeignKey("parking_space.id", ondelete="SET NULL"), nullable=True)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    online: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CurrentType(str, enum.Enum):
    """电流类型."""

    DC = "dc"
    AC = "ac"


class ChargingSpeed(str, enum.Enum):
    """充电速度."""

    FAST = "fast"
    SLOW = "slow"


class Pile(CarPlaced, db.Model):
    """充电桩: a car charging pile with ``gun_count`` guns; it talks ``protocol`` (e.g. ``ykc``)."""

    __tablename__ = "pile"

    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    factory_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    model: Mapped[str] = mapped_column(sa.String(50), default="", nullable=False)
    version: Mapped[str] = mapped_column(sa.String(50), default="", nullable=False)
    gun_count: Mapped[int] = mapped_column(sa.Integer, default=1, nullable=False)
    sim: Mapped[str] = mapped_column(sa.String(30), default="", nullable=False)
    operation_type: Mapped[OperationType] = mapped_column(_enum(OperationType), default=OperationType.SELF_OPERATED,
                                                          nullable=False)
    occupancy_fee: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    reservation: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    output_current_a: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2), nullable=True)
    output_power_kw: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2), nullable=True)
    output_voltage_v: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2), nullable=True)
    current_type: Mapped[CurrentType] = mapped_column(_enum(CurrentType), default=CurrentType.DC, nullable=False)
    charging_type: Mapped[str] = mapped_column(sa.String(30), default="", nullable=False)
    speed: Mapped[ChargingSpeed] = mapped_column(_enum(ChargingSpeed), default=ChargingSpeed.FAST, nullable=False)
    installation: Mapped[str] = mapped_column(sa.String(30), default="", nullable=False)
    protection_class: Mapped[str] = mapped_column(sa.String(20), default="", nullable=False)
    communication: Mapped[str] = mapped_column(sa.String(30), default="", nullable=False)
    protocol: Mapped[str] = mapped_column(sa.String(50), default="ykc", nullable=False)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    online: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: When ``online`` last changed (the gateway's 上线 / 下线 time).
    online_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: Firmware version the pile reported at its last login.
    firmware: Mapped[str] = mapped_column(sa.String(50), default="", nullable=False)
    #: Billing model code the pile last confirmed holding (YKC 计费模型编号), "" if none.
    billing_model_code: Mapped[str] = mapped_column(sa.String(8), default="", nullable=False)


class GunState(str, enum.Enum):
    """电枪状态."""

    OFFLINE = "offline"
    IDLE = "idle"
    PLUGGED = "plugged"
    CHARGING = "charging"
    FAULT = "fault"


class Gun(CarPlaced, db.Model):
    """电枪: one connector of a pile; drivers scan its QR code (``qr_token``) to charge."""

    __tablename__ = "gun"
    __table_args__ = (sa.UniqueConstraint("pile_id", "number"),)

    pile_id: Mapped[int] = mapped_column(sa.ForeignKey("pile.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(sa.Integer)
    name: Mapped[str] = mapped_column(sa.String(50))
    state: Mapped[GunState] = mapped_column(_enum(GunState), default=GunState.OFFLINE, nullable=False)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    qr_token: Mapped[str] = mapped_column(sa.String(24), default=new_token, unique=True, nullable=False)


class ApplicationState(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class PrivatePileApplication(CarOwned, db.Model):
    """私桩申请: filled in by a driver from the station's QR code, reviewed by the operator."""

    __tablename__ = "private_pile_application"

    applicant: Mapped[str] = mapped_column(sa.String(50))
    phone: Mapped[str] = mapped_column(sa.String(20))
    plate: Mapped[str] = mapped_column(sa.String(20), default="", nullable=False)
    address: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    remark: Mapped[str] = mapped_column(sa.String(500), default="", nullable=False)
    state: Mapped[ApplicationState] = mapped_column(_enum(ApplicationState), default=ApplicationState.PENDING,
                                                    nullable=False)
    review_remark: Mapped[str] = mapped_column(sa.String(500), default="", nullable=False)
