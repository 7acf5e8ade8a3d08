"""The YKC plugin in a real gateway with the database listener, frame by frame over a real socket.

Each step checks both sides: the frames the pile receives and what the platform stored (上下线记录,
heartbeat time, live gun figures and faults in words, transaction records stored once and acknowledged
after the commit, start/stop results, commands from the bus).
"""
from __future__ import annotations

import threading
from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from chargehub.assets.car_models import Gun, GunState, Pile
from chargehub.contracts.devices import CommandStatus, DeviceCommand
from chargehub.devices.gateway import start_in_thread
from chargehub.devices.models import ConnectionState, DeviceOnlineRecord, GunLive, PileTransactionRecord
from chargehub.extensions import command_bus, db
from chargehub.testing.helpers import wait_until
from chargehub.testing.network import seed_pile_network
from chargehub_ykc.codec import messages as M

from .ykc_client import RawPile

pytestmark = [pytest.mark.timeout(120), pytest.mark.smoke]  # the embedded default (SQLite) too

TRADE = "55030000000001012611241030000001"


@pytest.fixture()
def platform(make_app):
    import chargehub_billing_standard.plugin as billing_standard
    import chargehub_ykc.plugin as ykc

    app = make_app(plugins=[billing_standard, ykc], PUBLIC_URL="https://charge.example.com", COMMAND_TIMEOUT=5.0)
    with app.app_context():
        network = seed_pile_network(3, guns=2, prefix="5503")
        handle = start_in_thread(app, listen="ykc=127.0.0.1:0")
        try:
            yield app, network, handle.addresses["ykc"]
        finally:
            handle.stop()


def _login(address, code: str) -> RawPile:
    pile = RawPile(address)
    pile.send(M.Login(code, 0, 2, 0x10, "V4.1.50", 1, "0" * 20, 4), seq=b"\x00\x07")
    return pile


def _fresh(model, **where):
    db.session.expire_all()
    return db.session.execute(sa.select(model).filter_by(**where)).scalars().all()


def test_unknown_and_disabled_piles_are_refused_and_recorded(platform):
    app, network, address = platform
    stranger = _login(address, "99990000000001")
    [(seq, reply)] = stranger.read_until(M.LoginReply)
    assert (seq, reply.result) == (b"\x00\x07", 0x01)
    assert stranger.wait_closed()
    db.session.execute(sa.update(Pile).where(Pile.factory_id == network.pile_codes[1]).values(enabled=False))
    db.session.commit()
    disabled = _login(address, network.pile_codes[1])
    assert disabled.read_until(M.LoginReply)[0][1].result == 0x01
    records = _fresh(DeviceOnlineRecord, state=ConnectionState.REFUSED)
    assert {(r.factory_id, r.reason, r.provider_id) for r in records} == {
        ("99990000000001", "未登记的设备 (unknown device)", None),
        (network.pile_codes[1], "设备已禁用 (device disabled)", network.provider_id)}


def test_login_pushes_clock_billing_model_and_qr_prefix_then_records_online(platform):
    app, network, address = platform
    code = network.pile_codes[0]
    pile = _login(address, code)
    pile.read_until(M.QrPrefixSet)
    kinds = [type(m).__name__ for _, m in pile.received]
    assert kinds[:4] == ["LoginReply", "ClockSync", "BillingModelSet", "QrPrefixSet"]
    assert pile.received[0][0] == b"\x00\x07"  # the login's seq bytes are echoed
    model = pile.of(M.BillingModelSet)[0][1]
    assert [str(p.electricity_price) for p in model.prices] == ["1.20000", "1.00000", "0.70000", "0.30000"]
    assert list(model.slots[:16]) == [3] * 16 and model.slots[22] == 0 and model.slots[30] == 1
    assert pile.of(M.QrPrefixSet)[0][1].prefix == "https://charge.example.com/h5/charge/p/"
    wait_until(lambda: _fresh(Pile, factory_id=code)[0].online)
    [record] = _fresh(DeviceOnlineRecord, factory_id=code)
    assert record.state is ConnectionState.ONLINE and record.device_name == "1号桩"
    assert {g.state for g in _fresh(Gun, pile_id=record.device_ref)} == {GunState.IDLE}
    # the pile confirms the model it holds: 0x05 with the pushed code → 0x06 match, code stored
    pile.send(M.BillingModelSetReply(code, 0x01))
    pile.send(M.BillingModelVerify(code, model.model_code))
    assert pile.read_until(M.BillingModelVerifyReply)[0][1].result == 0x00
    wait_until(lambda: _fresh(Pile, factory_id=code)[0].billing_model_code == model.model_code)
    pile.close()
    wait_until(lambda: not _fresh(Pile, factory_id=code)[0].online)
    states = [r.state for r in sorted(_fresh(DeviceOnlineRecord, factory_id=code), key=lambda r: r.id)]
    assert states == [ConnectionState.ONLINE, ConnectionState.OFFLINE]
    assert {g.state for g in _fresh(Gun, pile_id=record.device_ref)} == {GunState.OFFLINE}


