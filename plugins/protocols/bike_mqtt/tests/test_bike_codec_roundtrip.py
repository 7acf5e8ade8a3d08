"""Codec: every message type, both directions, encodes and decodes back to the same message and bytes."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from bike_mqtt_helpers import DEVICE_TS, SN, meter_entry

from chargehub_bike_mqtt import codec
from chargehub_bike_mqtt.codec import codes as C

STATUS = [{"no": 1, "state": "charging", "order": "ORD1", "fault_bits": 0},
          {"no": 2, "state": "fault", "order": None, "fault_bits": 33}]
START = dict(socket=2, order="ORD123", mode="amount", limits={"seconds": 7200, "wh": 1500, "fen": 300},
             price={"fen_per_hour": 100, "fen_per_kwh": 120}, max_power_w=800, stop_when_full=True,
             full_current_ma=300, full_minutes=20)

#: type → (payload from its builder, the expected typed body, ``re``).
SAMPLES = {
    "online": (codec.encode_online("a1", SN, DEVICE_TS, fw="2.1.0", model="BK-10", sockets=10,
                                   iccid="8986001", rssi=-67, boot="reconnect"),
               {"fw": "2.1.0", "model": "BK-10", "sockets": 10, "iccid": "8986001", "rssi": -67, "boot": "reconnect"},
               None),
    "offline": (codec.encode_offline("a2", SN, DEVICE_TS, reason="shutdown"), {"reason": "shutdown"}, None),
    "heartbeat": (codec.encode_heartbeat("a3", SN, DEVICE_TS, rssi=-70, temp_c=-5, sockets=STATUS),
                  {"rssi": -70, "temp_c": -5, "sockets": STATUS}, None),
    "socket_status": (codec.encode_socket_status("a4", SN, DEVICE_TS, sockets=STATUS), {"sockets": STATUS}, None),
    "meter": (codec.encode_meter("a5", SN, DEVICE_TS, sockets=[meter_entry(1), meter_entry(4, voltage_v=230)]),
              {"sockets": [meter_entry(1), meter_entry(4, voltage_v=Decimal(230))]}, None),
    "record": (codec.encode_record("a6", SN, DEVICE_TS, socket=3, order="ORD9", started_at=DEVICE_TS - 60,
                                   ended_at=DEVICE_TS, energy_wh=20, elapsed_s=60, max_power_w=400, reason="fault",
                                   fault_bits=64),
               {"socket": 3, "order": "ORD9", "started_at": DEVICE_TS - 60, "ended_at": DEVICE_TS, "energy_wh": 20,
                "elapsed_s": 60, "max_power_w": 400, "reason": "fault", "fault_bits": 64}, None),
    "fault": (codec.encode_fault("a7", SN, DEVICE_TS, socket=0, fault_bits=192), {"socket": 0, "fault_bits": 192},
              None),
    "time_req": (codec.encode_time_req("a8", SN, 0), {}, None),
    "start_reply": (codec.encode_reply("start", "a9", SN, DEVICE_TS, re="c1", ok=False, code="no_load",
                                       reason="未插入", socket=2, order="ORD123"),
                    {"ok": False, "code": "no_load", "reason": "未插入", "socket": 2, "order": "ORD123"}, "c1"),
    "stop_reply": (codec.encode_reply("stop", "a10", SN, DEVICE_TS, re="c2", ok=True, socket=2, order="ORD123",
                                      energy_wh=900, elapsed_s=1800),
                   {"ok": True, "code": None, "reason": None, "socket": 2, "order": "ORD123", "energy_wh": 900,
                    "elapsed_s": 1800}, "c2"),
    "refresh_reply": (codec.encode_reply("refresh", "a11", SN, DEVICE_TS, re="c3", ok=True),
                      {"ok": True, "code": None, "reason": None}, "c3"),
    "params_reply": (codec.encode_reply("params", "a12", SN, DEVICE_TS, re="c4", ok=True, max_power_w=2200,
                                        heartbeat_s=60),
                     {"ok": True, "code": None, "reason": None, "max_power_w": 2200, "heartbeat_s": 60}, "c4"),
    "reboot_reply": (codec.encode_reply("reboot", "a13", SN, DEVICE_TS, re="c5", ok=False, code="charging"),
                     {"ok": False, "code": "charging", "reason": None}, "c5"),
    "qrcode_reply": (codec.encode_reply("qrcode", "a14", SN, DEVICE_TS, re="c6", ok=True),
                     {"ok": True, "code": None, "reason": None}, "c6"),
    "welcome": (codec.encode_welcome("b1", SN, DEVICE_TS, accepted=True, tz="Asia/Shanghai"),
                {"accepted": True, "reason": None, "heartbeat_s": 60, "tz": "Asia/Shanghai"}, None),
    "time": (codec.encode_time("b2", SN, DEVICE_TS, now=DEVICE_TS, tz="Asia/Shanghai"),
             {"now": DEVICE_TS, "tz": "Asia/Shanghai"}, None),
    "ack": (codec.encode_ack("b3", SN, DEVICE_TS, re="a6"), {}, "a6"),
    "start": (codec.encode_start("b4", SN, DEVICE_TS, **START), START, None),
    "stop": (codec.encode_stop("b5", SN, DEVICE_TS, socket=2), {"socket": 2, "order": None}, None),
    "refresh": (codec.encode_refresh("b6", SN, DEVICE_TS, sockets=[1, 3]), {"sockets": [1, 3]}, None),
    "params": (codec.encode_params("b7", SN, DEVICE_TS, **{k: lo for k, (lo, _) in C.PARAM_RANGES.items()}),
               {k: lo for k, (lo, _) in C.PARAM_RANGES.items()}, None),
    "reboot": (codec.encode_reboot("b8", SN, DEVICE_TS, mode="idle"), {"mode": "idle"}, None),
    "qrcode": (codec.encode_qrcode("b9", SN, DEVICE_TS, sockets=[{"no": 1, "url": "https://q.example/1"}]),
               {"prefix": None, "sockets": [{"no": 1, "url": "https://q.example/1"}]}, None),
}


def test_every_message_type_has_a_sample():
    assert set(SAMPLES) == C.MESSAGE_TYPES


@pytest.mark.parametrize("type_", sorted(SAMPLES))
def test_builder_payload_decodes_to_the_message(type_):
    payload, body, answered = SAMPLES[type_]
    message = codec.decode(payload)
    assert (message.type, message.dev, message.re) == (type_, SN, answered)
    assert dict(message.body) == body
    assert message.is_reply == (type_ in C.REPLY_TYPES)


@pytest.mark.parametrize("type_", sorted(SAMPLES))
def test_decoded_message_encodes_back_to_the_same_bytes(type_):
    payload, _, _ = SAMPLES[type_]
    message = codec.decode(payload)
    again = codec.encode(message.type, message.id, message.dev, message.ts, re=message.re, **message.body)
    assert again == payload
    assert codec.decode(again) == message


def test_payloads_are_compact_json_with_the_envelope_first():
    payload, _, _ = SAMPLES["fault"]
    assert payload == b'{"v":1,"type":"fault","id":"a7","dev":"BK0001","ts":1795000000,"socket":0,"fault_bits":192}'
    assert list(json.loads(payload))[:5] == ["v", "type", "id", "dev", "ts"]


def test_text_stays_utf8_not_escaped():
    payload = codec.encode_welcome("b1", SN, 0, accepted=False, reason="设备已停用")
    assert "设备已停用".encode() in payload and b"\\u" not in payload
    assert json.loads(payload) == {"v": 1, "type": "welcome", "id": "b1", "dev": SN, "ts": 0, "accepted": False,
                                   "reason": "设备已停用"}


def test_the_last_will_is_exactly_the_documented_payload():
    assert codec.lwt_payload(SN) == b'{"v":1,"type":"offline","id":"lwt","dev":"BK0001","ts":0,"reason":"lwt"}'


def test_decimals_are_json_numbers_and_come_back_as_decimals():
    entry = meter_entry(voltage_v=Decimal("220.50"), current_a=Decimal("0.005"))
    payload = codec.encode_meter("m", SN, 1, sockets=[entry])
    assert b'"voltage_v":220.5,"current_a":0.005' in payload
    entry = codec.decode(payload)["sockets"][0]
    assert entry["voltage_v"] == Decimal("220.5") and isinstance(entry["current_a"], Decimal)
    assert entry["current_a"] == Decimal("0.005")


def test_unknown_fields_are_ignored_and_dropped():
    payload = (b'{"v":1,"type":"fault","id":"x","dev":"BK0001","ts":5,"socket":1,"fault_bits":1,'
               b'"vendor_extra":{"a":[1,2]},"re":"ignored-outside-replies"}')
    message = codec.decode(payload)
    assert dict(message.body) == {"socket": 1, "fault_bits": 1} and message.re is None
    assert message["fault_bits"] == 1


def test_status_order_may_be_empty_or_absent_and_fault_bits_default_to_zero():
    payload = (b'{"v":1,"type":"socket_status","id":"x","dev":"B","ts":0,'
               b'"sockets":[{"no":1,"state":"idle","order":""},{"no":2,"state":"plugged"}]}')
    assert codec.decode(payload)["sockets"] == [{"no": 1, "state": "idle", "order": None, "fault_bits": 0},
                                                 {"no": 2, "state": "plugged", "order": None, "fault_bits": 0}]


def test_refused_welcome_carries_no_heartbeat_or_zone():
    message = codec.decode(codec.encode_welcome("w", SN, 0, accepted=False, reason="unknown", tz="Asia/Shanghai"))
    assert dict(message.body) == {"accepted": False, "reason": "unknown", "heartbeat_s": None, "tz": None}


def test_new_message_ids_are_valid_and_distinct():
    first, second = codec.new_message_id(), codec.new_message_id()
    assert first != second and codec.is_message_id(first) and codec.ID_PATTERN.fullmatch(second)
