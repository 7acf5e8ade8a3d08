"""Stations: the unit that data scope and station bindings work on.

System management needs stations to exist (users are bound to them; property users see their
property's stations). The charging-assets module adds every other field the manual lists.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from chargehub.db import AuditMixin
from chargehub.extensions import db


class StationColumns(AuditMixin):
    """What car and e-bike stations share: the owning provider and property, a name, a state."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)

    @declared_attr
    def provider_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("service_provider.id", ondelete="RESTRICT"), index=True)

    @declared_attr
    def property_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("property.id", ondelete="RESTRICT"), index=True)


class CarStation(StationColumns, db.Model):
    """汽车电站: belongs to a property of a service provider."""

    __tablename__ = "car_station"
    __scope__ = {"provider": "provider_id", "property": "property_id", "car_station": "id"}


class BikeStation(StationColumns, db.Model):
    """单车电站: belongs to a property of a service provider."""

    __tablename__ = "bike_station"
    __scope__ = {"provider": "provider_id", "property": "property_id", "bike_station": "id"}
