"""E-bike chargers in the gateway's ingest pipeline, on the real database, without a gateway or a broker.

The listener, writer and batch applier are driven with the values the ``bike_mqtt`` plugin hands over
(LoginRequests, DeviceEvents, connection changes); each test checks what was stored: 上下线记录, the
device's online flag and heartbeat, socket states and their notifications, live socket figures, faults,
start/stop results and end-of-charge records stored once.
"""
from __future__ import annotations

import asyncio
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from chargehub.assets.bike_models import BikeDevice, Socket, SocketState
from chargehub.assets.car_models import Gun, GunState, Pile
from chargehub.contracts.devices import LoginRequest
from chargehub.db import utcnow
from chargehub.devices.bike_models import BikeChargeRecord, SocketLive
from chargehub.devices.ingest import apply as apply_module
from chargehub.devices.ingest.apply import BatchApplier
from chargehub.devices.ingest.bike_apply import BikeApplier
from chargehub.devices.ingest.directory import DISABLED, UNKNOWN, BikeRef, DeviceDirectory
from chargehub.devices.ingest.listener import DatabaseListener
from chargehub.devices.ingest.states import ConnectionChange, sweep_stale
from chargehub.devices.models import ConnectionState, DeviceKind, DeviceOnlineRecord
from chargehub.extensions import db
from chargehub.testing.helpers import wait_until
from chargehub.testing.network import seed_bike_network, seed_pile_network

from .bike_helpers import NOTIFIED, PROTOCOL, BikeStubPlugin, at, event, meter, record, status

pytestmark = [pytest.mark.timeout(120), pytest.mark.smoke]  # the embedded default (SQLite) too

PEER = "10.0.0.9:1883"
TRADE = "B20260302080000000001"
FAULTS_33 = [{"bit": 0, "code": "0001", "text": "未接地 (not grounded)"},
             {"bit": 5, "code": "0032", "text": "电表故障 (meter fault)"}]
EMERGENCY = [{"bit": 6, "code": "0064", "text": "急停 (emergency stop)"}]


@pytest.fixture()
def bike(make_app):
    """The app (with the stub bike protocol), a 3-device × 4-socket e-bike network, a 2-gun pile and a
    directory in which every device of both has logged in."""
    NOTIFIED.clear()
    app = make_app(plugins=[BikeStubPlugin()], PUBLIC_URL="https://charge.example.com")
    with app.app_context():
        net = seed_bike_network(3, sockets=4, prefix="BT")
        piles = seed_pile_network(1, guns=2, prefix="5507", billing=False)
        directory = DeviceDirectory(app)
        directory.authorize(list(net.factory_ids), "bike_device")
        directory.authorize(list(piles.pile_codes), "pile")
        yield SimpleNamespace(app=app, net=net, piles=piles, directory=directory, codes=net.factory_ids)
        db.session.remove()


@pytest.fixture()
def listener(bike):
    """A :class:`DatabaseListener` of the app (its own directory and writer thread)."""
    listener = DatabaseListener(bike.app)
    yield listener
    listener.writer.stop()


def apply_batch(directory: DeviceDirectory, *items) -> None:
    applier = BatchApplier(directory)
    applier.apply(items)
    applier.finish()
    db.session.commit()


def fresh(model, **where):
    db.session.expire_all()
    return db.session.execute(sa.select(model).filter_by(**where)).scalars().all()


def device(code: str) -> BikeDevice:
    return fresh(BikeDevice, factory_id=code)[0]


def socket_states(bike, code: str) -> dict[int, SocketState]:
    return {s.number: s.state for s in fresh(Socket, device_id=device(code).id)}


def live(bike, code: str, number: int) -> SocketLive:
    db.session.expire_all()
    return db.session.get(SocketLive, bike.net.sockets[code][number])


def records_of(code: str) -> list[DeviceOnlineRecord]:
    return sorted(fresh(DeviceOnlineRecord, factory_id=code), key=lambda r: r.id)


def socket_notices(code: str) -> list[tuple[str, str, str | None]]:
    return [(e.device_id, e.status, e.previous) for _, e in NOTIFIED
            if e.device_type == "socket" and e.device_id.startswith(code)]


@contextmanager
def statements():
    """The SQL statements executed inside the block."""
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


