"""Every message type round-trips: decode(encode(m)) == m and encode(decode(frame)) == frame."""
from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ykc_strategies import FIELDS, message_strategy

from chargehub_ykc.codec import messages as M
from chargehub_ykc.codec.frame import Frame, FrameReader, encode_frame
from chargehub_ykc.codec.messages import decode, encode


def test_strategies_cover_every_message_type_and_field():
    assert set(FIELDS) == set(M.MESSAGE_TYPES.values())
    for cls, fields in FIELDS.items():
        assert set(fields) == {f.name for f in dataclasses.fields(cls)}, cls.__name__


@pytest.mark.parametrize("cls", sorted(FIELDS, key=lambda c: c.CODE), ids=lambda c: f"{c.CODE:02X}-{c.__name__}")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seq=st.binary(min_size=2, max_size=2))
def test_message_round_trip(cls, data, seq):
    message = data.draw(message_strategy(cls))
    raw = encode(message, seq=seq)
    assert raw[0] == 0x68 and raw[1] == len(raw) - 4 and raw[2:4] == seq and raw[5] == cls.CODE
    (frame,) = FrameReader().feed(raw)
    assert isinstance(frame, Frame) and frame.crc_order == "le"
    assert decode(frame) == message
    assert encode(decode(frame), seq=frame.seq) == raw


def _body_or_none(cls: type, data: st.DataObject) -> bytes:
    size = cls.BODY_LENGTH if cls.BODY_LENGTH is not None else data.draw(st.integers(7, 251))
    return data.draw(st.binary(min_size=size, max_size=size))


@pytest.mark.parametrize("cls", sorted(FIELDS, key=lambda c: c.CODE), ids=lambda c: f"{c.CODE:02X}-{c.__name__}")
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_any_decodable_body_encodes_back_to_the_same_bytes(cls, data):
    """Random bodies: whatever decodes re-encodes identically (except masked CP56 bits)."""
    body = _body_or_none(cls, data)
    raw = encode_frame(cls.CODE, body, b"\x12\x34")
    (frame,) = FrameReader().feed(raw)
    try:
        message = decode(frame)
    except M.DecodeError as exc:
        assert exc.data == raw
        return
    again = encode(message, seq=frame.seq)
    if again != raw:  # only CP56 bits the spec masks may differ: decoding both gives the same message
        assert decode(FrameReader().feed(again)[0]) == message
        assert len(again) == len(raw)


def test_masked_cp56_bits_are_the_only_loss():
    # golden #9 with the minute's IV bit, the hour's SU bit, weekday 3 and the year's reserved bit set
    raw = encode_frame(0x56, bytes.fromhex("20 23 12 12 00 00 10 30 75 CF 91 72 0C 98"), b"\x01\x00")
    message = decode(FrameReader().feed(raw)[0])
    assert message == M.ClockSync("20231212000010", datetime(2024, 12, 18, 17, 15, 30))
    assert encode(message, seq=raw[2:4]).hex() == "6812010000562023121200001030750f11120c18047d"


@pytest.mark.parametrize(("message", "why"), [
    (M.Heartbeat("1234567890123456", 1, 0), "BCD code"),
    (M.Heartbeat("12345678901234", 100, 0), "gun number"),
    (M.Heartbeat("12345678901234", 1, 256), "ubyte"),
    (M.RemoteStart("1" * 32, "1" * 14, 1, "1" * 16, "G" * 16, Decimal(0)), "hex value"),
    (M.BalanceUpdate("1" * 14, 1, "0" * 16, Decimal("1.005")), "decimals"),
    (M.BalanceUpdate("1" * 14, 1, "0" * 16, 1.5), "float"),
    (M.OfflineCardQuery("1" * 14, ("0",) * 27), "at most 26"),
    (M.QrPrefixSet("1" * 14, 1, "x" * 243), "longer than"),
])
def test_encoding_refuses_values_the_wire_cannot_carry(message, why):
    with pytest.raises(M.EncodeError, match=why):
        encode(message)


@pytest.mark.parametrize(("code", "body", "why"), [
    (0x03, bytes(8), "needs a body of 9"),
    (0x03, bytes(7) + b"\x1a\x00", "not BCD"),
    (0x56, bytes(7) + bytes.fromhex("00 00 3C 00 01 01 14"), "CP56"),
    (0x44, bytes(7) + b"\x02" + bytes(16), "count byte"),
    (0x45, bytes(7) + bytes(9), "not 7 \\+ 10"),
    (0xF0, bytes(7) + b"\x01\x05abc", "prefix length"),
    (0x99, b"", "unknown frame code 0x99"),
])
def test_decoding_reports_bad_bodies(code, body, why):
    raw = encode_frame(code, body)
    with pytest.raises(M.DecodeError, match=why) as info:
        decode(FrameReader().feed(raw)[0])
    assert info.value.data == raw
