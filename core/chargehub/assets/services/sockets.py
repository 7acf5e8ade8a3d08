"""插座管理 (3.3.4): enable / disable sockets and the columns of the socket list.

Sockets are created and deleted with their device (:mod:`.devices`). A socket is usable by drivers
only while it, its device, its area and its station are all enabled.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import sqlalchemy as sa

from chargehub.api.listing import contains, equals
from chargehub.assets.bike_models import BikeArea, BikeDevice, BikeStation, Socket
from chargehub.extensions import db
from chargehub.qrcodes import charge_url
from chargehub.tenancy.audit_log import record


def set_socket_enabled(socket: Socket, enabled: bool) -> Socket:
    """启用 / 禁用. A disabled socket is 停用 to drivers."""
    socket.enabled = enabled
    record("bike_socket.enable" if enabled else "bike_socket.disable", target=socket)
    db.session.commit()
    return socket


def socket_usable(socket: Socket) -> bool:
    """Whether drivers may charge at ``socket``: it and its device, area and station are enabled."""
    rows = (socket, db.session.get(BikeDevice, socket.device_id), db.session.get(BikeArea, socket.area_id),
            db.session.get(BikeStation, socket.station_id))
    return all(row is not None and row.enabled for row in rows)


def socket_conditions(filters: Mapping[str, Any]) -> list:
    """The socket list's search (插座管理) as conditions on a select joined with :class:`BikeDevice`.

    Used by the list endpoint and the QR export, so both find the same sockets.
    """
    return [equals(Socket.station_id, filters.get("station_id")), equals(Socket.area_id, filters.get("area_id")),
            contains(BikeDevice.code, filters.get("device_code")), contains(BikeDevice.factory_id, filters.get("factory_id")),
            contains(BikeDevice.name, filters.get("device_name")), equals(Socket.state, filters.get("state")),
            equals(Socket.enabled, filters.get("enabled"))]


def annotate_sockets(sockets: Iterable[Socket]) -> list[Socket]:
    """Set device code / name / factory id, station and area names and ``charge_url`` on each socket."""
    sockets = list(sockets)
    devices = {d.id: d for d in db.session.execute(sa.select(BikeDevice).where(
        BikeDevice.id.in_({s.device_id for s in sockets} or {-1}))).scalars()}
    stations = dict(db.session.execute(sa.select(BikeStation.id, BikeStation.name).where(
        BikeStation.id.in_({s.station_id for s in sockets} or {-1}))).all())
    areas = dict(db.session.execute(sa.select(BikeArea.id, BikeArea.name).where(
        BikeArea.id.in_({s.area_id for s in sockets} or {-1}))).all())
    for socket in sockets:
        device = devices.get(socket.device_id)
        socket.device_code = device.code if device else None
        socket.device_name = device.name if device else None
        socket.factory_id = device.factory_id if device else None
        socket.station_name = stations.get(socket.station_id)
        socket.area_name = areas.get(socket.area_id)
        socket.charge_url = charge_url("socket", socket.qr_token)
    return sockets
