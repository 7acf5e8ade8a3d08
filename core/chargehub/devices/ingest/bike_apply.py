"""Applying the events of e-bike chargers (两轮车充电设备), batched like the piles' (:mod:`.apply`).

What a charger reports lands in:

- ``bike_device``: ``online`` / ``online_changed_at`` and ``last_heartbeat_at`` (:class:`~.states.DeviceStates`),
  ``firmware`` (``login``), ``fault_bits`` / ``faults`` (``fault`` of socket 0, the whole device);
- ``bike_socket.state``: from ``status`` (``idle`` ``plugged`` ``charging`` ``fault``), ``fault`` of one
  socket (cleared: back to idle) and the device's connection (offline: every socket offline);
- :class:`~chargehub.devices.bike_models.SocketLive`: the socket's order, meter figures (``status`` with
  ``meter``), faults, last start and stop results — one row per socket, values merged in arrival order;
- :class:`~chargehub.devices.bike_models.BikeChargeRecord`: ``transaction_record``, stored once per
  device and order number, a resend only counted (``duplicates``, ``last_received_at``).

A socket reported ``disabled`` by its device keeps its state (no platform state says "switched off by the
device"); its faults and order are stored all the same.
"""
from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from chargehub.assets.bike_models import BikeDevice, SocketState
from chargehub.contracts.devices import DeviceEvent
from chargehub.contracts.events import DeviceStatusEvent
from chargehub.devices.bike_models import BikeChargeRecord, SocketLive
from chargehub.devices.ingest.directory import BikeRef
from chargehub.devices.ingest.states import BIKES, ConnectionChange, DeviceStates, as_decimal, as_time, fault_text
from chargehub.extensions import db

log = logging.getLogger("chargehub.devices.ingest")

#: ``status`` states -> socket states.
SOCKET_STATES = {"idle": SocketState.IDLE, "plugged": SocketState.PLUGGED, "charging": SocketState.CHARGING,
                 "fault": SocketState.FAULT}
#: What a socket's live row says when nothing charges on it (``idle`` / ``plugged``).
NOT_CHARGING = {"trade_no": None, "voltage_v": Decimal("0"), "current_a": Decimal("0"), "power_w": 0,
                "energy_kwh": Decimal("0"), "elapsed_s": 0}
FAULT_CLEARED = "故障恢复 (fault cleared)"


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


