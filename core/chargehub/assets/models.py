"""Charging assets shared by both sides: the station columns, station-level configuration.

Car side (:mod:`.car_models`): station → area → parking spaces, cameras, piles → guns.
E-bike side (:mod:`.bike_models`): station → area → devices → sockets.
Every asset row carries its provider and property (and station) so the one scoping helper applies.
"""
from __future__ import annotations

import enum
import secrets
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from chargehub.db import AuditMixin, JSONType, UTCDateTime, utcnow
from chargehub.extensions import db
from chargehub.tenancy.models import AuditState, StationKind, _enum


def new_token() -> str:
    """A stable, unguessable public token (QR URLs, application forms)."""
    return secrets.token_urlsafe(9)


class OperationType(str, enum.Enum):
    """运营性质."""

    SELF_OPERATED = "self_operated"  # 自营
    SELF_USE = "self_use"  # 自用
    PUBLIC = "public"  # 对外开放
    PARTNER = "partner"  # 合作运营


def owner_fk(target: str) -> Mapped[int]:
    """An indexed, required foreign key to an owning row (RESTRICT: an owner with children is never deleted)."""
    return mapped_column(sa.ForeignKey(target, ondelete="RESTRICT"), index=True)


class AssetOwned(AuditMixin):
    """What every asset below a station carries: its id, provider and property (for the scope helper).

    Each side adds its station (and area) on top: ``CarOwned`` / ``CarPlaced``, ``BikeOwned`` / ``BikePlaced``.
    """

    id: Mapped[int] = mapped_column(primary_key=True)

    @declared_attr
    def provider_id(cls) -> Mapped[int]:
        return owner_fk("service_provider.id")

    @declared_attr
    def property_id(cls) -> Mapped[int]:
        return owner_fk("property.id")


class StationColumns(AssetOwned):
    """What car and e-bike stations share: owner, name, state, audit, address, public token."""

    name: Mapped[str] = mapped_column(sa.String(100))
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    operation_type: Mapped[OperationType] = mapped_column(_enum(OperationType), default=OperationType.SELF_OPERATED,
                                                          nullable=False)
    business_hours: Mapped[str] = mapped_column(sa.String(50), default="00:00-24:00", nullable=False)
    province: Mapped[str] = mapped_column(sa.String(50), default="", nullable=False)
    city: Mapped[str] = mapped_column(sa.String(50), default="", nullable=False)
    district: Mapped[str] = mapped_column(sa.String(50), default="", nullable=False)
    address: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    longitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 6), nullable=True)
    latitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 6), nullable=True)
    audit_state: Mapped[AuditState] = mapped_column(_enum(AuditState), default=AuditState.PENDING, nullable=False)
    audit_remark: Mapped[str] = mapped_column(sa.String(500), default="", nullable=False)
    audited_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    audited_by: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    public_token: Mapped[str] = mapped_column(sa.String(24), default=new_token, unique=True, nullable=False)


class StationInvoiceConfig(AuditMixin, db.Model):
    """发票配置: the seller's invoicing data of one station (without it, its orders cannot be invoiced)."""

    __tablename__ = "station_invoice_config"
    __table_args__ = (sa.UniqueConstraint("station_kind", "station_id"),)
    __scope__ = {"provider": "provider_id", "property": "property_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    station_kind: Mapped[StationKind] = mapped_column(_enum(StationKind))
    station_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("service_provider.id", ondelete="RESTRICT"), index=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("property.id", ondelete="RESTRICT"), index=True)
    merchant_no: Mapped[str] = mapped_column(sa.String(64))
    seller_address: Mapped[str] = mapped_column(sa.String(200))
    bank_account: Mapped[str] = mapped_column(sa.String(64))
    bank_name: Mapped[str] = mapped_column(sa.String(100))
    drawer: Mapped[str] = mapped_column(sa.String(50))
    company_name: Mapped[str] = mapped_column(sa.String(100))
    payee: Mapped[str] = mapped_column(sa.String(50))
    reviewer: Mapped[str] = mapped_column(sa.String(50))
    taxpayer_id: Mapped[str] = mapped_column(sa.String(30))
    electricity_rate: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4))
    electricity_rate_code: Mapped[str] = mapped_column(sa.String(30))
    service_rate: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4))
    service_rate_code: Mapped[str] = mapped_column(sa.String(30))
    phone: Mapped[str] = mapped_column(sa.String(30))


class StationPlugin(db.Model):
    """支付配置 (and other station-level plugin settings): a plugin on for one station, with the
    settings the plugin's ``station_settings_schema`` validated; secrets encrypted like tenant settings."""

    __tablename__ = "station_plugin"
    __table_args__ = (sa.UniqueConstraint("station_kind", "station_id", "plugin"),)
    __scope__ = {"provider": "provider_id", "property": "property_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    station_kind: Mapped[StationKind] = mapped_column(_enum(StationKind))
    station_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("service_provider.id", ondelete="RESTRICT"), index=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("property.id", ondelete="RESTRICT"), index=True)
    plugin: Mapped[str] = mapped_column(sa.String(50))
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    settings: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    secrets: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)
    updated_by: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