async def log_in(listener: DatabaseListener, code: str, *, protocol: str = PROTOCOL, resumed: bool = False):
    decision = await listener.authorize(protocol, LoginRequest(code, {"firmware": "V2.3.1"}, resumed=resumed), PEER)
    if decision.accepted:
        await listener.on_connected(code, protocol, PEER, resumed=resumed)
    return decision


def settle(listener: DatabaseListener, before: int) -> None:
    """Wait until the writer committed something after ``before`` items."""
    wait_until(lambda: listener.writer.applied > before)


# -- logins ------------------------------------------------------------------------------------------


def test_bike_logins_are_decided_by_device_kind_and_refusals_recorded(bike, listener):
    first, second, _ = bike.codes
    db.session.execute(sa.update(BikeDevice).where(BikeDevice.factory_id == second).values(enabled=False))
    db.session.commit()

    async def logins():
        return await asyncio.gather(log_in(listener, first), log_in(listener, second), log_in(listener, "BT999999"),
                                    log_in(listener, first, protocol="ykc"))  # an unknown protocol logs in piles

    accepted, disabled, unknown, as_pile = asyncio.run(logins())
    assert accepted.accepted and accepted.settings["socket_count"] == 4
    assert {k: accepted.settings[k] for k in ("timezone", "qr_prefix", "enabled", "hotline")} == {
        "timezone": "Asia/Shanghai", "qr_prefix": None, "enabled": True, "hotline": "4008005678"}
    urls = accepted.settings["qr_sockets"]
    assert [u["number"] for u in urls] == [1, 2, 3, 4]
    assert all(u["url"].startswith("https://charge.example.com/h5/charge/s/") for u in urls)
    ref = listener.directory.ref(first)
    assert isinstance(ref, BikeRef) and ref.sockets == bike.net.sockets[first]
    assert listener.directory.pile(first) is None
    assert (disabled.reason, unknown.reason, as_pile.reason) == (DISABLED, UNKNOWN, UNKNOWN)

    wait_until(lambda: device(first).online)
    [online] = records_of(first)[-1:]
    assert (online.state, online.device_kind, online.reason) == (ConnectionState.ONLINE, DeviceKind.BIKE_DEVICE,
                                                                 "登录成功 (logged in)")
    assert (online.bike_station_id, online.car_station_id, online.device_ref, online.protocol) == (
        bike.net.station_id, None, device(first).id, PROTOCOL)
    assert set(socket_states(bike, first).values()) == {SocketState.IDLE}
    refused = {(r.factory_id, r.device_kind, r.reason, r.provider_id, r.bike_station_id)
               for r in fresh(DeviceOnlineRecord, state=ConnectionState.REFUSED)}
    assert refused == {
        (second, DeviceKind.BIKE_DEVICE, DISABLED, bike.net.provider_id, bike.net.station_id),
        ("BT999999", DeviceKind.BIKE_DEVICE, UNKNOWN, None, None),
        (first, DeviceKind.PILE, UNKNOWN, None, None)}


def test_resumed_login_records_nothing_when_online_and_comes_back_when_offline(bike, listener):
    code = bike.codes[0]
    asyncio.run(log_in(listener, code))
    wait_until(lambda: device(code).online)
    assert len(records_of(code)) == 1

    # another gateway node (or this one after a restart) hears the device first: a resumed login
    other = DatabaseListener(bike.app)
    try:
        before = other.writer.applied
        decision = asyncio.run(log_in(other, code, resumed=True))
        assert decision.accepted
        settle(other, before)
        assert [r.state for r in records_of(code)] == [ConnectionState.ONLINE]
        assert isinstance(other.directory.ref(code), BikeRef)  # its events are applied there now
    finally:
        other.writer.stop()

    asyncio.run(listener.on_disconnected(code, PROTOCOL, PEER, reason="closed by protocol", replaced=False))
    wait_until(lambda: not device(code).online)
    assert set(socket_states(bike, code).values()) == {SocketState.OFFLINE}
    asyncio.run(log_in(listener, code, resumed=True))
    wait_until(lambda: device(code).online)
    assert [(r.state, r.reason) for r in records_of(code)] == [
        (ConnectionState.ONLINE, "登录成功 (logged in)"),
        (ConnectionState.OFFLINE, "协议关闭连接 (closed by the protocol)"),
        (ConnectionState.ONLINE, "恢复通信 (resumed)")]
    assert set(socket_states(bike, code).values()) == {SocketState.IDLE}


