"""What every device kind shares in a batch: connection changes and 上下线记录, heartbeats, the states
of a device's connectors (guns, sockets), and the sweep of devices a dead gateway left online.

:class:`DeviceStates` does it for the devices of one kind, described by :class:`DeviceTables`
(:data:`PILES`, :data:`BIKES`); :mod:`.apply` (piles) and :mod:`.bike_apply` (e-bike chargers) add what
their kind reports on top.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from chargehub.assets.bike_models import BikeDevice, Socket, SocketState
from chargehub.assets.car_models import Gun, GunState, Pile
from chargehub.contracts.events import DeviceStatusEvent
from chargehub.db import utcnow
from chargehub.devices.ingest.directory import BikeRef, DeviceRef
from chargehub.devices.models import ConnectionState, DeviceKind, DeviceOnlineRecord
from chargehub.extensions import db

#: Reason of the 上线 record of a resumed login of a device that was marked offline.
RESUMED = "恢复通信 (resumed)"


@dataclass(frozen=True)
class ConnectionChange:
    """A device went online or offline on a gateway.

    ``resumed``: an online change from a :attr:`~chargehub.contracts.devices.LoginRequest.resumed`
    login; it changes (and records) nothing when the device is online already.
    """

    device_id: str
    protocol: str
    peer: str
    state: ConnectionState
    reason: str = ""
    occurred_at: datetime = field(default_factory=utcnow)
    resumed: bool = False


def as_decimal(value: Any, default: str = "0") -> Decimal:
    """A device's decimal string (or number) as a :class:`Decimal`; ``default`` when missing or malformed."""
    try:
        number = Decimal(str(value)) if value is not None else Decimal(default)
    except (InvalidOperation, ValueError):
        return Decimal(default)
    return number if number.is_finite() else Decimal(default)


def as_time(value: Any) -> datetime | None:
    """An ISO 8601 time (UTC when it carries no offset); ``None`` when missing or malformed."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def fault_text(faults: Any) -> str:
    """The faults of an event (``[{"text": ...}, ...]``) in words, for a state change's reason."""
    return "、".join(f["text"] for f in faults or [] if isinstance(f, dict) and "text" in f)


@dataclass(frozen=True)
class DeviceTables:
    """Where a device kind keeps what every kind has: the device row (``online``, ``online_changed_at``,
    ``last_heartbeat_at``, ``protocol``) and its connectors (``number``, ``state``) with their states."""

    kind: DeviceKind
    device: type  # Pile, BikeDevice
    part: type  # Gun, Socket
    part_fk: str  # the connector's column naming its device
    states: type[enum.Enum]  # GunState, SocketState: both have OFFLINE and IDLE
    part_type: str  # DeviceStatusEvent.device_type of a connector
    station_column: str  # DeviceOnlineRecord column of the device's station


PILES = DeviceTables(DeviceKind.PILE, Pile, Gun, "pile_id", GunState, "gun", "car_station_id")
BIKES = DeviceTables(DeviceKind.BIKE_DEVICE, BikeDevice, Socket, "device_id", SocketState, "socket", "bike_station_id")


