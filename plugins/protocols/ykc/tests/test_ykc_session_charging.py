"""Session: real-time data, BMS, card requests, start/stop correlation, transaction records."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal as D

from ykc_helpers import PILE, SETTINGS, decoded, logged_in, replies

from chargehub.contracts.devices import CommandStatus, DeviceCommand

from chargehub_ykc.codec import messages as M
from chargehub_ykc.codec.frame import encode_frame
from chargehub_ykc.codec.messages import encode

TRADE = "55031412782305012401021104050001"
T0 = datetime(2024, 1, 2, 11, 4, 5)
T1 = datetime(2024, 1, 2, 12, 0, 0)


def realtime(gun: int = 1, **changes) -> M.RealtimeData:
    """Golden #15's values for this pile."""
    values = dict(trade_no=TRADE, pile_code=PILE, gun=gun, gun_status=3, gun_homed=0, gun_plugged=1,
                  output_voltage=D("373.2"), output_current=D("101.2"), cable_temperature=34, cable_code="0" * 16,
                  soc=78, battery_max_temperature=35, charging_minutes=16, remaining_minutes=32,
                  energy_kwh=D("8.8000"), loss_energy_kwh=D("8.8000"), amount=D("9.3280"), fault_bits=0b1001)
    values.update(changes)
    return M.RealtimeData(**values)


def record(trade_no: str = TRADE, **changes) -> M.TransactionRecord:
    """A card-started record: valley 0.1650 kWh for 0.1400 yuan, stop 0x40."""
    periods = tuple(M.Period(D(p), D("0.0000"), D("0.0000"), D("0.0000")) for p in ("2.40000", "3.40000", "4.40000"))
    values = dict(trade_no=trade_no, pile_code=PILE, gun=1, started_at=T0, ended_at=T1,
                  periods=periods + (M.Period(D("5.40000"), D("0.1650"), D("0.1650"), D("0.1400")),),
                  meter_start_kwh=D("1000.0000"), meter_end_kwh=D("1000.1650"), total_energy_kwh=D("0.1650"),
                  total_loss_energy_kwh=D("0.1650"), total_amount=D("0.1400"), vin="LSVAU2180N2183294", trade_flag=2,
                  traded_at=T1, stop_reason=0x40, physical_card="00000000D14B0A54")
    values.update(changes)
    return M.TransactionRecord(**values)


def command(name: str, **params) -> DeviceCommand:
    """A command for the test pile."""
    return DeviceCommand(PILE, name, params)


def test_realtime_data_becomes_a_status_event_in_words():
    session, _ = logged_in()
    out = session.receive(encode(realtime()))
    (event,) = out.events
    assert (event.type, event.device_id, event.durable, out.replies) == ("status", PILE, False, [])
    assert dict(event.data) == {
        "gun": 1, "state": "charging", "plugged": True, "homed": False, "trade_no": TRADE, "voltage_v": "373.2",
        "current_a": "101.2", "power_kw": "37.77", "energy_kwh": "8.8000", "loss_energy_kwh": "8.8000",
        "amount": "9.3280", "soc": 78, "charging_minutes": 16, "remaining_minutes": 32, "cable_temp_c": 34,
        "battery_max_temp_c": 35, "cable_code": None, "fault_bits": 9,
        "faults": [{"code": "ykc.hw.0", "text": "急停按钮动作故障 (emergency stop pressed)"},
                   {"code": "ykc.hw.3", "text": "交流防雷故障 (AC surge-protection fault)"}]}
    json.dumps(event.data)


def test_idle_realtime_data_reads_unknowns_as_null():
    session, _ = logged_in()
    idle = realtime(trade_no="0" * 32, gun_status=2, gun_homed=2, output_voltage=D("0.2"), output_current=D("0.0"),
                    cable_temperature=-50, soc=0, battery_max_temperature=-50, fault_bits=0)
    data = session.receive(encode(idle)).events[0].data
    assert (data["state"], data["trade_no"], data["homed"], data["soc"], data["cable_temp_c"], data["power_kw"],
            data["faults"]) == ("idle", None, None, None, None, "0.00", [])


def test_bms_frames_become_bms_events():
    session, _ = logged_in()
    demand = M.BmsDemand(TRADE, PILE, 1, D("503.0"), D("196.0"), 2, D("474.9"), D("113.8"), D("3.44"), 0, 83, 17,
                         D("475.4"), D("117.0"), 0)
    abort = M.BmsAbort(TRADE, PILE, 1, 0b01, 0b01 << 14, 0)
    events = session.receive(encode(demand) + encode(abort)).events
    assert [(e.type, e.data["kind"], e.data["gun"], e.data["trade_no"]) for e in events] == [
        ("bms", "demand", 1, TRADE), ("bms", "bms_abort", 1, TRADE)]
    assert events[0].data["values"]["demand_current"] == "196.0" and events[0].data["values"]["soc"] == 83
    values = events[1].data["values"]
    assert values["stop_reason.soc_target_reached"] == "是 (yes)" and values["fault_reason.other"] == "是 (yes)"
    assert values["fault_reason.insulation"] == "否 (no)"
    json.dumps([e.data for e in events])


