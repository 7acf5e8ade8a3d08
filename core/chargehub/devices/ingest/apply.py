"""Applying device events and connection changes to the database, a batch per transaction.

:class:`BatchApplier` walks the items in arrival order (so per-device order holds) and hands the items
of e-bike chargers to :class:`~.bike_apply.BikeApplier`. Telemetry is coalesced: a device's heartbeats
become one ``last_heartbeat_at``, a gun's (socket's) status samples one live-row write; coalesced
telemetry is written after the connection changes, so "offline" is never overwritten by an older sample.

What every device kind shares — the online flag, 上下线记录, heartbeats and the states of its guns or
sockets — is :class:`~.states.DeviceStates`, one per kind (:mod:`.states`).

Other domains (orders) add handlers with :func:`register_handler`; they run inside the same
transaction, after core's own handling of the event.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Iterable

import sqlalchemy as sa

from chargehub.assets.car_models import GunState, LockState, ParkingSpace, Pile
from chargehub.contracts.devices import DeviceEvent
from chargehub.contracts.events import DeviceStatusEvent
from chargehub.devices.ingest.bike_apply import BikeApplier
from chargehub.devices.ingest.directory import BikeRef, DeviceDirectory, DeviceRef, PileRef
from chargehub.devices.ingest.states import PILES, ConnectionChange, DeviceStates, as_decimal, as_time, fault_text
from chargehub.devices.models import GunLive, PileTransactionRecord
from chargehub.extensions import db, plugin_host

log = logging.getLogger("chargehub.devices.ingest")

#: A handler another domain registers: ``handler(event, ref)`` inside the batch's transaction; ``ref``
#: is a :class:`PileRef` or a :class:`BikeRef` (tell them apart by ``ref.kind``).
Handler = Callable[[DeviceEvent, DeviceRef], None]
_EXTRA_HANDLERS: dict[str, list[Handler]] = {}
#: A telemetry handler: ``handler(samples)`` once per batch with every ``status`` event of the batch as
#: ``(ref, event)`` in arrival order, after core wrote its own live rows (same transaction).
TelemetryHandler = Callable[[list[tuple[DeviceRef, DeviceEvent]]], None]
_TELEMETRY_HANDLERS: list[TelemetryHandler] = []

#: ``status`` states -> gun states (``idle`` with the gun plugged in is 已插枪).
GUN_STATES = {"offline": GunState.OFFLINE, "fault": GunState.FAULT, "idle": GunState.IDLE,
              "charging": GunState.CHARGING}
LOCK_STATES = {"up": LockState.UP, "down": LockState.DOWN}


def register_handler(event_type: str, handler: Handler) -> None:
    """Run ``handler`` for every ``event_type`` event of a logged-in device (pile or e-bike charger),
    after core's own handling; telemetry (``heartbeat``, ``status``) is not handed out."""
    _EXTRA_HANDLERS.setdefault(event_type, []).append(handler)


def register_telemetry_handler(handler: TelemetryHandler) -> None:
    """Hand every batch's ``status`` events (piles' and e-bike chargers') to ``handler`` (see
    :data:`TelemetryHandler`); the order module keeps running orders' figures with it."""
    if handler not in _TELEMETRY_HANDLERS:
        _TELEMETRY_HANDLERS.append(handler)