class DeviceStates:
    """Connection changes, heartbeats and connector states of the devices of one kind in a batch.

    Connection changes keep the last change per device (one UPDATE per state, records inserted
    together); connector states one SELECT and one UPDATE per new state, with a ``device_status_changed``
    notification (appended to the shared ``notifications``) per real change.
    """

    def __init__(self, tables: DeviceTables, notifications: list[tuple[int, DeviceStatusEvent]]) -> None:
        self.tables = tables
        self.notifications = notifications
        self.heartbeats: dict[int, datetime] = {}
        self.changes: dict[int, tuple[DeviceRef, ConnectionChange]] = {}  # device id -> its last change
        self.resumed: dict[int, tuple[DeviceRef, ConnectionChange]] = {}  # decided against the database
        #: connector id -> (device, new state, reason, only when the state is this one now)
        self.part_states: dict[int, tuple[DeviceRef, enum.Enum, str, enum.Enum | None]] = {}
        self.records: list[dict] = []  # 上下线记录 rows, inserted together

    def connection(self, ref: DeviceRef, change: ConnectionChange) -> bool:
        """上线 / 下线: a 上下线记录 now; the flag and connectors with the batch (last change wins).

        Returns ``True`` when the change takes effect now: the device's telemetry queued before it
        is older than it and dropped (the caller drops its own live figures). A resumed login is
        decided when the batch is written (the device may be online already), unless this batch
        already changed the device."""
        if change.resumed:
            last = self.changes.get(ref.id)
            if last is None:
                self.resumed[ref.id] = (ref, change)
                return False
            if last[1].state is ConnectionState.ONLINE:
                return False
        self.heartbeats.pop(ref.id, None)
        for part_id in ref.parts.values():
            self.part_states.pop(part_id, None)
        self.changes[ref.id] = (ref, change)
        self.records.append(online_record(ref, change.state, change.reason, protocol=change.protocol,
                                          peer=change.peer, at=change.occurred_at))
        return True

    def flush_connections(self) -> None:
        """Write the devices' online flags and their connectors' states: a few statements for any number."""
        t = self.tables
        changes, self.changes = self.changes, {}
        resumed, self.resumed = self.resumed, {}
        previous: dict[int, bool] = {}
        if changes or resumed:
            previous = dict(db.session.execute(sa.select(t.device.id, t.device.online).where(
                t.device.id.in_(set(changes) | set(resumed)))).all())
        for device_id, (ref, change) in resumed.items():
            if device_id not in changes and previous.get(device_id) is False:  # marked offline meanwhile
                changes[device_id] = (ref, change)
                self.records.append(online_record(ref, change.state, change.reason, protocol=change.protocol,
                                                  peer=change.peer, at=change.occurred_at))
        if self.records:
            db.session.execute(sa.insert(DeviceOnlineRecord), self.records)
            self.records = []
        if not changes:
            return
        by_state: dict[bool, list[int]] = {True: [], False: []}
        for device_id, (ref, change) in changes.items():
            if device_id not in previous:
                continue
            online = change.state is ConnectionState.ONLINE
            by_state[online].append(device_id)
            if previous[device_id] != online:
                self.notifications.append((ref.provider_id, DeviceStatusEvent(
                    device_id=ref.factory_id, device_type=t.kind.value, status=change.state.value,
                    occurred_at=change.occurred_at, previous="online" if previous[device_id] else "offline",
                    reason=change.reason)))
        now = utcnow()
        fk = getattr(t.part, t.part_fk)
        parts = db.session.execute(sa.select(t.part.id, fk, t.part.state).where(
            fk.in_([did for ids in by_state.values() for did in ids]))).all()
        for online, device_ids in by_state.items():
            if not device_ids:
                continue
            values = {"online": online, "online_changed_at": now}
            if online:
                values["last_heartbeat_at"] = now
            db.session.execute(sa.update(t.device).where(t.device.id.in_(device_ids)).values(**values))
        for part_id, device_id, state in parts:
            ref, change = changes[device_id]
            if change.state is ConnectionState.ONLINE:
                if state is t.states.OFFLINE:
                    self.part_states[part_id] = (ref, t.states.IDLE, change.reason, None)
            else:
                self.part_states[part_id] = (ref, t.states.OFFLINE, change.reason, None)

    def flush_heartbeats(self) -> None:
        """Write the coalesced heartbeats (:func:`write_heartbeats`)."""
        if self.heartbeats:
            write_heartbeats(self.tables.device.__table__, self.heartbeats)
            self.heartbeats = {}

    def flush_part_states(self) -> None:
        """Set connector states with one SELECT and one UPDATE per new state; notify each real change."""
        if not self.part_states:
            return
        t = self.tables
        targets, self.part_states = self.part_states, {}
        current = db.session.execute(sa.select(t.part.id, t.part.number, t.part.state).where(
            t.part.id.in_(targets))).all()
        changed: dict[enum.Enum, list[int]] = {}
        now = utcnow()
        for part_id, number, previous in current:
            ref, new, reason, only_from = targets[part_id]
            if previous is new or (only_from is not None and previous is not only_from):
                continue
            changed.setdefault(new, []).append(part_id)
            self.notifications.append((ref.provider_id, DeviceStatusEvent(
                device_id=f"{ref.factory_id}-{number:02d}", device_type=t.part_type, status=new.value,
                occurred_at=now, previous=previous.value, reason=reason)))
        for new, ids in changed.items():
            db.session.execute(sa.update(t.part).where(t.part.id.in_(ids)).values(state=new))


