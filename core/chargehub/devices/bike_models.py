"""What the gateway writes about e-bike chargers: live socket figures and end-of-charge records.

- :class:`SocketLive`: the latest real-time figures of a socket (voltage, current, power, energy,
  elapsed time, faults), one row per socket, overwritten in batches by the gateway (kept apart from
  ``bike_socket`` so telemetry never touches the asset row and its audit columns);
- :class:`BikeChargeRecord`: every end-of-charge record (充电记录) a charger uploaded, stored once per
  device and order number however often the charger resends it; records no order claims stay 待核对.

The charger's own online state, firmware and faults are columns of
:class:`chargehub.assets.bike_models.BikeDevice`; its broker account is described there too.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from chargehub.db import JSONType, UTCDateTime, utcnow
from chargehub.devices.models import ReviewState
from chargehub.extensions import db
from chargehub.tenancy.models import _enum


class SocketLive(db.Model):
    """实时数据 of one socket: what its charger reported last."""

    __tablename__ = "bike_socket_live"

    socket_id: Mapped[int] = mapped_column(sa.ForeignKey("bike_socket.id", ondelete="CASCADE"), primary_key=True)
    device_id: Mapped[int] = mapped_column(sa.ForeignKey("bike_device.id", ondelete="CASCADE"), index=True)
    trade_no: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    voltage_v: Mapped[Decimal] = mapped_column(sa.Numeric(8, 1), default=Decimal("0"), nullable=False)
    current_a: Mapped[Decimal] = mapped_column(sa.Numeric(8, 3), default=Decimal("0"), nullable=False)
    power_w: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    energy_kwh: Mapped[Decimal] = mapped_column(sa.Numeric(12, 4), default=Decimal("0"), nullable=False)
    elapsed_s: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    fault_bits: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    faults: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    last_start: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    last_stop: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class BikeChargeRecord(db.Model):
    """充电记录 as the e-bike charger uploaded it, before and independent of settlement."""

    __tablename__ = "bike_charge_record"
    __scope__ = {"provider": "provider_id", "property": "property_id", "bike_station": "station_id"}
    __table_args__ = (sa.UniqueConstraint("device_id", "trade_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("service_provider.id", ondelete="RESTRICT"), index=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("property.id", ondelete="RESTRICT"))
    station_id: Mapped[int] = mapped_column(sa.ForeignKey("bike_station.id", ondelete="RESTRICT"), index=True)
    device_id: Mapped[int] = mapped_column(sa.ForeignKey("bike_device.id", ondelete="RESTRICT"), index=True)
    socket_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bike_socket.id", ondelete="SET NULL"), nullable=True)
    socket_number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    trade_no: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    record_id: Mapped[str] = mapped_column(sa.String(64), default="", nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    energy_kwh: Mapped[Decimal] = mapped_column(sa.Numeric(12, 4), default=Decimal("0"), nullable=False)
    elapsed_s: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    max_power_w: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    stop_reason_code: Mapped[str] = mapped_column(sa.String(20), default="", nullable=False)
    stop_reason: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    fault_bits: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    faults: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    review_state: Mapped[ReviewState] = mapped_column(_enum(ReviewState), default=ReviewState.PENDING,
                                                      nullable=False)
    duplicates: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    frame: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    last_received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