class BatchApplier:
    """Applies one batch inside the caller's transaction (the writer commits or rolls back).

    Everything that can be grouped is: heartbeats (one UPDATE per kind), status samples (latest per
    gun or socket), connector state changes (one SELECT, one UPDATE per new state), connection changes
    (last state per device, one UPDATE per state, records inserted together). Order within a device
    holds because a connection change discards that device's telemetry queued before it (it is older
    than the change) and the changes are written before the telemetry that followed them. The items of
    e-bike chargers go to :attr:`bikes` (:class:`~.bike_apply.BikeApplier`), the piles' are handled here.
    """

    def __init__(self, directory: DeviceDirectory) -> None:
        self.directory = directory
        self.notifications: list[tuple[int, DeviceStatusEvent]] = []
        self.piles = DeviceStates(PILES, self.notifications)
        self.bikes = BikeApplier(self.notifications)
        self.samples: dict[int, tuple[PileRef, DeviceEvent]] = {}  # gun id -> latest status event
        self.live_json: dict[int, tuple[PileRef, dict[str, Any]]] = {}  # gun id -> JSON columns to set
        self.telemetry: list[tuple[DeviceRef, DeviceEvent]] = []  # status events for telemetry handlers

    # -- entry points ------------------------------------------------------------------------------

    def apply(self, items: Iterable[ConnectionChange | DeviceEvent]) -> None:
        """Apply ``items`` in order; call :meth:`finish` afterwards (before commit)."""
        for item in items:
            ref = self.directory.ref(item.device_id)
            if ref is None:
                log.warning("%s from %s, which is not logged in here; ignored",
                            getattr(item, "type", "connection change"), item.device_id)
                continue
            target = self.bikes if isinstance(ref, BikeRef) else self
            if isinstance(item, ConnectionChange):
                target.connection(ref, item)
            elif item.type in ("heartbeat", "status"):
                getattr(target, item.type)(ref, item)
                if item.type == "status" and _TELEMETRY_HANDLERS:
                    self.telemetry.append((ref, item))
            else:
                handler = getattr(target, f"on_{item.type}", None)
                if handler is not None:
                    handler(ref, item)
                for extra in _EXTRA_HANDLERS.get(item.type, ()):
                    extra(item, ref)

    def finish(self) -> None:
        """Write connection changes, then telemetry and connector states; queue the listener-hook notifications."""
        self.piles.flush_connections()
        self.bikes.states.flush_connections()
        self.flush_telemetry()
        self.bikes.flush_telemetry()
        self.piles.flush_part_states()
        self.bikes.states.flush_part_states()
        telemetry, self.telemetry = self.telemetry, []
        for handler in _TELEMETRY_HANDLERS if telemetry else ():
            handler(telemetry)
        for tenant_id, event in self.notifications:
            plugin_host.notify("device_status_changed", tenant_id, event=event)
        self.notifications.clear()

    # -- pile telemetry ----------------------------------------------------------------------------

    def heartbeat(self, ref: PileRef, event: DeviceEvent) -> None:
        self.piles.heartbeats[ref.pile_id] = event.occurred_at
        if event.data.get("fault"):
            gun_id = ref.guns.get(int(event.data.get("gun") or 0))
            if gun_id is not None:
                self.piles.part_states[gun_id] = (ref, GunState.FAULT, "心跳报告故障 (heartbeat reports a fault)", None)

    def status(self, ref: PileRef, event: DeviceEvent) -> None:
        gun_id = ref.guns.get(int(event.data.get("gun") or 0))
        self.piles.heartbeats[ref.pile_id] = event.occurred_at
        if gun_id is None:
            log.warning("status of unknown gun %s of pile %s", event.data.get("gun"), ref.factory_id)
            return
        self.samples[gun_id] = (ref, event)

    def connection(self, ref: PileRef, change: ConnectionChange) -> None:
        """A pile's connection change (:meth:`DeviceStates.connection`); its queued samples are older."""
        if self.piles.connection(ref, change):
            for gun_id in ref.guns.values():
                self.samples.pop(gun_id, None)

    def flush_telemetry(self) -> None:
        """Write the piles' coalesced heartbeats and status samples (gun states go to ``piles.part_states``)."""
        self.piles.flush_heartbeats()
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
                self.piles.part_states[gun_id] = (ref, state, fault_text(data.get("faults")), None)

    @staticmethod
    def _write_live(row: GunLive, event: DeviceEvent) -> None:
        data = event.data
        row.trade_no = data.get("trade_no") or None
        row.plugged = data.get("plugged")
        row.homed = data.get("homed")
        row.voltage_v = as_decimal(data.get("voltage_v"))
        row.current_a = as_decimal(data.get("current_a"))
        row.power_kw = as_decimal(data.get("power_kw"))
        row.soc = data.get("soc")
        row.energy_kwh = as_decimal(data.get("energy_kwh"))
        row.amount = as_decimal(data.get("amount"))
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
            started_at=as_time(data.get("started_at")), ended_at=as_time(data.get("ended_at")),
            traded_at=as_time(data.get("traded_at")), energy_kwh=as_decimal(data.get("energy_kwh")),
            amount=as_decimal(data.get("amount")), periods=list(data.get("periods") or []),
            meter_start_kwh=None if meter_start is None else as_decimal(meter_start),
            meter_end_kwh=None if meter_end is None else as_decimal(meter_end),
            vin=str(data.get("vin") or "")[:17], trade_flag=str(data.get("trade_flag") or "")[:20],
            stop_reason_code=data.get("stop_reason_code"), stop_reason=str(data.get("stop_reason") or "")[:200],
            card=str(data.get("card") or "")[:32], frame=str(data.get("frame") or ""),
            received_at=event.occurred_at, last_received_at=event.occurred_at))
        db.session.flush()  # a duplicate from another gateway fails here, inside this batch


