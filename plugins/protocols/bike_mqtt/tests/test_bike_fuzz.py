"""Fuzzing: random and mutated payloads never make the codec raise anything but MessageError, nor the
session raise at all; generated valid messages survive encode → decode unchanged."""
from __future__ import annotations

import json
from decimal import Decimal

from bike_mqtt_helpers import ONLINE, SETTINGS, SN, logged_in, new_session
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bike_codec_roundtrip import SAMPLES

from chargehub.contracts.devices import CommandNotSupported, DeviceCommand, LoginDecision, ProtocolError, SessionOutput

from chargehub_bike_mqtt import codec
from chargehub_bike_mqtt.codec import MessageError
from chargehub_bike_mqtt.codec import codes as C
from chargehub_bike_mqtt.commands import COMMAND_TYPES

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SCALARS = (st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.integers(-5, 600)
           | st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1000, max_value=1000)
           | st.text(max_size=40) | st.sampled_from(sorted(C.MESSAGE_TYPES) + [SN, "lwt", "idle", "full", "busy"]))
JSONISH = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=12), inner, max_size=5), max_leaves=15)
FIELD_NAMES = sorted({"v", "type", "id", "dev", "ts", "re", "ok", "code", "reason", "socket", "sockets", "no", "state",
                      "order", "fault_bits", "voltage_v", "current_a", "power_w", "energy_wh", "elapsed_s", "limits",
                      "price", "mode", "prefix", "url", "accepted", "now", "tz", "fw", "model"})


def _dump(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, default=lambda d: float(d)).encode()


@st.composite
def mutated(draw) -> bytes:
    """A valid payload of any type with fields replaced, removed or added (usually still JSON)."""
    data = json.loads(draw(st.sampled_from([p for p, _, _ in SAMPLES.values()] + [ONLINE])), parse_float=Decimal)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["replace", "delete", "add", "nested"]))
        key = draw(st.sampled_from(sorted(data))) if data else "v"
        if kind == "replace":
            data[key] = draw(JSONISH)
        elif kind == "delete":
            data.pop(key, None)
        elif kind == "add":
            data[draw(st.sampled_from(FIELD_NAMES))] = draw(JSONISH)
        elif isinstance(data.get("sockets"), list) and data["sockets"] and isinstance(data["sockets"][0], dict):
            data["sockets"][0][draw(st.sampled_from(FIELD_NAMES))] = draw(JSONISH)
    raw = _dump(data)
    if draw(st.integers(0, 9)) == 0:  # sometimes break the bytes themselves
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(max_size=4)) + raw[at + draw(st.integers(0, 3)):]
    return raw


PAYLOADS = st.one_of(st.binary(max_size=300), JSONISH.map(_dump), mutated(),
                     st.sampled_from([p for p, _, _ in SAMPLES.values()]))


@FUZZ
@given(payload=PAYLOADS)
def test_decode_raises_nothing_but_message_error(payload):
    try:
        message = codec.decode(payload)
    except MessageError as exc:
        assert str(exc)
        return
    assert message.type in C.MESSAGE_TYPES and codec.is_message_id(message.id)
    again = codec.encode(message.type, message.id, message.dev, message.ts, re=message.re, **message.body)
    assert codec.decode(again) == message


STATUS_ENTRY = st.fixed_dictionaries({"no": st.integers(1, 12), "state": st.sampled_from(C.SOCKET_STATES),
                                      "order": st.none() | st.text(min_size=1, max_size=32),
                                      "fault_bits": st.integers(0, 0xFFFF)})
METER_ENTRY = st.fixed_dictionaries({
    "no": st.integers(1, 12), "order": st.text(min_size=1, max_size=32),
    "voltage_v": st.decimals(min_value=0, max_value=500, places=1),
    "current_a": st.decimals(min_value=0, max_value=100, places=3),
    "power_w": st.integers(0, C.SOCKET_POWER_MAX_W), "energy_wh": st.integers(0, C.ENERGY_MAX_WH),
    "elapsed_s": st.integers(0, C.DURATION_MAX_S)})


def _unique(entries):
    return list({e["no"]: e for e in entries}.values())