def test_card_start_is_refused_with_reason_0x0b_and_seq_echoed():
    session, _ = logged_in()
    request = M.PileStartRequest(PILE, 1, 0x01, 0x00, "00000000D14B0A54", "0" * 32, "")
    out = session.receive(encode(request, seq=b"\x00\x04"))
    (reply,) = replies(out)
    assert out.replies[0][2:4] == b"\x00\x04"
    assert (reply.CODE, reply.pile_code, reply.gun, reply.auth_result, reply.failure_reason, reply.balance) == (
        0x32, PILE, 1, 0x00, 0x0B, D("0.00"))
    assert reply.trade_no.startswith(PILE + "01240102110405")
    assert [(e.type, dict(e.data)) for e in out.events] == [("card_start_request", {
        "gun": 1, "mode": "card", "card": "00000000D14B0A54", "vin": None, "password_required": False,
        "answered": "refused", "reason": "该桩不支持刷卡 (pile does not support cards)"})]


def test_card_start_waits_for_core_when_cards_are_enabled_and_parallel_requests_are_refused():
    session, _ = logged_in(dict(SETTINGS, cards=True))
    out = session.receive(encode(M.PileStartRequest(PILE, 1, 0x03, 0, "0" * 16, "0" * 32, "LSVAU2180N2183294")))
    assert out.replies == [] and out.events[0].data["vin"] == "LSVAU2180N2183294"
    assert out.events[0].data["answered"] is None
    session, _ = logged_in()
    parallel = M.ParallelStartRequest(PILE, 2, 0x01, 0, "00000000D14B0A54", "0" * 32, "", 0x01, "240102110405")
    out = session.receive(encode(parallel, seq=b"\x09\x00"))
    (reply,) = replies(out)
    assert isinstance(reply, M.ParallelStartAuthorization)
    assert (reply.auth_result, reply.failure_reason, reply.parallel_serial) == (0, 0x0B, "240102110405")
    assert out.events[0].data["parallel_serial"] == "240102110405" and out.events[0].data["master"] is False


def test_start_command_correlates_with_the_remote_start_reply():
    session, _ = logged_in()
    frame = session.encode_command(command("start", gun=1, trade_no=TRADE, logical_card="1000000573",
                                           physical_card="d14b0a54", balance="1000.005"))
    (start,) = decoded(frame)
    assert start == M.RemoteStart(TRADE, PILE, 1, "0000001000000573", "00000000D14B0A54", D("1000.00"))
    cmd = DeviceCommand(PILE, "start", {"gun": 2, "trade_no": TRADE})
    session.encode_command(cmd)
    out = session.receive(encode(M.RemoteStartReply(TRADE, PILE, 2, 0x01, 0x00)))
    assert out.command_results == [(cmd.correlation_id, out.command_results[0][1])]
    assert out.command_results[0][1].status is CommandStatus.ACCEPTED
    assert [(e.type, e.durable, dict(e.data)) for e in out.events] == [("start_result", True, {
        "gun": 2, "trade_no": TRADE, "accepted": True, "reason_code": 0, "reason": None, "awaiting_plug": False})]


def test_not_plugged_start_is_rejected_and_a_later_success_is_only_an_event():
    session, _ = logged_in()
    cmd = command("start", gun=1, trade_no=TRADE)
    session.encode_command(cmd)
    out = session.receive(encode(M.RemoteStartReply(TRADE, PILE, 1, 0x00, 0x05)))
    ((correlation, result),) = out.command_results
    assert correlation == cmd.correlation_id and result.status is CommandStatus.REJECTED
    assert result.reason == "未插枪 (gun not plugged)" and result.data["reason_code"] == 5
    assert result.data["awaiting_plug"] is True  # the order waits for the plug instead of failing
    assert out.events[0].durable and out.events[0].data["accepted"] is False
    assert out.events[0].data["awaiting_plug"] is True
    later = session.receive(encode(M.RemoteStartReply(TRADE, PILE, 1, 0x01, 0x00)))
    assert later.command_results == []
    assert [(e.type, e.durable, e.data["accepted"]) for e in later.events] == [("start_result", True, True)]


def test_stop_command_correlates_per_gun():
    session, _ = logged_in()
    first, second = command("stop", gun=1), command("stop", gun=2)
    assert decoded(session.encode_command(first)) == [M.RemoteStop(PILE, 1)]
    session.encode_command(second)
    out = session.receive(encode(M.RemoteStopReply(PILE, 2, 0x00, 0x02)) + encode(M.RemoteStopReply(PILE, 1, 1, 0)))
    results = dict(out.command_results)
    assert results[second.correlation_id].reason == "枪未处于充电状态 (gun not charging)"
    assert results[first.correlation_id].ok
    assert [(e.type, e.durable, e.data["gun"], e.data["accepted"]) for e in out.events] == [
        ("stop_result", True, 2, False), ("stop_result", True, 1, True)]


