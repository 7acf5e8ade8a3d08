"""Applying device events and connection changes to the database, a batch per transaction.

:func:`apply_batch` walks the items in arrival order (so per-device order holds). Telemetry is
coalesced: a pile's heartbeats become one ``last_heartbeat_at``, a gun's status samples one
:class:`~chargehub.devices.models.GunLive` write; coalesced telemetry is written before any
connection change or durable event, so "offline" is never overwritten by an older sample.

Other domains (orders) add handlers with :func:`register_handler`; they run inside the same
transaction, after core's own handling of the event.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable

import sqlalchemy as sa

from chargehub.assets.car_models import Gun, GunState, LockState, ParkingSpace, Pile
from chargehub.contracts.devices import DeviceEvent
from chargehub.contracts.events import DeviceStatusEvent
from chargehub.db import utcnow
from chargehub.devices.ingest.directory import DeviceDirectory, PileRef
from chargehub.devices.models import (
    ConnectionState,
    DeviceKind,
    DeviceOnlineRecord,
    GunLive,
    PileTransactionRecord,
)
from chargehub.extensions import db, plugin_host

log = logging.getLogger("chargehub.devices.ingest")

#: A handler another domain registers: ``handler(event, pile_ref)`` inside the batch's transaction.
Handler = Callable[[DeviceEvent, PileRef], None]
_EXTRA_HANDLERS: dict[str, list[Handler]] = {}

#: ``status`` states -> gun states (``idle`` with the gun plugged in is 已插枪).
GUN_STATES = {"offline": GunState.OFFLINE, "fault": GunState.FAULT, "idle": GunState.IDLE,
              "charging": GunState.CHARGING}
LOCK_STATES = {"up": LockState.UP, "down": LockState.DOWN}


def register_handler(event_type: str, handler: Handler) -> None:
    """Run ``handler`` for every ``event_type`` event of a known pile, after core's own handling."""
    _EXTRA_HANDLERS.setdefault(event_type, []).append(handler)


@dataclass(frozen=True)
class ConnectionChange:
    """A pile went online or offline on a gateway."""

    device_id: str
    protocol: str
    peer: str
    state: ConnectionState
    reason: str = ""
    occurred_at: datetime = field(default_factory=utcnow)


def _dec(value: Any, default: str = "0") -> Decimal:
    try:
        return Decimal(str(value)) if value is not None else Decimal(default)
    except (InvalidOperation, ValueError):
        return Decimal(default)


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