class BikeApplier:
    """The e-bike chargers' part of a :class:`~.apply.BatchApplier` batch (same transaction, same order).

    :param notifications: the batch's ``device_status_changed`` notifications, shared with the piles'.
    """

    def __init__(self, notifications: list[tuple[int, DeviceStatusEvent]]) -> None:
        self.states = DeviceStates(BIKES, notifications)
        self.live: dict[int, tuple[BikeRef, dict[str, Any]]] = {}  # socket id -> SocketLive columns to set
        self.device_faults: dict[int, dict[str, Any]] = {}  # device id -> its latest device-level faults

    # -- connection and telemetry ------------------------------------------------------------------

    def connection(self, ref: BikeRef, change: ConnectionChange) -> None:
        """上线 / 下线 (:meth:`DeviceStates.connection`). Live figures queued before it stay: they do not say
        whether the device is online, and start/stop results among them must not be lost."""
        self.states.connection(ref, change)

    def heartbeat(self, ref: BikeRef, event: DeviceEvent) -> None:
        self.states.heartbeats[ref.device_id] = event.occurred_at

    def status(self, ref: BikeRef, event: DeviceEvent) -> None:
        """A socket's state (``socket_status``) or its meter figures (``meter: true``)."""
        data = event.data
        self.states.heartbeats[ref.device_id] = event.occurred_at
        socket_id = self._socket(ref, data, "status")
        if socket_id is None:
            return
        state = str(data.get("state"))
        values: dict[str, Any] = {"trade_no": data.get("trade_no") or None}
        if data.get("meter"):
            values.update(voltage_v=as_decimal(data.get("voltage_v")), current_a=as_decimal(data.get("current_a")),
                          power_w=_int(data.get("power_w")), energy_kwh=as_decimal(data.get("energy_kwh")),
                          elapsed_s=_int(data.get("elapsed_s")))
        else:
            if state in ("idle", "plugged"):
                values.update(NOT_CHARGING)
            values.update(fault_bits=_int(data.get("fault_bits")), faults=list(data.get("faults") or []))
        self._queue_live(ref, socket_id, event.occurred_at, values)
        new = SOCKET_STATES.get(state)
        if new is not None:
            self.states.part_states[socket_id] = (ref, new, fault_text(data.get("faults")), None)

    def flush_telemetry(self) -> None:
        """Write the coalesced heartbeats, device faults and socket live rows (states go to ``states``)."""
        self.states.flush_heartbeats()
        faults, self.device_faults = self.device_faults, {}
        for device_id, values in faults.items():
            db.session.execute(sa.update(BikeDevice).where(BikeDevice.id == device_id).values(**values))
        if not self.live:
            return
        live, self.live = self.live, {}
        rows = {row.socket_id: row for row in db.session.execute(
            sa.select(SocketLive).where(SocketLive.socket_id.in_(live))).scalars()}
        for socket_id, (ref, values) in live.items():
            row = rows.get(socket_id)
            if row is None:
                row = SocketLive(socket_id=socket_id, device_id=ref.device_id, faults=[], last_start={}, last_stop={})
                db.session.add(row)
            for column, value in values.items():
                setattr(row, column, value)

    def _socket(self, ref: BikeRef, data: Any, what: str) -> int | None:
        socket_id = ref.sockets.get(_int(data.get("socket")))
        if socket_id is None:
            log.warning("%s of unknown socket %s of e-bike device %s", what, data.get("socket"), ref.factory_id)
        return socket_id

    def _queue_live(self, ref: BikeRef, socket_id: int, at: datetime, values: dict[str, Any]) -> None:
        """Merge ``values`` into the socket's pending live row (later events win, column by column)."""
        pending = self.live.setdefault(socket_id, (ref, {}))[1]
        pending.update(values)
        pending["updated_at"] = at

    # -- other events ------------------------------------------------------------------------------

    def on_login(self, ref: BikeRef, event: DeviceEvent) -> None:
        firmware = str(event.data.get("firmware") or "")[:50]
        if firmware:
            db.session.execute(sa.update(BikeDevice).where(BikeDevice.id == ref.device_id).values(firmware=firmware))

    def on_fault(self, ref: BikeRef, event: DeviceEvent) -> None:
        """Socket 0: the whole device's faults; socket n: the socket's, and it is faulty (cleared: idle again)."""
        data = event.data
        values = {"fault_bits": _int(data.get("fault_bits")), "faults": list(data.get("faults") or [])}
        cleared = bool(data.get("cleared")) or not values["fault_bits"]
        if _int(data.get("socket")) == 0:
            self.device_faults[ref.device_id] = values
            return
        socket_id = self._socket(ref, data, "fault")
        if socket_id is None:
            return
        self._queue_live(ref, socket_id, event.occurred_at, values)
        self.states.part_states[socket_id] = (
            (ref, SocketState.IDLE, FAULT_CLEARED, SocketState.FAULT) if cleared
            else (ref, SocketState.FAULT, fault_text(values["faults"]), None))

    def on_start_result(self, ref: BikeRef, event: DeviceEvent) -> None:
        socket_id = self._socket(ref, event.data, "start result")
        if socket_id is not None:
            self._queue_live(ref, socket_id, event.occurred_at,
                             {"last_start": {**event.data, "at": event.occurred_at.isoformat()}})

    def on_stop_result(self, ref: BikeRef, event: DeviceEvent) -> None:
        socket_id = self._socket(ref, event.data, "stop result")
        if socket_id is not None:
            self._queue_live(ref, socket_id, event.occurred_at,
                             {"last_stop": {**event.data, "at": event.occurred_at.isoformat()}})

    def on_transaction_record(self, ref: BikeRef, event: DeviceEvent) -> None:
        """Store the record once per device and order number; a resend only counts as a duplicate."""
        data = event.data
        trade_no = str(data.get("trade_no") or "")[:32]
        existing = self.existing_record(ref.device_id, trade_no)
        if existing is not None:
            # in SQL, so that copies counted by other gateway nodes at the same time all count
            existing.duplicates = BikeChargeRecord.duplicates + 1
            existing.last_received_at = event.occurred_at
            return
        number = _int(data.get("socket"))
        db.session.add(BikeChargeRecord(
            provider_id=ref.provider_id, property_id=ref.property_id, station_id=ref.station_id,
            device_id=ref.device_id, socket_id=ref.sockets.get(number), socket_number=number, trade_no=trade_no,
            record_id=str(data.get("record_id") or "")[:64], started_at=as_time(data.get("started_at")),
            ended_at=as_time(data.get("ended_at")), energy_kwh=as_decimal(data.get("energy_kwh")),
            elapsed_s=_int(data.get("elapsed_s")), max_power_w=_int(data.get("max_power_w")),
            stop_reason_code=str(data.get("stop_reason_code") or "")[:20],
            stop_reason=str(data.get("stop_reason") or "")[:200], fault_bits=_int(data.get("fault_bits")),
            faults=list(data.get("faults") or []), frame=str(data.get("frame") or ""),
            received_at=event.occurred_at, last_received_at=event.occurred_at))
        db.session.flush()  # a copy another gateway node stored meanwhile fails here, inside this batch

    @staticmethod
    def existing_record(device_id: int, trade_no: str) -> BikeChargeRecord | None:
        """The stored record of ``trade_no`` from device ``device_id`` (flushes this batch's records first)."""
        return db.session.execute(sa.select(BikeChargeRecord).where(
            BikeChargeRecord.device_id == device_id, BikeChargeRecord.trade_no == trade_no)).scalar_one_or_none()