DEVS = st.text(min_size=1, max_size=32).filter(lambda d: codec.dev_problem(d) is None)
IDS = st.from_regex(codec.ID_PATTERN, fullmatch=True)


@FUZZ
@given(id_=IDS, dev=DEVS, ts=st.integers(0, C.MAX_UNIX),
       status=st.lists(STATUS_ENTRY, min_size=1, max_size=12).map(_unique),
       meter=st.lists(METER_ENTRY, min_size=1, max_size=12).map(_unique),
       record=st.fixed_dictionaries({"socket": st.integers(1, 12), "order": st.text(min_size=1, max_size=32),
                                     "started_at": st.integers(0, C.MAX_UNIX), "ended_at": st.integers(0, C.MAX_UNIX),
                                     "energy_wh": st.integers(0, C.ENERGY_MAX_WH),
                                     "elapsed_s": st.integers(0, C.DURATION_MAX_S),
                                     "max_power_w": st.integers(0, C.SOCKET_POWER_MAX_W),
                                     "reason": st.sampled_from(C.END_REASONS), "fault_bits": st.integers(0, 0xFFFF)}))
def test_generated_valid_messages_round_trip(id_, dev, ts, status, meter, record):
    for type_, body in [("socket_status", {"sockets": status}), ("meter", {"sockets": meter}), ("record", record)]:
        message = codec.decode(codec.encode(type_, id_, dev, ts, **body))
        assert (message.type, message.id, message.dev, message.ts) == (type_, id_, dev, ts)
        assert json.loads(_dump(dict(message.body))) == json.loads(_dump(body))


def _check(out: SessionOutput) -> None:
    assert isinstance(out, SessionOutput)
    assert all(isinstance(e, ProtocolError) for e in out.errors)
    assert not [e for e in out.errors if "internal error" in str(e)], out.errors
    json.dumps([dict(e.data) for e in out.events])
    for payload in out.replies + out.acks:
        assert codec.decode(payload).type in C.PLATFORM_TYPES


@FUZZ
@given(payloads=st.lists(PAYLOADS, min_size=1, max_size=6))
def test_logged_in_session_never_raises(payloads):
    session, _ = logged_in()
    for payload in payloads:
        _check(session.receive(payload))


@FUZZ
@given(payloads=st.lists(PAYLOADS, min_size=1, max_size=6), accept=st.booleans())
def test_session_around_logins_never_raises(payloads, accept):
    session = new_session()
    for payload in [*payloads[:2], ONLINE, *payloads[2:]]:
        out = session.receive(payload)
        _check(out)
        if out.login is not None:
            decision = LoginDecision.accept(SN, SETTINGS) if accept else LoginDecision.refuse(SN, "no")
            _check(session.login_decided(decision))


PARAM_NAMES = ["socket", "gun", "trade_no", "mode", "duration_s", "duration_minutes", "energy_kwh", "amount",
               "price_per_hour", "price_per_kwh", "max_power_w", "stop_when_full", "full_current_ma", "full_minutes",
               "sockets", "guns", "prefix", "timezone", "heartbeat_s", "max_current_ma", "enabled"]


@FUZZ
@given(name=st.sampled_from(sorted(COMMAND_TYPES) + ["unknown"]),
       params=st.dictionaries(st.sampled_from(PARAM_NAMES), JSONISH | st.integers(1, 12), max_size=8))
def test_commands_with_random_params_encode_or_are_refused(name, params):
    session, _ = logged_in()
    try:
        payload = session.encode_command(DeviceCommand(SN, name, params, "cmd1"))
    except CommandNotSupported as exc:
        assert str(exc)
        return
    message = codec.decode(payload)
    assert (message.type, message.id, message.dev) == (COMMAND_TYPES[name], "cmd1", SN)


@FUZZ
@given(settings_=st.dictionaries(st.sampled_from(["timezone", "qr_prefix", "enabled"]), JSONISH, max_size=3))
def test_login_with_odd_settings_never_raises(settings_):
    session = new_session()
    session.receive(ONLINE)
    _check(session.login_decided(LoginDecision.accept(SN, settings_)))
    _check(session.receive(codec.encode_time_req("t", SN, 0)))
