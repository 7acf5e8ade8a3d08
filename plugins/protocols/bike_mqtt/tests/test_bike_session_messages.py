"""Session: telemetry, records and their acks, faults, and replies to commands."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from bike_mqtt_helpers import DEVICE_TS, NOW, RECORD, SN, decoded, envelope, logged_in, meter_entry, new_session, raw

from chargehub.contracts.devices import CommandStatus, DeviceCommand, LoginDecision

from chargehub_bike_mqtt import codec
from chargehub_bike_mqtt.session import MAX_SENT, BikeSession

AT = datetime.fromtimestamp(DEVICE_TS, timezone.utc)


def test_heartbeat_event_and_a_status_for_each_socket_it_carries():
    session, _ = logged_in()
    out = session.receive(codec.encode_heartbeat("h", SN, DEVICE_TS, rssi=-71, temp_c=-3, sockets=[
        {"no": 1, "state": "idle", "order": None, "fault_bits": 0},
        {"no": 2, "state": "charging", "order": "ORD5", "fault_bits": 0}]))
    assert [(e.type, e.durable, e.occurred_at) for e in out.events] == [
        ("heartbeat", False, AT), ("status", False, AT), ("status", False, AT)]
    assert out.events[0].data == {"rssi": -71, "temp_c": -3}
    assert out.events[2].data == {"socket": 2, "state": "charging", "trade_no": "ORD5", "fault_bits": 0, "faults": []}
    assert out.replies == [] and out.errors == []


def test_a_device_without_a_clock_gets_the_time_of_decoding():
    session, _ = logged_in()
    (event,) = session.receive(codec.encode_heartbeat("h", SN, 0)).events
    assert event.occurred_at == NOW and event.data == {"rssi": None, "temp_c": None}


def test_socket_status_one_status_event_per_socket_with_faults_in_words():
    session, _ = logged_in()
    out = session.receive(codec.encode_socket_status("s", SN, DEVICE_TS, sockets=[
        {"no": 3, "state": "fault", "order": None, "fault_bits": 33},
        {"no": 4, "state": "disabled", "order": None, "fault_bits": 0}]))
    first, second = out.events
    assert first.data == {"socket": 3, "state": "fault", "trade_no": None, "fault_bits": 33, "faults": [
        {"bit": 0, "code": "0001", "text": "未接地 (not grounded)"},
        {"bit": 5, "code": "0032", "text": "电表故障 (meter fault)"}]}
    assert (second.type, second.data["state"]) == ("status", "disabled")


def test_meter_becomes_charging_status_with_units_as_strings():
    session, _ = logged_in()
    out = session.receive(codec.encode_meter("m", SN, DEVICE_TS, sockets=[
        meter_entry(2), meter_entry(5, voltage_v=230, current_a=Decimal("0.5"), energy_wh=7)]))
    first, second = (e.data for e in out.events)
    assert first == {"socket": 2, "state": "charging", "trade_no": "ORD123", "voltage_v": "220.5",
                     "current_a": "1.875", "power_w": 413, "energy_kwh": "1.2340", "elapsed_s": 600, "meter": True}
    assert (second["voltage_v"], second["current_a"], second["energy_kwh"]) == ("230.0", "0.500", "0.0070")
    json.dumps([e.data for e in out.events])


def test_record_is_durable_and_acknowledged_in_acks_never_replies():
    session, _ = logged_in()
    out = session.receive(RECORD)
    (event,) = out.events
    assert (event.type, event.durable, event.device_id, event.occurred_at) == ("transaction_record", True, SN, AT)
    assert event.data == {
        "trade_no": "ORD123", "socket": 3,
        "started_at": datetime.fromtimestamp(DEVICE_TS - 3600, timezone.utc).isoformat(),
        "ended_at": "2026-11-18T11:06:40+00:00", "energy_kwh": "1.2340", "elapsed_s": 3600, "max_power_w": 410,
        "stop_reason_code": "full", "stop_reason": "充满自停 (battery full)", "fault_bits": 0, "faults": [],
        "record_id": "rec-7", "frame": RECORD.decode()}
    assert out.replies == []
    (ack,) = decoded(out.acks)
    assert (ack.type, ack.re, ack.dev) == ("ack", "rec-7", SN)


def test_every_copy_of_a_record_is_acknowledged_the_same_way():
    session, _ = logged_in()
    first, second = session.receive(RECORD), session.receive(RECORD)
    assert first.events[0].data == second.events[0].data and second.events[0].durable
    assert [m.re for m in decoded(first.acks + second.acks)] == ["rec-7", "rec-7"]


def test_an_invalid_record_is_acknowledged_and_kept_for_review():
    session, _ = logged_in()
    body = json.loads(RECORD)
    body["energy_wh"] = 12.5  # a fraction where watt-hours are whole
    payload = json.dumps(body).encode()
    out = session.receive(payload)
    (error,) = out.errors
    assert "energy_wh" in str(error)
    (event,) = out.events
    assert event.type == "transaction_record" and event.durable
    assert event.data["trade_no"] == "ORD123" and event.data["socket"] == 3 and event.data["invalid"] is True
    assert event.data["stop_reason_code"] == "invalid" and "energy_wh" in event.data["stop_reason"]
    assert event.data["frame"] == payload.decode()
    assert [m.re for m in decoded(out.acks)] == ["rec-7"]
    # without a usable order number every copy still lands on one row
    body["order"] = 7
    again = session.receive(json.dumps(body).encode())
    assert again.events[0].data["trade_no"] == "INVALID-rec-7"
    # a broken envelope or another message type is only logged
    assert session.receive(b'{"v":1,"type":"record"}').events == []
    broken_meter = envelope("meter", sockets=[{"no": 1}])
    assert session.receive(raw(broken_meter)).events == []


@pytest.mark.parametrize("reason, words", [
    ("duration", "按时长结束"), ("energy", "按电量结束"), ("amount", "按金额结束"), ("full", "充满自停"),
    ("unplugged", "拔出"), ("remote", "远程停止"), ("power_over", "功率超限"), ("fault", "故障停止"),
    ("power_loss", "设备断电")])
def test_record_stop_reasons_in_words(reason, words):
    session, _ = logged_in()
    bits = 192 if reason == "fault" else 0
    out = session.receive(codec.encode_record("r", SN, DEVICE_TS, socket=1, order="O", started_at=0, ended_at=0,
                                              energy_wh=0, elapsed_s=0, max_power_w=0, reason=reason, fault_bits=bits))
    data = out.events[0].data
    assert data["stop_reason_code"] == reason and data["stop_reason"].startswith(words)
    assert (data["started_at"], data["ended_at"]) == (None, None)  # 0: the device's clock was not set
    assert [f["code"] for f in data["faults"]] == (["0064", "0128"] if bits else [])


def test_fault_event_with_code_words_and_cleared():
    session, _ = logged_in()
    raised = session.receive(codec.encode_fault("f", SN, DEVICE_TS, socket=0, fault_bits=192)).events[0]
    assert (raised.type, raised.durable) == ("fault", False)
    assert raised.data == {"socket": 0, "fault_bits": 192, "code": "0192", "cleared": False, "faults": [
        {"bit": 6, "code": "0064", "text": "急停 (emergency stop)"},
        {"bit": 7, "code": "0128", "text": "CP 错误 (CP error)"}]}
    cleared = session.receive(codec.encode_fault("f2", SN, DEVICE_TS, socket=2, fault_bits=0)).events[0]
    assert cleared.data == {"socket": 2, "fault_bits": 0, "code": "0000", "faults": [], "cleared": True}
    high = session.receive(codec.encode_fault("f3", SN, DEVICE_TS, socket=1, fault_bits=2048 + 65)).events[0]
    assert [f["text"] for f in high.data["faults"]] == ["未接地 (not grounded)", "急停 (emergency stop)",
                                                        "未知故障 bit11 (unknown fault bit 11)"]
    assert high.data["code"] == "2113"


# -- replies ------------------------------------------------------------------------------------------

START = {"socket": 2, "trade_no": "ORD123", "mode": "duration", "duration_s": 3600}


def reply(command, re, ok=True, **body):
    return codec.encode_reply(command, f"rep-{re}", SN, DEVICE_TS, re=re, ok=ok, **body)


def test_accepted_start_gives_a_durable_start_result_and_the_command_result():
    session, _ = logged_in()
    session.encode_command(DeviceCommand(SN, "start", START, "c1"))
    out = session.receive(reply("start", "c1", socket=2, order="ORD123"))
    (event,) = out.events
    assert (event.type, event.durable, event.occurred_at) == ("start_result", True, AT)
    assert event.data == {"socket": 2, "trade_no": "ORD123", "accepted": True, "reason_code": None, "reason": None}
    ((cid, result),) = out.command_results
    assert cid == "c1" and result.status is CommandStatus.ACCEPTED
    assert dict(result.data) == {"socket": 2, "trade_no": "ORD123"}


def test_refused_start_carries_the_code_and_words():
    session, _ = logged_in()
    session.encode_command(DeviceCommand(SN, "start", START, "c1"))
    out = session.receive(reply("start", "c1", ok=False, code="no_load", reason="nothing on socket 2"))
    assert out.events[0].data == {"socket": 2, "trade_no": "ORD123", "accepted": False, "reason_code": "no_load",
                                  "reason": "未接入负载 (nothing plugged in): nothing on socket 2"}
    ((_, result),) = out.command_results
    assert result.status is CommandStatus.REJECTED
    assert result.reason == "未接入负载 (nothing plugged in): nothing on socket 2"
    assert dict(result.data) == {"socket": 2, "trade_no": "ORD123", "reason_code": "no_load"}


def test_stop_reply_gives_energy_and_duration():
    session, _ = logged_in()
    session.encode_command(DeviceCommand(SN, "stop", {"socket": 2}, "c2"))
    out = session.receive(reply("stop", "c2", socket=2, order="ORD123", energy_wh=905, elapsed_s=1800))
    assert out.events[0].type == "stop_result" and out.events[0].durable
    assert out.events[0].data == {"socket": 2, "trade_no": "ORD123", "accepted": True, "reason_code": None,
                                  "reason": None, "energy_kwh": "0.9050", "elapsed_s": 1800}
    assert dict(out.command_results[0][1].data) == {"socket": 2, "trade_no": "ORD123", "energy_kwh": "0.9050",
                                                    "elapsed_s": 1800}
    session.encode_command(DeviceCommand(SN, "stop", {"socket": 4, "trade_no": "ORD9"}, "c3"))
    refused = session.receive(reply("stop", "c3", ok=False, code="idle"))
    assert refused.events[0].data == {"socket": 4, "trade_no": "ORD9", "accepted": False, "reason_code": "idle",
                                      "reason": "插座空闲 (socket idle)", "energy_kwh": None, "elapsed_s": None}


def test_other_replies_are_command_results_only():
    session, _ = logged_in()
    session.encode_command(DeviceCommand(SN, "work_params", {"heartbeat_s": 30}, "c4"))
    session.encode_command(DeviceCommand(SN, "reboot", {}, "c5"))
    out = session.receive(reply("params", "c4", heartbeat_s=30, max_power_w=2000))
    assert out.events == [] and dict(out.command_results[0][1].data) == {"heartbeat_s": 30, "max_power_w": 2000}
    out = session.receive(reply("reboot", "c5", ok=False, code="charging", reason="sockets busy"))
    ((cid, result),) = out.command_results
    assert (cid, result.status, result.reason, dict(result.data)) == (
        "c5", CommandStatus.REJECTED, "设备拒绝 (refused by the device): charging: sockets busy",
        {"reason_code": "charging"})


def test_replies_to_unknown_ids_produce_nothing_at_all():
    session, _ = logged_in()
    out = session.receive(reply("start", "not-ours", socket=1, order="X"))
    assert (out.events, out.command_results, out.errors, out.replies, out.login) == ([], [], [], [], None)
    fresh = BikeSession("p")
    assert fresh.receive(reply("stop", "elsewhere")).login is None  # not even a resumed login


def test_a_reply_is_used_once_and_a_repeated_one_is_ignored():
    session, _ = logged_in()
    session.encode_command(DeviceCommand(SN, "start", START, "c1"))
    assert len(session.receive(reply("start", "c1")).command_results) == 1
    again = session.receive(reply("start", "c1"))
    assert (again.events, again.command_results, again.errors) == ([], [], [])


def test_a_reply_of_the_wrong_type_is_an_error_and_keeps_the_command_waiting():
    session, _ = logged_in()
    session.encode_command(DeviceCommand(SN, "start", START, "c1"))
    wrong = session.receive(reply("stop", "c1"))
    assert wrong.command_results == [] and "stop_reply answers the start command c1" in str(wrong.errors[0])
    assert session.receive(reply("start", "c1")).command_results[0][0] == "c1"


def test_sync_clock_waits_for_no_reply():
    session, _ = logged_in()
    session.encode_command(DeviceCommand(SN, "sync_clock", {}, "t1"))
    assert session.receive(reply("refresh", "t1")).command_results == []


def test_a_command_sent_before_login_gets_its_result_after_the_resumed_login():
    session = new_session()
    session.encode_command(DeviceCommand(SN, "refresh_state", {}, "c7"))
    out = session.receive(reply("refresh", "c7"))
    assert out.login.resumed is True and out.command_results == []
    decided = session.login_decided(LoginDecision.accept(SN, {}))
    assert decided.command_results[0][0] == "c7" and decided.command_results[0][1].ok


def test_only_the_latest_commands_are_remembered():
    session, _ = logged_in()
    for n in range(MAX_SENT + 1):
        session.encode_command(DeviceCommand(SN, "reboot", {}, f"c{n}"))
    assert session.receive(reply("reboot", "c0")).command_results == []
    assert session.receive(reply("reboot", f"c{MAX_SENT}")).command_results[0][0] == f"c{MAX_SENT}"
