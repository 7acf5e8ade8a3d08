"""Fuzzing: random and mutated input never makes the reader or the session raise."""
from __future__ import annotations

import dataclasses
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ykc_helpers import PILE, SETTINGS, logged_in, login_frame, new_session
from ykc_strategies import ANY_MESSAGE

from chargehub.contracts.devices import CommandNotSupported, DeviceCommand, LoginDecision, ProtocolError, SessionOutput

from chargehub_ykc.codec.frame import MAX_FRAME, Frame, FrameError, FrameReader, encode_frame
from chargehub_ykc.codec.messages import MESSAGE_TYPES, encode
from chargehub_ykc.commands import COMMANDS

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def pile_frames(draw) -> bytes:
    """A valid frame of any message, usually naming the logged-in pile."""
    message = draw(ANY_MESSAGE)
    if hasattr(message, "pile_code") and draw(st.integers(0, 9)):
        message = dataclasses.replace(message, pile_code=PILE)
    return encode(message, seq=draw(st.binary(min_size=2, max_size=2)))


@st.composite
def mutated(draw) -> bytes:
    """A valid frame with bytes flipped, cut, inserted or duplicated."""
    raw = bytearray(draw(pile_frames()))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "dup"]))
        at = draw(st.integers(0, len(raw)))
        if kind == "flip" and raw:
            raw[at % len(raw)] ^= draw(st.integers(1, 255))
        elif kind == "cut":
            del raw[at:at + draw(st.integers(1, 8))]
        elif kind == "insert":
            raw[at:at] = draw(st.binary(min_size=1, max_size=8))
        else:
            raw += raw[:at]
    return bytes(raw)


@st.composite
def recrc(draw) -> bytes:
    """A frame of a known code whose body is mutated but whose CRC is recomputed (reaches the decoders)."""
    code = draw(st.sampled_from(sorted(MESSAGE_TYPES)))
    cls = MESSAGE_TYPES[code]
    size = cls.BODY_LENGTH if cls.BODY_LENGTH is not None and draw(st.integers(0, 4)) else draw(st.integers(0, 60))
    body = bytearray(draw(st.binary(min_size=size, max_size=size)))
    if len(body) >= 7 and draw(st.booleans()):
        offset = 16 if len(body) >= 24 and draw(st.booleans()) else 0
        body[offset:offset + 7] = bytes.fromhex(PILE)
    return encode_frame(code, bytes(body), draw(st.binary(min_size=2, max_size=2)))


STREAMS = st.lists(st.one_of(st.binary(max_size=300), pile_frames(), mutated(), recrc()), min_size=1, max_size=6)


def _check(out: SessionOutput) -> None:
    assert isinstance(out, SessionOutput)
    assert all(isinstance(e, ProtocolError) for e in out.errors)
    assert not [e for e in out.errors if "internal error" in str(e)], out.errors
    json.dumps([dict(e.data) for e in out.events])
    for blob in out.replies + out.acks:
        items = FrameReader().feed(blob)
        assert items and all(isinstance(i, Frame) and i.crc_order == "le" for i in items)


@FUZZ
@given(chunks=st.lists(st.binary(max_size=600), max_size=8))
def test_reader_never_raises_on_random_bytes(chunks):
    reader = FrameReader()
    for chunk in chunks:
        items = reader.feed(chunk)
        assert all(isinstance(i, (Frame, FrameError)) for i in items)
        assert reader.buffered < MAX_FRAME


@FUZZ
@given(parts=STREAMS, cuts=st.lists(st.integers(0, 4000), max_size=6))
def test_reader_never_raises_on_mutated_frames(parts, cuts):
    stream = b"".join(parts)
    reader = FrameReader()
    previous = 0
    for cut in sorted(c % (len(stream) + 1) for c in cuts) + [len(stream)]:
        for item in reader.feed(stream[previous:cut]):
            assert isinstance(item, (Frame, FrameError))
            if isinstance(item, FrameError):
                assert item.data and item.message
        previous = cut


@FUZZ
@given(parts=STREAMS)
def test_logged_in_session_never_raises_and_reports_bad_frames(parts):
    session, _ = logged_in()
    for part in parts:
        _check(session.receive(part))


@FUZZ
@given(parts=STREAMS, accept=st.booleans())
def test_session_around_the_login_never_raises(parts, accept):
    session = new_session()
    for part in parts[:2]:
        _check(session.receive(part))
    out = session.receive(login_frame())
    _check(out)
    if out.login is not None:
        decision = LoginDecision.accept(PILE, SETTINGS) if accept else LoginDecision.refuse(PILE, "no")
        _check(session.login_decided(decision))
    for part in parts[2:]:
        _check(session.receive(part))


JSONISH = st.recursive(st.none() | st.booleans() | st.integers(-10, 300) | st.text(max_size=40)
                       | st.sampled_from(["1" * 32, "0.01", "now", "up", "D14B0A54", "Asia/Shanghai", "0009"]),
                       lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                    max_size=4), max_leaves=12)
PARAM_NAMES = ["gun", "trade_no", "logical_card", "physical_card", "balance", "mode", "timezone", "prefix", "guns",
               "enabled", "max_power_percent", "action", "cards", "model_code", "ykc", "server", "port", "path",
               "when", "timeout_minutes", "pile_model", "power_kw", "user", "password", "hotline"]


@FUZZ
@given(name=st.sampled_from(sorted(COMMANDS) + ["unknown"]),
       params=st.dictionaries(st.sampled_from(PARAM_NAMES), JSONISH, max_size=8))
def test_commands_with_random_params_encode_or_are_refused(name, params):
    session, _ = logged_in()
    try:
        frame = session.encode_command(DeviceCommand(PILE, name, params))
    except CommandNotSupported as exc:
        assert str(exc)
        return
    items = FrameReader().feed(frame)
    assert items and all(isinstance(i, Frame) for i in items)


@FUZZ
@given(settings_=st.dictionaries(st.sampled_from(["timezone", "gun_count", "billing", "qr_prefix", "cards"]),
                                 JSONISH, max_size=5))
def test_login_with_odd_settings_never_raises(settings_):
    session = new_session()
    session.receive(login_frame())
    _check(session.login_decided(LoginDecision.accept(PILE, settings_)))
    _check(session.receive(encode_frame(0x09, bytes.fromhex(PILE))))