#: PostgreSQL: every heartbeat of a batch in one statement with two array parameters, so its compiled
#: form is cached (a VALUES list would be compiled again for every batch size). One per device table.
_PG_HEARTBEATS = {
    table.name: sa.text(
        f"UPDATE {table.name} SET last_heartbeat_at = beats.at "  # noqa: S608 - our own table names
        "FROM unnest(CAST(:ids AS integer[]), CAST(:ats AS timestamptz[])) AS beats(id, at) "
        f"WHERE {table.name}.id = beats.id")
    for table in (Pile.__table__, BikeDevice.__table__)}


def write_heartbeats(table: sa.Table, beats: dict[int, datetime]) -> None:
    """``last_heartbeat_at`` of many devices of ``table`` (``pile``, ``bike_device``): one ``UPDATE … FROM
    unnest(…)`` on PostgreSQL (one round trip and one cached statement for thousands of devices); a Core
    executemany elsewhere (the embedded SQLite)."""
    if db.session.get_bind().dialect.name == "postgresql" and table.name in _PG_HEARTBEATS:
        db.session.execute(_PG_HEARTBEATS[table.name], {"ids": list(beats), "ats": list(beats.values())})
        return
    db.session.execute(table.update().where(table.c.id == sa.bindparam("device_row"))
                       .values(last_heartbeat_at=sa.bindparam("at")),
                       [{"device_row": device_id, "at": at} for device_id, at in beats.items()])


def _tables_of(device: Any, kind: DeviceKind | str) -> DeviceTables:
    if isinstance(device, (BikeRef, BikeDevice)) or (device is None and kind == DeviceKind.BIKE_DEVICE.value):
        return BIKES
    return PILES


def online_record(device, state: ConnectionState, reason: str, *, protocol: str, peer: str,
                  at: datetime | None = None, factory_id: str = "", detail: dict | None = None,
                  kind: DeviceKind | str = DeviceKind.PILE) -> dict[str, Any]:
    """The values of a 上下线记录 row for a device of any kind: a :class:`Pile` / :class:`PileRef` or a
    :class:`BikeDevice` / :class:`BikeRef`. ``device`` ``None``: an unknown device of ``kind`` that tried to
    log in (no owner, only platform users see it)."""
    tables = _tables_of(device, kind)
    station = getattr(device, "station_id", None)
    return {
        "provider_id": getattr(device, "provider_id", None), "property_id": getattr(device, "property_id", None),
        "car_station_id": None, "bike_station_id": None, tables.station_column: station,
        "device_kind": tables.kind, "device_ref": getattr(device, "id", None),
        "device_name": getattr(device, "name", "") or "", "device_code": getattr(device, "code", "") or "",
        "factory_id": getattr(device, "factory_id", None) or factory_id, "protocol": protocol,
        "state": state, "reason": reason[:200], "peer": peer[:64], "detail": detail or {},
        "occurred_at": at or utcnow()}


def sweep_stale(cutoff: datetime, reason: str) -> int:
    """Mark devices (piles and e-bike chargers) offline whose last heartbeat is older than ``cutoff`` (a
    gateway died holding them): a 下线 record each, their guns or sockets offline. Returns how many."""
    swept = 0
    for t in (PILES, BIKES):
        rows = db.session.execute(sa.select(t.device).where(
            t.device.online.is_(True),
            sa.or_(t.device.last_heartbeat_at.is_(None), t.device.last_heartbeat_at < cutoff))).scalars().all()
        if not rows:
            continue
        ids = [row.id for row in rows]
        db.session.execute(sa.update(t.device).where(t.device.id.in_(ids)).values(
            online=False, online_changed_at=utcnow()))
        db.session.execute(sa.update(t.part).where(getattr(t.part, t.part_fk).in_(ids)).values(
            state=t.states.OFFLINE))
        db.session.execute(sa.insert(DeviceOnlineRecord), [
            online_record(row, ConnectionState.OFFLINE, reason, protocol=row.protocol, peer="") for row in rows])
        swept += len(rows)
    return swept
