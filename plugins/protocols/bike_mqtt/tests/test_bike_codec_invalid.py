"""Codec: everything the document refuses raises MessageError naming the field at fault."""
from __future__ import annotations

import pytest
from bike_mqtt_helpers import SN, envelope, meter_entry, raw

from chargehub_bike_mqtt import codec
from chargehub_bike_mqtt.codec import MessageError

STATUS = {"no": 1, "state": "idle", "order": None, "fault_bits": 0}
RECORD = dict(socket=1, order="O1", started_at=10, ended_at=20, energy_wh=5, elapsed_s=10, max_power_w=100,
              reason="full", fault_bits=0)


def meter(**changes):
    return raw(envelope("meter", sockets=[{**meter_entry(), "voltage_v": 220.5, "current_a": 1.875, **changes}]))


CASES = [
    # (payload, field named, words in the reason)
    (b"{", None, "not JSON"),
    (b"\xff\xfe{}", None, "not UTF-8"),
    (b"", None, "not JSON"),
    (b"[1, 2]", None, "not a JSON object"),
    (b'"online"', None, "not a JSON object"),
    (b'{"v":1,"type":"fault","id":"x","dev":"B","ts":1,"socket":1,"fault_bits":NaN}', None, "not JSON"),
    (b"{" * 5000 + b"}" * 5000, None, "not JSON"),
    (b'{"v":1,"type":"fault","id":"x","dev":"B","ts":1,"socket":1,"fault_bits":' + b"9" * 5000 + b"}", None,
     "not JSON"),
    (b" " * (codec.MAX_PAYLOAD + 1), None, "larger than"),
    (raw({k: v for k, v in envelope("time_req").items() if k != "v"}), "v", "missing"),
    (raw({**envelope("time_req"), "v": 2}), "v", "version 2"),
    (raw({**envelope("time_req"), "v": "1"}), "v", "version"),
    (raw({**envelope("time_req"), "v": True}), "v", "version"),
    (raw({**envelope("time_req"), "type": "reset"}), "type", "unknown message type 'reset'"),
    (raw({**envelope("time_req"), "type": 3}), "type", "unknown message type"),
    (raw({k: v for k, v in envelope("time_req").items() if k != "type"}), "type", "missing"),
    (raw({**envelope("time_req"), "id": ""}), "id", "1..64"),
    (raw({**envelope("time_req"), "id": "a" * 65}), "id", "1..64"),
    (raw({**envelope("time_req"), "id": "has space"}), "id", "A-Z"),
    (raw({**envelope("time_req"), "id": 17}), "id", "1..64"),
    (raw({k: v for k, v in envelope("time_req").items() if k != "id"}), "id", "missing"),
    (raw({**envelope("time_req"), "dev": ""}), "dev", "1..32"),
    (raw({**envelope("time_req"), "dev": "B" * 33}), "dev", "1..32"),
    (raw({**envelope("time_req"), "dev": "BK/1"}), "dev", "'/'"),
    (raw({**envelope("time_req"), "dev": "BK+"}), "dev", "'+'"),
    (raw({**envelope("time_req"), "dev": "BK#"}), "dev", "'#'"),
    (raw({**envelope("time_req"), "dev": "BK\u0000"}), "dev", "control"),
    (raw({**envelope("time_req"), "dev": 1}), "dev", "string"),
    (raw({**envelope("time_req"), "ts": 1.5}), "ts", "integer"),
    (raw({**envelope("time_req"), "ts": -1}), "ts", "negative"),
    (raw({**envelope("time_req"), "ts": "1795000000"}), "ts", "integer"),
    (raw({**envelope("time_req"), "ts": False}), "ts", "boolean"),
    (raw({k: v for k, v in envelope("time_req").items() if k != "ts"}), "ts", "missing"),
    (raw(envelope("ack")), "re", "missing"),
    (raw(envelope("start_reply", re="bad id!", ok=True)), "re", "message id"),
    # online
    (raw(envelope("online", model="M", sockets=2)), "fw", "missing"),
    (raw(envelope("online", fw="1", model="M", sockets=13)), "sockets", "1..12"),
    (raw(envelope("online", fw="1", model="M", sockets=0)), "sockets", "1..12"),
    (raw(envelope("online", fw="1", model="M", sockets=2.0)), "sockets", "integer"),
    (raw(envelope("online", fw="1", model="M", sockets=2, boot="crash")), "boot", "power_on"),
    (raw(envelope("online", fw="1", model="M", sockets=2, rssi=-67.5)), "rssi", "integer"),
    (raw(envelope("online", fw=1, model="M", sockets=2)), "fw", "string"),
    (raw(envelope("offline", reason="bored")), "reason", "lwt, reboot, shutdown"),
    # heartbeat / status
    (raw(envelope("heartbeat", temp_c=True)), "temp_c", "boolean"),
    (raw(envelope("heartbeat", sockets={"no": 1})), "sockets", "list"),
    (raw(envelope("socket_status", sockets=[])), "sockets", "0"),
    (raw(envelope("socket_status")), "sockets", "missing"),
    (raw(envelope("socket_status", sockets=[STATUS, STATUS])), "sockets[1].no", "listed twice"),
    (raw(envelope("socket_status", sockets=[{**STATUS, "no": 0}])), "sockets[0].no", "1..12"),
    (raw(envelope("socket_status", sockets=[{**STATUS, "state": "busy"}])), "sockets[0].state", "idle"),
    (raw(envelope("socket_status", sockets=[{**STATUS, "order": 5}])), "sockets[0].order", "string"),
    (raw(envelope("socket_status", sockets=[{**STATUS, "order": "O" * 33}])), "sockets[0].order", "33"),
    (raw(envelope("socket_status", sockets=[{**STATUS, "fault_bits": -1}])), "sockets[0].fault_bits", "negative"),
    (raw(envelope("socket_status", sockets=[{**STATUS, "fault_bits": 65536}])), "sockets[0].fault_bits", "65535"),
    (raw(envelope("socket_status", sockets=["idle"])), "sockets[0]", "object"),
    (raw(envelope("socket_status", sockets=[dict(STATUS, no=n) for n in range(1, 14)])), "sockets", "13"),
    # meter: units, decimals and ranges
    (meter(voltage_v=2200), "sockets[0].voltage_v", "0..500"),
    (meter(voltage_v=220.55), "sockets[0].voltage_v", "1 decimal"),
    (meter(voltage_v=-1), "sockets[0].voltage_v", "negative"),
    (meter(voltage_v="220"), "sockets[0].voltage_v", "number"),
    (meter(current_a=1.0005), "sockets[0].current_a", "3 decimals"),
    (meter(current_a=150), "sockets[0].current_a", "0..100"),
    (meter(power_w=12.5), "sockets[0].power_w", "integer, not the fraction 12.5"),
    (meter(power_w=-3), "sockets[0].power_w", "negative"),
    (meter(energy_wh=12.0), "sockets[0].energy_wh", "integer"),
    (meter(elapsed_s=None), "sockets[0].elapsed_s", "null"),
    (meter(order=None), "sockets[0].order", "string"),
    (raw(envelope("meter", sockets=[{k: v for k, v in meter_entry().items() if k != "power_w"} | {
        "voltage_v": 220, "current_a": 1}])), "sockets[0].power_w", "missing"),
    # record
    (raw(envelope("record", **{**RECORD, "reason": "tired"})), "reason", "duration"),
    (raw(envelope("record", **{**RECORD, "socket": 13})), "socket", "1..12"),
    (raw(envelope("record", **{**RECORD, "socket": 0})), "socket", "1..12"),
    (raw(envelope("record", **{**RECORD, "energy_wh": 12.5})), "energy_wh", "integer"),
    (raw(envelope("record", **{**RECORD, "max_power_w": "100"})), "max_power_w", "integer"),
    (raw(envelope("record", **{k: v for k, v in RECORD.items() if k != "order"})), "order", "missing"),
    (raw(envelope("record", **{k: v for k, v in RECORD.items() if k != "fault_bits"})), "fault_bits", "missing"),
    # fault
    (raw(envelope("fault", socket=13, fault_bits=1)), "socket", "0..12"),
    (raw(envelope("fault", socket=-1, fault_bits=1)), "socket", "negative"),
    (raw(envelope("fault", socket=1, fault_bits=True)), "fault_bits", "boolean"),
    # replies
    (raw(envelope("start_reply", re="c1", ok="yes")), "ok", "true or false"),
    (raw(envelope("start_reply", re="c1", ok=False, reason="x")), "code", "missing"),
    (raw(envelope("start_reply", re="c1", ok=False, code="nope")), "code", "busy, no_load"),
    (raw(envelope("stop_reply", re="c1", ok=False, code="busy")), "code", "idle, wrong_order"),
    (raw(envelope("stop_reply", re="c1", ok=True, energy_wh=1.5)), "energy_wh", "integer"),
    (raw(envelope("params_reply", re="c1", ok=True, heartbeat_s=1)), "heartbeat_s", "10..3600"),
    # platform → device
    (raw(envelope("start", socket=1, order="O", mode="amount", limits={"fen": 100})), "price", "limits.fen"),
    (raw(envelope("start", socket=1, order="O", mode="fast")), "mode", "duration"),
    (raw(envelope("start", socket=1, order="O", mode="duration", limits={"seconds": 0})), "limits.seconds", "1.."),
    (raw(envelope("start", socket=1, order="O", mode="duration", limits=[])), "limits", "object"),
    (raw(envelope("start", socket=1, order="O", mode="full", stop_when_full=1)), "stop_when_full", "true or false"),
    (raw(envelope("refresh", sockets=[1, 1])), "sockets[1]", "listed twice"),
    (raw(envelope("refresh", sockets=[1, 13])), "sockets[1]", "1..12"),
    (raw(envelope("params")), None, "at least one"),
    (raw(envelope("reboot", mode="later")), "mode", "now, idle"),
    (raw(envelope("qrcode")), None, "exactly one"),
    (raw(envelope("qrcode", prefix="https://x/", sockets=[{"no": 1, "url": "u"}])), None, "exactly one"),
    (raw(envelope("welcome", accepted="yes")), "accepted", "true or false"),
    (raw(envelope("time", tz="Asia/Shanghai")), "now", "missing"),
]


