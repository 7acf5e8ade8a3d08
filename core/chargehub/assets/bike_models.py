"""E-bike side (单车管理): station → area → devices → sockets."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from chargehub.assets.models import AssetOwned, StationColumns, new_token, owner_fk
from chargehub.db import JSONType, UTCDateTime
from chargehub.extensions import db
from chargehub.tenancy.models import _enum


class BikeOwned(AssetOwned):
    """An asset of a bike station (area, application): owner columns plus ``station_id``."""

    __scope__ = {"provider": "provider_id", "property": "property_id", "bike_station": "station_id"}

    @declared_attr
    def station_id(cls) -> Mapped[int]:
        return owner_fk("bike_station.id")


class BikePlaced(BikeOwned):
    """An asset placed in an area of a bike station: :class:`BikeOwned` plus ``area_id``."""

    @declared_attr
    def area_id(cls) -> Mapped[int]:
        return owner_fk("bike_area.id")


class BikeStation(StationColumns, db.Model):
    """单车电站: belongs to a property; a default area is created with it."""

    __tablename__ = "bike_station"
    __scope__ = {"provider": "provider_id", "property": "property_id", "bike_station": "id"}

    short_name: Mapped[str] = mapped_column(sa.String(50), default="", nullable=False)
    service_phone: Mapped[str] = mapped_column(sa.String(30), default="", nullable=False)
    power_limit_w: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)


class BikeArea(BikeOwned, db.Model):
    """区域 of an e-bike station; it cannot be deleted while it has devices or billing rules."""

    __tablename__ = "bike_area"

    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    phone: Mapped[str] = mapped_column(sa.String(20), default="", nullable=False)
    is_default: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)


class AccountState(str, enum.Enum):
    """Broker account (MQTT 账号) state of a device."""

    PENDING = "pending"  # 待同步: issued, not yet on the broker
    ACTIVE = "active"  # 已生效: the broker accepts it
    DISABLED = "disabled"  # 已停用: the device is disabled, the broker refuses it
    FAILED = "failed"  # 同步失败: the broker could not be told (retried; see account_error)
    UNMANAGED = "unmanaged"  # 未托管: no broker account management configured (CHARGEHUB_MQTT_ACCOUNTS)


class BikeDevice(BikePlaced, db.Model):
    """设备: an e-bike charger with ``socket_count`` sockets (2 to 12)."""

    __tablename__ = "bike_device"

    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    factory_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    device_type: Mapped[str] = mapped_column(sa.String(30), default="", nullable=False)
    position: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    rated_power_w: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2), nullable=True)
    rated_voltage_v: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2), nullable=True)
    rated_current_a: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2), nullable=True)
    current_upper_a: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2), nullable=True)
    current_lower_a: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2), nullable=True)
    socket_count: Mapped[int] = mapped_column(sa.Integer, default=10, nullable=False)
    produced_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    deployed_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    protocol: Mapped[str] = mapped_column(sa.String(50), default="bike_mqtt", nullable=False)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    online: Mapped[bool] = mapped_column(sa.Boolean, default=False, nullable=False)
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    online_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    firmware: Mapped[str] = mapped_column(sa.String(50), default="", server_default="", nullable=False)
    #: Device-level faults (socket 0 of a ``fault`` message): the manual's bitmap and its decoding.
    fault_bits: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0", nullable=False)
    faults: Mapped[list] = mapped_column(JSONType, default=list, server_default="[]", nullable=False)
    #: MQTT 账号: username is the factory id; the password is issued when the device is added,
    #: Fernet-encrypted (``CHARGEHUB_SECRETS_KEYS``) and pushed to the broker (see chargehub.mqtt.accounts).
    mqtt_password: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    account_state: Mapped[AccountState] = mapped_column(_enum(AccountState), default=AccountState.PENDING,
                                                        server_default="pending", nullable=False)
    account_error: Mapped[str] = mapped_column(sa.String(200), default="", server_default="", nullable=False)
    account_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SocketState(str, enum.Enum):
    """插座状态."""

    IDLE = "idle"  # 空闲中
    PLUGGED = "plugged"  # 已插入 (a load is connected, not charging)
    CHARGING = "charging"  # 充电中
    FAULT = "fault"  # 故障
    OFFLINE = "offline"  # 离线 (its device is offline)


class Socket(BikePlaced, db.Model):
    """插座: one outlet of a device; drivers scan its QR code (``qr_token``) to charge."""

    __tablename__ = "bike_socket"
    __table_args__ = (sa.UniqueConstraint("device_id", "number"),)

    device_id: Mapped[int] = mapped_column(sa.ForeignKey("bike_device.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(sa.Integer)
    state: Mapped[SocketState] = mapped_column(_enum(SocketState), default=SocketState.IDLE, nullable=False)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    qr_token: Mapped[str] = mapped_column(sa.String(24), default=new_token, unique=True, nullable=False)