def test_heartbeat_status_faults_and_transaction_records(platform):
    app, network, address = platform
    code = network.pile_codes[2]
    pile = _login(address, code)
    pile.read_until(M.BillingModelSet)
    seq = pile.send(M.Heartbeat(code, 1, 0))
    assert pile.read_until(M.HeartbeatReply)[0][0] == seq
    pile.send(M.RealtimeData(TRADE, code, 1, 0x03, 0, 1, Decimal("373.2"), Decimal("101.2"), 34, "0" * 16, 78, 35,
                             16, 32, Decimal("8.8000"), Decimal("8.8000"), Decimal("9.3280"), 0b1000000000001))
    wait_until(lambda: _fresh(GunLive) and _fresh(GunLive)[0].energy_kwh == Decimal("8.8000"))
    [live] = _fresh(GunLive)
    assert (live.voltage_v, live.current_a, live.power_kw, live.soc, live.trade_no) == (
        Decimal("373.2"), Decimal("101.2"), Decimal("37.77"), 78, TRADE)
    assert [f["text"] for f in live.faults][0].startswith("急停")
    assert any("门" in f["text"] for f in live.faults)
    assert db.session.get(Gun, live.gun_id).state is GunState.CHARGING

    periods = tuple(M.Period(Decimal(p), Decimal("0.0000"), Decimal("0.0000"), Decimal("0.0000"))
                    for p in ("2.00000", "1.70000", "1.30000")) + (
        M.Period(Decimal("0.80000"), Decimal("8.8000"), Decimal("8.8000"), Decimal("7.0400")),)
    record = M.TransactionRecord(TRADE, code, 1, datetime(2026, 11, 24, 2, 0), datetime(2026, 11, 24, 3, 0), periods,
                                 Decimal("100.0000"), Decimal("108.8000"), Decimal("8.8000"), Decimal("8.8000"),
                                 Decimal("7.0400"), "", 0x01, datetime(2026, 11, 24, 3, 0), 0x40, "0" * 16)
    first = pile.send(record)
    [(ack_seq, ack)] = pile.read_until(M.TransactionRecordAck)
    assert (ack_seq, ack.trade_no, ack.result) == (first, TRADE, 0x00)
    # acknowledged only after the commit: the row is there the moment the ack is
    [stored] = _fresh(PileTransactionRecord, trade_no=TRADE)
    assert (stored.energy_kwh, stored.amount, stored.trade_flag, stored.duplicates) == (
        Decimal("8.8000"), Decimal("7.0400"), "app", 0)
    assert "APP" in stored.stop_reason.upper() or "远程" in stored.stop_reason
    assert [p["rate"] for p in stored.periods] == ["sharp", "peak", "flat", "valley"]
    again = pile.send(record)
    acks = pile.read_until(M.TransactionRecordAck, count=2)
    assert acks[1][0] == again and acks[1][1].result == 0x00
    assert [r.duplicates for r in _fresh(PileTransactionRecord, trade_no=TRADE)] == [1]
    pile.close()


def test_commands_from_the_bus_reach_the_pile_and_results_are_stored(platform):
    app, network, address = platform
    code = network.pile_codes[0]
    pile = _login(address, code)
    pile.read_until(M.BillingModelSet)
    wait_until(lambda: _fresh(Pile, factory_id=code)[0].online)
    results = []

    def send(command):
        with app.app_context():
            results.append(command_bus.send(command))

    start = DeviceCommand(code, "start", {"gun": 2, "trade_no": TRADE, "logical_card": "0", "physical_card": "",
                                          "balance": "100.00"})
    sender = threading.Thread(target=send, args=(start,))
    sender.start()
    [(seq, remote)] = pile.read_until(M.RemoteStart)
    assert (remote.trade_no, remote.gun, remote.balance) == (TRADE, 2, Decimal("100.00"))
    pile.send(M.RemoteStartReply(TRADE, code, 2, 0x01, 0x00), seq=seq)
    sender.join(10)
    assert results[0].status is CommandStatus.ACCEPTED
    [live] = _fresh(GunLive)  # committed before the sender heard "accepted"
    assert live.last_start["accepted"] is True and live.last_start["trade_no"] == TRADE

    sender = threading.Thread(target=send, args=(DeviceCommand(code, "stop", {"gun": 2}),))
    sender.start()
    [(seq, _stop)] = pile.read_until(M.RemoteStop)
    pile.send(M.RemoteStopReply(code, 2, 0x00, 0x02), seq=seq)
    sender.join(10)
    assert results[1].status is CommandStatus.REJECTED and "充电" in results[1].reason

    results.clear()
    send(DeviceCommand(code, "sync_hotline", {"hotline": "4008001234"}))
    assert results[0].status is CommandStatus.REJECTED and "热线" in results[0].reason
    pile.close()


def test_silent_pile_goes_offline_after_missed_heartbeats(make_app):
    import chargehub_billing_standard.plugin as billing_standard
    import chargehub_ykc.plugin as ykc

    # 0.15 × YKC's 10 s heartbeat period: a pile silent for 1.5 s is offline
    app = make_app(plugins=[billing_standard, ykc], GATEWAY_MISSED_HEARTBEATS=0.15)
    with app.app_context():
        network = seed_pile_network(1, guns=1, prefix="5506")
        handle = start_in_thread(app, listen="ykc=127.0.0.1:0")
        try:
            code = network.pile_codes[0]
            pile = _login(handle.addresses["ykc"], code)
            pile.read_until(M.LoginReply)
            assert pile.wait_closed(timeout=10), "the gateway kept a silent pile connected"
            wait_until(lambda: not _fresh(Pile, factory_id=code)[0].online)
            offline = _fresh(DeviceOnlineRecord, factory_id=code, state=ConnectionState.OFFLINE)
            assert [r.reason for r in offline] == ["心跳超时 (no heartbeat)"]
            assert {g.state for g in _fresh(Gun, pile_id=offline[0].device_ref)} == {GunState.OFFLINE}
        finally:
            handle.stop()