def test_resumed_login_in_a_batch_after_the_device_went_offline_in_it(bike):
    code = bike.codes[0]
    online = ConnectionChange(code, PROTOCOL, PEER, ConnectionState.ONLINE, "登录成功 (logged in)")
    offline = ConnectionChange(code, PROTOCOL, PEER, ConnectionState.OFFLINE, "心跳超时 (no heartbeat)")
    resumed = ConnectionChange(code, PROTOCOL, PEER, ConnectionState.ONLINE, "恢复通信 (resumed)", resumed=True)
    apply_batch(bike.directory, online, resumed)  # already online in this batch: nothing more
    assert [r.state for r in records_of(code)] == [ConnectionState.ONLINE]
    apply_batch(bike.directory, offline, resumed)
    assert [r.reason for r in records_of(code)][1:] == ["心跳超时 (no heartbeat)", "恢复通信 (resumed)"]
    assert device(code).online


# -- telemetry ---------------------------------------------------------------------------------------


def test_heartbeats_of_many_devices_are_one_update_per_kind(bike):
    pile = bike.piles.pile_codes[0]
    beats = [event(code, "heartbeat", seconds, rssi=-61, temp_c=31) for seconds in (1, 2, 3) for code in bike.codes]
    beats += [event(pile, "heartbeat", 4, gun=1, fault=False), event(pile, "heartbeat", 5, gun=2, fault=False)]
    with statements() as seen:
        apply_batch(bike.directory, *beats)
    assert len([s for s in seen if s.startswith("UPDATE bike_device SET last_heartbeat_at")]) == 1
    assert len([s for s in seen if s.startswith("UPDATE pile SET last_heartbeat_at")]) == 1
    assert {device(code).last_heartbeat_at for code in bike.codes} == {at(3)}
    assert fresh(Pile, factory_id=pile)[0].last_heartbeat_at == at(5)


def test_socket_states_live_figures_and_notifications(bike):
    code = bike.codes[0]
    apply_batch(bike.directory,
                status(code, 1, "charging", 1, trade_no=TRADE),
                meter(code, 1, TRADE, 2, energy="0.0100", elapsed=60),
                meter(code, 1, TRADE, 3, voltage="48.5", current="2.250", power=109, energy="0.0350", elapsed=900),
                status(code, 2, "plugged", 1),
                status(code, 3, "fault", 1, fault_bits=64, faults=EMERGENCY),
                status(code, 4, "idle", 1))
    assert socket_states(bike, code) == {1: SocketState.CHARGING, 2: SocketState.PLUGGED, 3: SocketState.FAULT,
                                         4: SocketState.IDLE}
    row = live(bike, code, 1)
    assert (row.trade_no, row.voltage_v, row.current_a, row.power_w, row.energy_kwh, row.elapsed_s) == (
        TRADE, Decimal("48.5"), Decimal("2.250"), 109, Decimal("0.0350"), 900)
    assert row.updated_at == at(3) and row.device_id == device(code).id
    assert (live(bike, code, 3).fault_bits, live(bike, code, 3).faults) == (64, EMERGENCY)
    assert sorted(socket_notices(code)) == [(f"{code}-01", "charging", "idle"), (f"{code}-02", "plugged", "idle"),
                                            (f"{code}-03", "fault", "idle")]
    [(tenant, fault)] = [n for n in NOTIFIED if n[1].device_id == f"{code}-03"]
    assert tenant == bike.net.provider_id and "急停" in fault.reason

    NOTIFIED.clear()
    with statements() as seen:
        apply_batch(bike.directory, status(code, 1, "idle", 10), status(code, 2, "plugged", 10))
    assert socket_states(bike, code)[1] is SocketState.IDLE
    assert socket_notices(code) == [(f"{code}-01", "idle", "charging")]  # socket 2 did not change
    assert len([s for s in seen if s.startswith("UPDATE bike_socket SET state")]) == 1
    row = live(bike, code, 1)
    assert (row.trade_no, row.voltage_v, row.power_w, row.energy_kwh, row.elapsed_s) == (None, 0, 0, 0, 0)