class BatchApplier:
    """Applies one batch inside the caller's transaction (the writer commits or rolls back).

    Everything that can be grouped is: heartbeats (one UPDATE), status samples (latest per gun), gun
    state changes (one SELECT, one UPDATE per new state), connection changes (last state per pile,
    one UPDATE per state, records inserted together). Order within a pile holds because a
    connection change discards that pile's telemetry queued before it (it is older than the change)
    and the changes are written before the telemetry that followed them.
    """

    def __init__(self, directory: DeviceDirectory) -> None:
        self.directory = directory
        self.heartbeats: dict[int, datetime] = {}
        self.samples: dict[int, tuple[PileRef, DeviceEvent]] = {}  # gun id -> latest status event
        self.live_json: dict[int, tuple[PileRef, dict[str, Any]]] = {}  # gun id -> JSON columns to set
        self.changes: dict[int, tuple[PileRef, ConnectionChange]] = {}  # pile id -> its last change
        self.gun_states: dict[int, tuple[PileRef, GunState, str]] = {}  # gun id -> (pile, new state, reason)
        self.notifications: list[tuple[int, DeviceStatusEvent]] = []
        self.records: list[dict] = []  # 上下线记录 rows, inserted together

    # -- entry points ------------------------------------------------------------------------------

    def apply(self, items: Iterable[ConnectionChange | DeviceEvent]) -> None:
        """Apply ``items`` in order; call :meth:`finish` afterwards (before commit)."""
        for item in items:
            ref = self.directory.pile(item.device_id)
            if ref is None:
                log.warning("%s from %s, which is not logged in here; ignored",
                            getattr(item, "type", "connection change"), item.device_id)
                continue
            if isinstance(item, ConnectionChange):
                self.connection(ref, item)
            elif item.type == "heartbeat":
                self.heartbeat(ref, item)
            elif item.type == "status":
                self.status(ref, item)
            else:
                handler = getattr(self, f"on_{item.type}", None)
                if handler is not None:
                    handler(ref, item)
                for extra in _EXTRA_HANDLERS.get(item.type, ()):
                    extra(item, ref)

    def finish(self) -> None:
        """Write connection changes, then telemetry and gun states; queue the listener-hook notifications."""
        self.flush_connections()
        self.flush_telemetry()
        self.flush_gun_states()
        for tenant_id, event in self.notifications:
            plugin_host.notify("device_status_changed", tenant_id, event=event)
        self.notifications.clear()

    # -- telemetry ---------------------------------------------------------------------------------

    def heartbeat(self, ref: PileRef, event: DeviceEvent) -> None:
        self.heartbeats[ref.pile_id] = event.occurred_at
        if event.data.get("fault"):
            gun_id = ref.guns.get(int(event.data.get("gun") or 0))
            if gun_id is not None:
                self.gun_states[gun_id] = (ref, GunState.FAULT, "心跳报告故障 (heartbeat reports a fault)")

    def status(self, ref: PileRef, event: DeviceEvent) -> None:
        gun_id = ref.guns.get(int(event.data.get("gun") or 0))
        self.heartbeats[ref.pile_id] = event.occurred_at
        if gun_id is None:
            log.warning("status of unknown gun %s of pile %s", event.data.get("gun"), ref.factory_id)
            return
        self.samples[gun_id] = (ref, event)

    def flush_telemetry(self) -> None:
        """Write the coalesced heartbeats and status samples (gun states go to :attr:`gun_states`)."""
        if self.heartbeats:
            write_heartbeats(self.heartbeats)
            self.heartbeats.clear()
        if not self.samples and not self.live_json:
            return
        samples, self.samples = self.samples, {}
        updates, self.live_json = self.live_json, {}
        rows = {row.gun_id: row for row in db.session.execute(
            sa.select(GunLive).where(GunLive.gun_id.in_(set(samples) | set(updates)))).scalars()}
        for gun_id, (ref, values) in updates.items():
            row = self._live_row(rows, gun_id, ref)
            for column, value in values.items():
                setattr(row, column, {**(row.bms or {}), **value} if column == "bms" else value)
        for gun_id, (ref, event) in samples.items():
            row = self._live_row(rows, gun_id, ref)
            self._write_live(row, event)
            data = event.data
            state = GUN_STATES.get(str(data.get("state")))
            if state is GunState.IDLE and data.get("plugged"):
                state = GunState.PLUGGED
            if state is not None:
                faults = "、".join(f["text"] for f in data.get("faults") or [] if isinstance(f, dict) and "text" in f)
                self.gun_states[gun_id] = (ref, state, faults)

    def flush_gun_states(self) -> None:
        """Set gun states with one SELECT and one UPDATE per new state; notify each real change."""
        if not self.gun_states:
            return
        targets, self.gun_states = self.gun_states, {}
        current = db.session.execute(sa.select(Gun.id, Gun.number, Gun.state).where(Gun.id.in_(targets))).all()
        changed: dict[GunState, list[int]] = {}
        now = utcnow()
        for gun_id, number, previous in current:
            ref, new, reason = targets[gun_id]
            if previous is new:
                continue
            changed.setdefault(new, []).append(gun_id)
            self.notifications.append((ref.provider_id, DeviceStatusEvent(
                device_id=f"{ref.factory_id}-{number:02d}", device_type="gun", status=new.value,
                occurred_at=now, previous=previous.value, reason=reason)))
        for new, ids in changed.items():
            db.session.execute(sa.update(Gun).where(Gun.id.in_(ids)).values(state=new))

    # -- connection changes ------------------------------------------------------------------------

    def connection(self, ref: PileRef, change: ConnectionChange) -> None:
        """上线 / 下线: a 上下线记录 now; the pile's flag and guns with the batch (last change wins).

        Telemetry of the pile queued before the change is older than it and dropped."""
        self.heartbeats.pop(ref.pile_id, None)
        for gun_id in ref.guns.values():
            self.samples.pop(gun_id, None)
            self.gun_states.pop(gun_id, None)
        self.changes[ref.pile_id] = (ref, change)
        self.records.append(online_record(ref, change.state, change.reason, protocol=change.protocol,
                                          peer=change.peer, at=change.occurred_at))

    def flush_connections(self) -> None:
        """Write the piles' online flags and their guns' states: a few statements for any number of piles."""
        if self.records:
            db.session.execute(sa.insert(DeviceOnlineRecord), self.records)
            self.records.clear()
        if not self.changes:
            return
        changes, self.changes = self.changes, {}
        previous = dict(db.session.execute(sa.select(Pile.id, Pile.online).where(Pile.id.in_(changes))).all())
        by_state: dict[bool, list[int]] = {True: [], False: []}
        for pile_id, (ref, change) in changes.items():
            if pile_id not in previous:
                continue
            online = change.state is ConnectionState.ONLINE
            by_state[online].append(pile_id)
            if previous[pile_id] != online:
                self.notifications.append((ref.provider_id, DeviceStatusEvent(
                    device_id=ref.factory_id, device_type="pile", status=change.state.value,
                    occurred_at=change.occurred_at, previous="online" if previous[pile_id] else "offline",
                    reason=change.reason)))
        now = utcnow()
        guns = db.session.execute(sa.select(Gun.id, Gun.pile_id, Gun.state).where(
            Gun.pile_id.in_([pid for ids in by_state.values() for pid in ids]))).all()
        for online, pile_ids in by_state.items():
            if not pile_ids:
                continue
            values = {"online": online, "online_changed_at": now}
            if online:
                values["last_heartbeat_at"] = now
            db.session.execute(sa.update(Pile).where(Pile.id.in_(pile_ids)).values(**values))
        for gun_id, pile_id, state in guns:
            ref, change = changes[pile_id]
            if change.state is ConnectionState.ONLINE:
                if state is GunState.OFFLINE:
                    self.gun_states[gun_id] = (ref, GunState.IDLE, change.reason)
            else:
                self.gun_states[gun_id] = (ref, GunState.OFFLINE, change.reason)

    @staticmethod
    def _write_live(row: GunLive, event: DeviceEvent) -> None:
        data = event.data
        row.trade_no = data.get("trade_no") or None
        row.plugged = data.get("plugged")
        row.homed = data.get("homed")
        row.voltage_v = _dec(data.get("voltage_v"))
        row.current_a = _dec(data.get("current_a"))
        row.power_kw = _dec(data.get("power_kw"))
        row.soc = data.get("soc")
        row.energy_kwh = _dec(data.get("energy_kwh"))
        row.amount = _dec(data.get("amount"))
        row.charging_minutes = int(data.get("charging_minutes") or 0)
        row.remaining_minutes = int(data.get("remaining_minutes") or 0)
        row.cable_temp_c = data.get("cable_temp_c")
        row.battery_max_temp_c = data.get("battery_max_temp_c")
        row.fault_bits = int(data.get("fault_bits") or 0)
        row.faults = list(data.get("faults") or [])
        row.updated_at = event.occurred_at

    @staticmethod
    def _live_row(rows: dict[int, GunLive], gun_id: int, ref: PileRef) -> GunLive:
        row = rows.get(gun_id)
        if row is None:
            row = rows[gun_id] = GunLive(gun_id=gun_id, pile_id=ref.pile_id, faults=[], bms={}, lock={},
                                         last_start={}, last_stop={})
            db.session.add(row)
        return row

    def _set_live(self, ref: PileRef, gun_number: Any, column: str, value: dict[str, Any]) -> int | None:
        """Queue ``value`` for a JSON column of the gun's live row (``bms`` values are merged by kind)."""
        gun_id = ref.guns.get(int(gun_number or 0))
        if gun_id is None:
            return None
        values = self.live_json.setdefault(gun_id, (ref, {}))[1]
        values[column] = {**values.get(column, {}), **value} if column == "bms" else value
        return gun_id

    # -- other events ------------------------------------------------------------------------------

    def on_login(self, ref: PileRef, event: DeviceEvent) -> None:
        firmware = str(event.data.get("firmware") or "")[:50]
        if firmware:
            db.session.execute(sa.update(Pile).where(Pile.id == ref.pile_id).values(firmware=firmware))

    def on_tariff_applied(self, ref: PileRef, event: DeviceEvent) -> None:
        code = str(event.data.get("model_code") or "")[:8]
        db.session.execute(sa.update(Pile).where(Pile.id == ref.pile_id).values(billing_model_code=code))

    def on_start_result(self, ref: PileRef, event: DeviceEvent) -> None:
        self._set_live(ref, event.data.get("gun"), "last_start", {**event.data, "at": event.occurred_at.isoformat()})

    def on_stop_result(self, ref: PileRef, event: DeviceEvent) -> None:
        self._set_live(ref, event.data.get("gun"), "last_stop", {**event.data, "at": event.occurred_at.isoformat()})

    def on_bms(self, ref: PileRef, event: DeviceEvent) -> None:
        kind = str(event.data.get("kind") or "bms")
        self._set_live(ref, event.data.get("gun"), "bms", {kind: {"values": event.data.get("values") or {},
                                                                  "at": event.occurred_at.isoformat()}})

    def on_lock_status(self, ref: PileRef, event: DeviceEvent) -> None:
        gun_id = self._set_live(ref, event.data.get("gun"), "lock", {**event.data, "at": event.occurred_at.isoformat()})
        if gun_id is not None:
            state = LOCK_STATES.get(str(event.data.get("state")), LockState.UNKNOWN)
            db.session.execute(sa.update(ParkingSpace).where(ParkingSpace.gun_id == gun_id).values(lock_state=state))

    def on_card_start_request(self, ref: PileRef, event: DeviceEvent) -> None:
        log.info("card start request at %s gun %s: %s", ref.factory_id, event.data.get("gun"),
                 event.data.get("reason") or event.data.get("answered"))

    def on_transaction_record(self, ref: PileRef, event: DeviceEvent) -> None:
        """Store the record once per trade number; a resend only counts as a duplicate."""
        data = event.data
        trade_no = str(data.get("trade_no") or "")
        existing = db.session.execute(sa.select(PileTransactionRecord).where(
            PileTransactionRecord.trade_no == trade_no)).scalar_one_or_none()
        if existing is not None:
            existing.duplicates += 1
            existing.last_received_at = event.occurred_at
            return
        gun_number = int(data.get("gun") or 0)
        meter_start, meter_end = data.get("meter_start_kwh"), data.get("meter_end_kwh")
        db.session.add(PileTransactionRecord(
            provider_id=ref.provider_id, property_id=ref.property_id, station_id=ref.station_id,
            pile_id=ref.pile_id, gun_id=ref.guns.get(gun_number), gun_number=gun_number, trade_no=trade_no,
            started_at=_time(data.get("started_at")), ended_at=_time(data.get("ended_at")),
            traded_at=_time(data.get("traded_at")), energy_kwh=_dec(data.get("energy_kwh")),
            amount=_dec(data.get("amount")), periods=list(data.get("periods") or []),
            meter_start_kwh=None if meter_start is None else _dec(meter_start),
            meter_end_kwh=None if meter_end is None else _dec(meter_end),
            vin=str(data.get("vin") or "")[:17], trade_flag=str(data.get("trade_flag") or "")[:20],
            stop_reason_code=data.get("stop_reason_code"), stop_reason=str(data.get("stop_reason") or "")[:200],
            card=str(data.get("card") or "")[:32], frame=str(data.get("frame") or ""),
            received_at=event.occurred_at, last_received_at=event.occurred_at))
        db.session.flush()  # a duplicate from another gateway fails here, inside this batch


