"""实时状态 of e-bike chargers: a device's liveness, firmware, faults and MQTT 账号, its sockets' live figures.

Reads what the gateway wrote (:class:`~chargehub.assets.bike_models.BikeDevice`'s liveness and fault
columns, :class:`~chargehub.devices.bike_models.SocketLive`). A socket its charger never reported on
has every live figure ``None`` (unknown), like a silent gun (:mod:`.status`).

The account's password is only ever read by :func:`mqtt_account` (audited); the status answers carry
the account's state, never the password. :func:`annotate_device_faults` and :func:`annotate_socket_live`
put the fault marker and the live figures on the 设备管理 / 插座管理 list rows.
"""
from __future__ import annotations

from typing import Any, Iterable

import sqlalchemy as sa

from chargehub.assets.bike_models import BikeDevice, Socket, SocketState
from chargehub.devices import accounts
from chargehub.devices.admin.status import fault_texts, live_rows, live_values
from chargehub.devices.bike_models import SocketLive
from chargehub.extensions import db
from chargehub.tenancy.audit_log import record

#: The :class:`SocketLive` columns a socket entry carries as they are.
LIVE_FIELDS = ("trade_no", "voltage_v", "current_a", "power_w", "energy_kwh", "elapsed_s", "fault_bits",
               "last_start", "last_stop", "updated_at")


def fault_code(bits: int | None) -> str | None:
    """The code the charger displays for a fault bitmap: decimal, four digits (``33`` → ``"0033"``);
    ``None`` for no fault."""
    return f"{bits:04d}" if bits else None


def socket_entry(socket: Socket, live: SocketLive | None) -> dict[str, Any]:
    """One socket as the status endpoints answer it: number, state, enabled plus its live figures."""
    entry = {"id": socket.id, "number": socket.number, "state": socket.state, "enabled": socket.enabled,
             **live_values(live, LIVE_FIELDS)}
    entry["fault_code"] = fault_code(entry["fault_bits"])
    return entry


def device_status(device: BikeDevice) -> dict[str, Any]:
    """The device's 在线状态, firmware, device-level faults, MQTT account state and its sockets (by number)."""
    sockets = db.session.execute(sa.select(Socket).where(Socket.device_id == device.id)
                                 .order_by(Socket.number)).scalars().all()
    live = live_rows(SocketLive.socket_id, {s.id for s in sockets})
    return {"id": device.id, "code": device.code, "name": device.name, "factory_id": device.factory_id,
            "protocol": device.protocol, "enabled": device.enabled, "online": device.online,
            "last_heartbeat_at": device.last_heartbeat_at, "online_changed_at": device.online_changed_at,
            "firmware": device.firmware, "fault_bits": device.fault_bits,
            "fault_code": fault_code(device.fault_bits), "faults": fault_texts(device.faults),
            "account": {"state": device.account_state.value, "error": device.account_error,
                        "synced_at": device.account_synced_at},
            "sockets": [socket_entry(s, live.get(s.id)) for s in sockets]}


def socket_status(socket: Socket) -> dict[str, Any]:
    """One socket's entry plus its device's code, name, factory id and liveness."""
    device = db.session.get(BikeDevice, socket.device_id)
    entry = socket_entry(socket, live_rows(SocketLive.socket_id, {socket.id}).get(socket.id))
    entry.update(device_id=device.id, device_code=device.code, device_name=device.name,
                 factory_id=device.factory_id, device_online=device.online,
                 last_heartbeat_at=device.last_heartbeat_at, online_changed_at=device.online_changed_at)
    return entry


def mqtt_account(device: BikeDevice) -> dict[str, Any]:
    """查看账号: the device's broker credentials, password included; the viewing is audited."""
    answer = accounts.credentials(device)
    record("bike_device.view_mqtt_account", target=device, username=answer["username"])
    db.session.commit()
    return answer


# -------------------------------------------------------------------------- list rows of the asset pages


def annotate_device_faults(devices: Iterable[BikeDevice]) -> list[BikeDevice]:
    """Set ``faults`` (device-level, in words), ``fault_code``, ``fault_sockets`` (numbers of the sockets in
    fault or reporting a fault) and ``has_fault`` (the list's fault marker) on each device."""
    devices = list(devices)
    ids = {d.id for d in devices}
    faulty: dict[int, set[int]] = {}
    if ids:
        rows = db.session.execute(
            sa.select(Socket.device_id, Socket.number)
            .outerjoin(SocketLive, SocketLive.socket_id == Socket.id)
            .where(Socket.device_id.in_(ids),
                   sa.or_(Socket.state == SocketState.FAULT, sa.func.coalesce(SocketLive.fault_bits, 0) != 0)))
        for device_id, number in rows:
            faulty.setdefault(device_id, set()).add(number)
    for device in devices:
        device.fault_texts = fault_texts(device.faults)
        device.fault_code = fault_code(device.fault_bits)
        device.fault_sockets = sorted(faulty.get(device.id, ()))
        device.has_fault = bool(device.fault_bits or device.fault_sockets)
    return devices


def annotate_socket_live(sockets: Iterable[Socket]) -> list[Socket]:
    """Set the live figures (``voltage_v`` ... ``faults``, ``live_updated_at``) on each socket; ``None`` (and
    no faults) for a socket never reported on."""
    sockets = list(sockets)
    live = live_rows(SocketLive.socket_id, {s.id for s in sockets})
    for socket in sockets:
        values = live_values(live.get(socket.id), LIVE_FIELDS)
        values["live_updated_at"] = values.pop("updated_at")
        for name, value in values.items():
            setattr(socket, name, value)
        socket.fault_code = fault_code(socket.fault_bits)
    return sockets