def test_device_and_socket_faults_are_stored_decoded(bike):
    code = bike.codes[1]
    apply_batch(bike.directory, status(code, 1, "charging", 1, trade_no=TRADE),
                event(code, "fault", 2, socket=0, fault_bits=33, code="0033", faults=FAULTS_33, cleared=False),
                event(code, "fault", 2, socket=2, fault_bits=64, code="0064", faults=EMERGENCY, cleared=False))
    stored = device(code)
    assert (stored.fault_bits, stored.faults) == (33, FAULTS_33)
    assert (live(bike, code, 2).fault_bits, live(bike, code, 2).faults) == (64, EMERGENCY)
    assert socket_states(bike, code)[2] is SocketState.FAULT

    apply_batch(bike.directory,
                event(code, "fault", 5, socket=2, fault_bits=0, code="0000", faults=[], cleared=True),
                event(code, "fault", 5, socket=1, fault_bits=0, code="0000", faults=[], cleared=True),
                event(code, "fault", 5, socket=0, fault_bits=0, code="0000", faults=[], cleared=True))
    states = socket_states(bike, code)
    assert states[2] is SocketState.IDLE
    assert states[1] is SocketState.CHARGING  # a cleared fault only ends the fault state
    assert (device(code).fault_bits, device(code).faults) == (0, [])
    assert (live(bike, code, 2).fault_bits, live(bike, code, 2).faults) == (0, [])


def test_start_and_stop_results_are_the_sockets_last_start_and_stop(bike):
    code = bike.codes[2]
    apply_batch(bike.directory,
                event(code, "start_result", 1, durable=True, socket=3, trade_no=TRADE, accepted=False,
                      reason_code="no_load", reason="未插入负载 (nothing plugged in)"),
                event(code, "stop_result", 2, durable=True, socket=3, trade_no=TRADE, accepted=True, reason_code="",
                      reason="", energy_kwh="0.0120", elapsed_s=30))
    row = live(bike, code, 3)
    assert row.last_start["accepted"] is False and row.last_start["reason_code"] == "no_load"
    assert row.last_start["at"] == at(1).isoformat()
    assert row.last_stop["energy_kwh"] == "0.0120" and row.last_stop["accepted"] is True


# -- end-of-charge records -----------------------------------------------------------------------------


def test_transaction_record_is_stored_once_and_resends_counted(bike):
    code = bike.codes[0]
    apply_batch(bike.directory, record(code, TRADE, 1), record(code, TRADE, 2))  # two copies in one batch
    [stored] = fresh(BikeChargeRecord, trade_no=TRADE)
    assert (stored.duplicates, stored.received_at, stored.last_received_at) == (1, at(1), at(2))
    assert (stored.device_id, stored.socket_id, stored.socket_number, stored.station_id) == (
        device(code).id, bike.net.sockets[code][1], 1, bike.net.station_id)
    assert (stored.energy_kwh, stored.elapsed_s, stored.max_power_w, stored.stop_reason_code) == (
        Decimal("0.4120"), 6310, 236, "full")
    assert stored.started_at.isoformat() == "2026-03-02T06:00:00+00:00" and stored.record_id == "r-1"
    assert "充满" in stored.stop_reason and stored.frame.startswith("{")

    apply_batch(bike.directory, record(code, TRADE, 60))
    apply_batch(bike.directory, record(bike.codes[1], TRADE, 61))  # another device's order of the same number
    rows = sorted(fresh(BikeChargeRecord, trade_no=TRADE), key=lambda r: r.id)
    assert [(r.device_id, r.duplicates) for r in rows] == [(device(code).id, 2), (device(bike.codes[1]).id, 0)]
    assert rows[0].last_received_at == at(60)


def test_a_record_stored_by_another_node_meanwhile_is_counted_and_acknowledged(bike, listener, monkeypatch):
    code = bike.codes[0]
    asyncio.run(log_in(listener, code))
    apply_batch(bike.directory, record(code, TRADE, 1))  # "another node" stored it
    real = BikeApplier.existing_record
    calls = []

    def racing(device_id, trade_no):  # the first look misses it: that node committed just after
        calls.append(trade_no)
        return None if len(calls) == 1 else real(device_id, trade_no)

    monkeypatch.setattr(BikeApplier, "existing_record", staticmethod(racing))

    async def submit():
        await listener.submit([record(code, TRADE, 5)])  # durable: completes once committed

    asyncio.run(submit())
    assert len(calls) == 2  # the batch failed on the unique key and the record was applied again alone
    assert [r.duplicates for r in fresh(BikeChargeRecord, trade_no=TRADE)] == [1]


