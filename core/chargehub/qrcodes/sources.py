"""The QR-code export kinds ``gun`` and ``socket``, and the captions printed with a single QR code.

Filters are the search args of the gun / socket list endpoints (汽车管理 3.2.6 电枪, 单车管理 3.3.4 插座):
the same columns, the same matching (ids and states equal, codes and names contain), scoped with the
one scoping helper for the user who asked.
"""
from __future__ import annotations

from typing import Any, Mapping

import marshmallow as ma
import sqlalchemy as sa

from chargehub.assets.services.guns import gun_conditions
from chargehub.assets.services.sockets import socket_conditions
from chargehub.assets.bike_models import BikeDevice, BikeStation, Socket, SocketState
from chargehub.assets.car_models import CarStation, Gun, GunState, Pile
from chargehub.exports.kinds import ExportSource
from chargehub.extensions import db
from chargehub.qrcodes.images import Caption
from chargehub.qrcodes.rows import asset_code
from chargehub.tenancy.scope import Scope, condition

HEADERS_GUN = ("电站", "二维码", "二维码URL", "出厂标识", "充电桩", "枪号", "编号")
HEADERS_SOCKET = ("电站", "二维码", "二维码URL", "出厂标识", "设备", "插座号", "编号")
WIDTHS = (24, 16, 52, 24, 20, 8, 16)


class _Filters(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    station_id = ma.fields.Integer(load_default=None, metadata={"description": "电站"})
    area_id = ma.fields.Integer(load_default=None, metadata={"description": "区域"})
    factory_id = ma.fields.String(load_default=None, metadata={"description": "出厂标识（包含）"})
    enabled = ma.fields.Boolean(load_default=None, metadata={"description": "启用状态"})


class GunFilters(_Filters):
    """Search args of the gun list (电枪管理)."""

    pile_code = ma.fields.String(load_default=None, metadata={"description": "桩编号（包含）"})
    state = ma.fields.String(load_default=None, validate=ma.validate.OneOf([s.value for s in GunState]),
                             metadata={"description": "电枪状态"})


class SocketFilters(_Filters):
    """Search args of the socket list (插座管理)."""

    device_code = ma.fields.String(load_default=None, metadata={"description": "设备编号（包含）"})
    device_name = ma.fields.String(load_default=None, metadata={"description": "设备名称（包含）"})
    state = ma.fields.String(load_default=None, validate=ma.validate.OneOf([s.value for s in SocketState]),
                             metadata={"description": "插座状态"})


def _where(statement: sa.Select, conditions) -> sa.Select:
    for item in conditions:
        if item is not None:
            statement = statement.where(item)
    return statement


def gun_statement(filters: Mapping[str, Any], scope: Scope) -> sa.Select:
    """Guns matching the gun list's ``filters`` within ``scope``: id first, then the export's columns."""
    statement = (sa.select(Gun.id, CarStation.name, Gun.qr_token, Pile.factory_id, Pile.name, Gun.number, Pile.code)
                 .join(Pile, Pile.id == Gun.pile_id).join(CarStation, CarStation.id == Gun.station_id)
                 .where(condition(Gun, scope)))
    return _where(statement, gun_conditions(filters))


def socket_statement(filters: Mapping[str, Any], scope: Scope) -> sa.Select:
    """Sockets matching the socket list's ``filters`` within ``scope``: id first, then the export's columns."""
    statement = (sa.select(Socket.id, BikeStation.name, Socket.qr_token, BikeDevice.factory_id, BikeDevice.name,
                           Socket.number, BikeDevice.code)
                 .join(BikeDevice, BikeDevice.id == Socket.device_id)
                 .join(BikeStation, BikeStation.id == Socket.station_id)
                 .where(condition(Socket, scope)))
    return _where(statement, socket_conditions(filters))


GUN_QR = ExportSource(title="电枪二维码", permission="car.gun:qrcode", filters_schema=GunFilters,
                      headers=HEADERS_GUN, statement=gun_statement, key=Gun.id, row="chargehub.qrcodes.rows:gun_row",
                      image_column=1, widths=WIDTHS)
SOCKET_QR = ExportSource(title="插座二维码", permission="bike.socket:qrcode", filters_schema=SocketFilters,
                         headers=HEADERS_SOCKET, statement=socket_statement, key=Socket.id, row="chargehub.qrcodes.rows:socket_row",
                         image_column=1, widths=WIDTHS)


def gun_caption(gun: Gun) -> Caption:
    """The words printed with a gun's QR code: station, "<pile> N号枪", code and the station hotline."""
    pile = db.session.get(Pile, gun.pile_id)
    station = db.session.get(CarStation, gun.station_id)
    return Caption(station=station.name, label=f"{pile.name} {gun.number}号枪",
                   code=asset_code(pile.code, gun.number), hotline=station.hotline)


def socket_caption(socket: Socket) -> Caption:
    """The words printed with a socket's QR code: station, "<device> N号插座", code and service phone."""
    device = db.session.get(BikeDevice, socket.device_id)
    station = db.session.get(BikeStation, socket.station_id)
    return Caption(station=station.name, label=f"{device.name} {socket.number}号插座",
                   code=asset_code(device.code, socket.number), hotline=station.service_phone)
