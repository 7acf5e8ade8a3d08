"""What an order is started on: a gun of a pile or a socket of an e-bike charger, with its whole chain.

:func:`load_connector` reads the connector with its device, area and station in one query;
:func:`problem` says in words why a driver cannot start on it now (``None`` when they can). The driver
API's lookups and the start service use these two, so what a driver is shown and what a start checks
never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from chargehub.assets.bike_models import BikeArea, BikeDevice, BikeStation, Socket, SocketState
from chargehub.assets.car_models import CarArea, CarStation, Gun, GunState, Pile
from chargehub.extensions import db
from chargehub.tenancy.models import AuditState, Property, ServiceProvider

#: Connector kinds: what the driver API calls them, and the order side they charge.
KINDS = {"gun": "car", "socket": "bike"}

OFFLINE = "设备离线，请更换充电桩或联系客服 (device offline)"
DISABLED = "设备已停用 (disabled)"
BUSY = "该接口正在充电中 (in use)"
FAULT = "设备故障 (fault)"
NO_RULE = "该区域未配置生效的计费规则 (no billing rule in force)"


@dataclass
class Connector:
    """A gun or a socket with its device, area and station (ORM rows of this session)."""

    kind: str  # "gun" / "socket"
    part: Gun | Socket
    device: Pile | BikeDevice
    area: CarArea | BikeArea
    station: CarStation | BikeStation
    owners_enabled: bool = True  # the station's service provider and property are both enabled

    @property
    def side(self) -> str:
        """The order side: ``car`` or ``bike``."""
        return KINDS[self.kind]

    @property
    def active_key(self) -> str:
        """The order's ``active_key`` while it runs on this connector."""
        return f"{self.kind}:{self.part.id}"

    @property
    def visible(self) -> bool:
        """Shown to drivers: the whole chain is enabled (up to the provider and the property: a disabled
        parent hides its children) and the station approved."""
        return bool(self.part.enabled and self.device.enabled and self.area.enabled and self.station.enabled
                    and self.station.audit_state is AuditState.APPROVED and self.owners_enabled)


def load_connector(kind: str, connector_id: int) -> Connector | None:
    """The gun (``kind="gun"``) or socket (``"socket"``) ``connector_id`` with its chain, or ``None``."""
    if kind == "gun":
        statement = (sa.select(Gun, Pile, CarArea, CarStation).join(Pile, Pile.id == Gun.pile_id)
                     .join(CarArea, CarArea.id == Gun.area_id).join(CarStation, CarStation.id == Gun.station_id)
                     .where(Gun.id == connector_id))
    elif kind == "socket":
        statement = (sa.select(Socket, BikeDevice, BikeArea, BikeStation)
                     .join(BikeDevice, BikeDevice.id == Socket.device_id).join(BikeArea, BikeArea.id == Socket.area_id)
                     .join(BikeStation, BikeStation.id == Socket.station_id).where(Socket.id == connector_id))
    else:
        raise ValueError(f"unknown connector kind {kind!r}")
    part = statement.column_descriptions[0]["entity"]
    statement = (statement.add_columns(sa.and_(ServiceProvider.enabled, Property.enabled))
                 .join(ServiceProvider, ServiceProvider.id == part.provider_id)
                 .join(Property, Property.id == part.property_id))
    row = db.session.execute(statement).first()
    return Connector(kind, *row[:4], owners_enabled=bool(row[4])) if row is not None else None


def problem(connector: Connector, *, rule: Any = True) -> str | None:
    """Why a driver cannot start on ``connector`` now, in words; ``None`` when they can.

    :param rule: the area's rule in force (``chargehub.billing.services.pricing.rule_for_area``), or
        ``True`` to skip that check.
    """
    if not connector.visible:
        return DISABLED
    if not connector.device.online:
        return OFFLINE
    state = connector.part.state
    if state in (GunState.CHARGING, SocketState.CHARGING):
        return BUSY
    if state in (GunState.FAULT, SocketState.FAULT):
        return FAULT
    if state in (GunState.OFFLINE, SocketState.OFFLINE):
        return OFFLINE
    if rule is None:
        return NO_RULE
    return None