@pytest.mark.parametrize("payload, field, words", CASES, ids=[f"{i}-{c[1]}" for i, c in enumerate(CASES)])
def test_invalid_payload_is_refused_naming_the_field(payload, field, words):
    with pytest.raises(MessageError) as caught:
        codec.decode(payload)
    assert caught.value.field == field
    assert words in str(caught.value)
    if field is not None:
        assert str(caught.value).startswith(f"{field}: ")


def test_message_error_is_a_value_error():
    assert issubclass(MessageError, ValueError)


def test_decode_refuses_what_is_not_bytes():
    with pytest.raises(MessageError, match="payload must be bytes"):
        codec.decode("{}")  # type: ignore[arg-type]


@pytest.mark.parametrize("call, field", [
    (lambda: codec.encode_fault("x", SN, 1, socket=1, fault_bits=70000), "fault_bits"),
    (lambda: codec.encode_meter("x", SN, 1, sockets=[meter_entry(voltage_v=2200)]), "sockets[0].voltage_v"),
    (lambda: codec.encode_online("x", "BK/1", 1, fw="1", model="M", sockets=2), "dev"),
    (lambda: codec.encode_time_req("", SN, 1), "id"),
    (lambda: codec.encode_meter("x", SN, 1, sockets=[meter_entry(current_a=1.5)]), "sockets[0].current_a"),
])
def test_encoders_refuse_what_decode_would_refuse(call, field):
    with pytest.raises(MessageError) as caught:
        call()
    assert caught.value.field == field


def test_encoders_refuse_unknown_commands_and_params_and_envelope_clashes():
    with pytest.raises(MessageError, match="not a command"):
        codec.encode_reply("dance", "x", SN, 1, re="c", ok=True)
    with pytest.raises(MessageError, match="not a device parameter: colour"):
        codec.encode_params("x", SN, 1, colour=3)
    with pytest.raises(MessageError, match="envelope fields cannot be body fields: v"):
        codec.encode("fault", "x", SN, 1, socket=1, fault_bits=0, v=2)