#: PostgreSQL: every heartbeat of a batch in one statement with two array parameters, so its compiled
#: form is cached (a VALUES list would be compiled again for every batch size).
_PG_HEARTBEATS = sa.text(
    "UPDATE pile SET last_heartbeat_at = beats.at "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:ats AS timestamptz[])) AS beats(id, at) "
    "WHERE pile.id = beats.id")


def write_heartbeats(beats: dict[int, datetime]) -> None:
    """``last_heartbeat_at`` of many piles: one ``UPDATE … FROM unnest(…)`` on PostgreSQL (one round trip
    and one cached statement for thousands of piles); a Core executemany elsewhere (the embedded SQLite)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(_PG_HEARTBEATS, {"ids": list(beats), "ats": list(beats.values())})
        return
    table = Pile.__table__
    db.session.execute(table.update().where(table.c.id == sa.bindparam("pile_id"))
                       .values(last_heartbeat_at=sa.bindparam("at")),
                       [{"pile_id": pid, "at": at} for pid, at in beats.items()])


def online_record(device, state: ConnectionState, reason: str, *, protocol: str, peer: str,
                  at: datetime | None = None, factory_id: str = "", detail: dict | None = None) -> dict[str, Any]:
    """The values of a 上下线记录 row for a pile (a :class:`Pile` or :class:`PileRef`); ``device`` ``None``:
    an unknown device that tried to log in (no owner, only platform users see it)."""
    return {
        "provider_id": getattr(device, "provider_id", None), "property_id": getattr(device, "property_id", None),
        "car_station_id": getattr(device, "station_id", None), "bike_station_id": None,
        "device_kind": DeviceKind.PILE,
        "device_ref": getattr(device, "pile_id", None) or getattr(device, "id", None),
        "device_name": getattr(device, "name", "") or "", "device_code": getattr(device, "code", "") or "",
        "factory_id": getattr(device, "factory_id", None) or factory_id, "protocol": protocol,
        "state": state, "reason": reason[:200], "peer": peer[:64], "detail": detail or {},
        "occurred_at": at or utcnow()}


def sweep_stale(cutoff: datetime, reason: str) -> int:
    """Mark piles offline whose last heartbeat is older than ``cutoff`` (a gateway died holding them)."""
    piles = db.session.execute(sa.select(Pile).where(
        Pile.online.is_(True), sa.or_(Pile.last_heartbeat_at.is_(None), Pile.last_heartbeat_at < cutoff))).scalars().all()
    for pile in piles:
        pile.online = False
        pile.online_changed_at = utcnow()
        db.session.execute(sa.update(Gun).where(Gun.pile_id == pile.id).values(state=GunState.OFFLINE))
        db.session.execute(sa.insert(DeviceOnlineRecord).values(
            **online_record(pile, ConnectionState.OFFLINE, reason, protocol=pile.protocol, peer="")))
    return len(piles)