def test_registered_handlers_get_bike_events_with_the_bike_ref(bike, monkeypatch):
    seen = []
    monkeypatch.setitem(apply_module._EXTRA_HANDLERS, "transaction_record",
                        [lambda event, ref: seen.append((event.data["trade_no"], ref))])
    apply_batch(bike.directory, record(bike.codes[0], TRADE, 1))
    [(trade_no, ref)] = seen
    assert trade_no == TRADE and isinstance(ref, BikeRef) and ref.kind is DeviceKind.BIKE_DEVICE
    assert ref.device_id == device(bike.codes[0]).id and ref.station_id == bike.net.station_id


# -- connection changes and the stale sweep -------------------------------------------------------------


def test_offline_sets_every_socket_offline_and_online_brings_them_back(bike):
    code = bike.codes[0]
    up = ConnectionChange(code, PROTOCOL, PEER, ConnectionState.ONLINE, "登录成功 (logged in)")
    apply_batch(bike.directory, up, status(code, 1, "charging", 1, trade_no=TRADE))
    NOTIFIED.clear()
    apply_batch(bike.directory, meter(code, 1, TRADE, 2),
                ConnectionChange(code, PROTOCOL, PEER, ConnectionState.OFFLINE, "设备离线 (offline)"))
    stored = device(code)
    assert not stored.online and stored.online_changed_at is not None
    assert set(socket_states(bike, code).values()) == {SocketState.OFFLINE}
    assert [(r.state, r.device_kind, r.bike_station_id) for r in records_of(code)][-1] == (
        ConnectionState.OFFLINE, DeviceKind.BIKE_DEVICE, bike.net.station_id)
    assert [(e.device_type, e.status, e.previous) for _, e in NOTIFIED if e.device_id == code] == [
        ("bike_device", "offline", "online")]
    assert sorted(socket_notices(code)) == [(f"{code}-0{n}", "offline", "charging" if n == 1 else "idle")
                                            for n in (1, 2, 3, 4)]

    apply_batch(bike.directory, up)
    assert device(code).online
    assert set(socket_states(bike, code).values()) == {SocketState.IDLE}


def test_stale_sweep_takes_silent_bike_devices_and_piles_offline(bike):
    silent, fresh_one, _ = bike.codes
    pile = bike.piles.pile_codes[0]
    apply_batch(bike.directory, *[ConnectionChange(c, PROTOCOL, PEER, ConnectionState.ONLINE, "登录成功 (logged in)")
                                  for c in (silent, fresh_one)],
                ConnectionChange(pile, "ykc", PEER, ConnectionState.ONLINE, "登录成功 (logged in)"))
    long_ago = utcnow() - timedelta(minutes=10)
    db.session.execute(sa.update(BikeDevice).where(BikeDevice.factory_id == silent).values(last_heartbeat_at=long_ago))
    db.session.execute(sa.update(Pile).where(Pile.factory_id == pile).values(last_heartbeat_at=long_ago))
    db.session.commit()
    assert sweep_stale(utcnow() - timedelta(minutes=3), "心跳超时 (no heartbeat)") == 2
    db.session.commit()
    assert not device(silent).online and device(fresh_one).online
    assert set(socket_states(bike, silent).values()) == {SocketState.OFFLINE}
    assert set(socket_states(bike, fresh_one).values()) == {SocketState.IDLE}
    [swept] = [r for r in records_of(silent) if r.state is ConnectionState.OFFLINE]
    assert (swept.reason, swept.device_kind, swept.bike_station_id, swept.protocol) == (
        "心跳超时 (no heartbeat)", DeviceKind.BIKE_DEVICE, bike.net.station_id, "bike_mqtt")
    stored_pile = fresh(Pile, factory_id=pile)[0]
    assert not stored_pile.online
    assert {g.state for g in fresh(Gun, pile_id=stored_pile.id)} == {GunState.OFFLINE}
    [pile_record] = [r for r in records_of(pile) if r.state is ConnectionState.OFFLINE]
    assert (pile_record.device_kind, pile_record.car_station_id, pile_record.bike_station_id) == (
        DeviceKind.PILE, bike.piles.station_id, None)


def test_events_of_devices_not_logged_in_here_and_unknown_sockets_are_ignored(bike):
    code = bike.codes[0]
    apply_batch(bike.directory, status("BT424242", 1, "charging", 1), status(code, 9, "charging", 1),
                event(code, "fault", 1, socket=7, fault_bits=1, faults=[], cleared=False))
    assert set(socket_states(bike, code).values()) == {SocketState.IDLE}
    assert fresh(SocketLive) == []