def test_transaction_records_are_always_acknowledged_duplicates_included():
    session, _ = logged_in()
    raw = encode(record(), seq=b"\x80\x01")
    ack = encode(M.TransactionRecordAck(TRADE, 0x00), seq=b"\x80\x01")
    for _ in range(2):
        out = session.receive(raw)
        assert out.acks == [ack] and out.replies == [] and out.errors == []
        (event,) = out.events
        assert (event.type, event.durable) == ("transaction_record", True)
    assert event.occurred_at == datetime(2024, 1, 2, 4, 0, tzinfo=timezone.utc)  # the pile's trade time, in UTC
    data = dict(event.data)
    assert data == {
        "trade_no": TRADE, "pile_code": PILE, "gun": 1, "started_at": "2024-01-02T11:04:05+08:00",
        "ended_at": "2024-01-02T12:00:00+08:00", "traded_at": "2024-01-02T12:00:00+08:00", "energy_kwh": "0.1650",
        "loss_energy_kwh": "0.1650", "amount": "0.1400",
        "periods": [{"rate": rate, "unit_price": price, "energy_kwh": energy, "loss_energy_kwh": energy,
                     "amount": amount} for rate, price, energy, amount in (
                         ("sharp", "2.40000", "0.0000", "0.0000"), ("peak", "3.40000", "0.0000", "0.0000"),
                         ("flat", "4.40000", "0.0000", "0.0000"), ("valley", "5.40000", "0.1650", "0.1400"))],
        "meter_start_kwh": "1000.0000", "meter_end_kwh": "1000.1650", "vin": "LSVAU2180N2183294",
        "trade_flag": "card", "trade_flag_code": 2, "stop_reason_code": 0x40,
        "stop_reason": "APP 远程停止 (completed: app remote stop)", "stop_reason_kind": "completed",
        "card": "00000000D14B0A54", "frame": raw.hex()}
    json.dumps(data)


def test_unreadable_records_are_still_acknowledged_and_kept():
    session, _ = logged_in()
    body = bytearray(M.encode_body(record()))
    body[24 + 5] = 0x0D  # start-time month 13
    out = session.receive(encode_frame(0x3B, bytes(body), b"\x00\x09"))
    assert out.acks == [encode(M.TransactionRecordAck(TRADE, 0x00), seq=b"\x00\x09")]
    (event,) = out.events
    assert event.durable and event.data["started_at"] is None and event.data["amount"] == "0.1400"
    assert "started_at" in event.data["decode_errors"] and "acknowledged" in str(out.errors[0])
    short = session.receive(encode_frame(0x3B, bytes(body[:40]), b"\x00\x0a"))
    assert short.acks == [encode(M.TransactionRecordAck(TRADE, 0x00), seq=b"\x00\x0a")]
    assert short.events[0].data["trade_no"] == TRADE and short.events[0].data["periods"] is None


def test_v17_records_are_acknowledged_with_meter_data():
    session, _ = logged_in()
    v17 = M.TransactionRecordV17(TRADE, PILE, 1, T0, T1, "010000000000", "AB" * 34, 1, 0, record().periods,
                                 D("0"), D("0.1650"), D("0.1650"), D("0.1650"), D("0.1400"), "", 1, T1, 0x45, "0" * 16)
    out = session.receive(encode(v17, seq=b"\x01\x02"))
    assert out.acks == [encode(M.TransactionRecordAck(TRADE, 0), seq=b"\x01\x02")]
    data = out.events[0].data
    assert (data["protocol_version"], data["meter_number"], data["trade_flag"], data["card"], data["vin"]) == (
        "1.7", "010000000000", "app", None, None)


def test_a_record_naming_another_pile_is_acknowledged_and_flagged():
    session, _ = logged_in()
    out = session.receive(encode(record(pile_code="32010200000001")))
    assert len(out.acks) == 1 and "pile_code" in out.events[0].data["decode_errors"]


def test_records_before_login_are_not_acknowledged():
    from ykc_helpers import new_session

    out = new_session().receive(encode(record()))
    assert out.acks == [] and out.events == [] and "before login" in str(out.errors[0])


def test_lock_status_event():
    session, _ = logged_in()
    out = session.receive(encode(M.LockStatus(PILE, 1, 0x55, 0xFF, 87, 0x55)))
    assert [(e.type, dict(e.data)) for e in out.events] == [("lock_status", {
        "gun": 1, "state": "up", "occupied": True, "battery": 87, "alarm": "摆臂升降异常 (arm raise/lower fault)"})]
