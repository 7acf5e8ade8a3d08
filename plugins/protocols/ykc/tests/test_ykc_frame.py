"""The frame layer: CRC, both CRC byte orders, streaming with splits, concatenation and garbage."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ykc_helpers import be_crc, frames_and_errors

from chargehub_ykc.codec.frame import MAX_FRAME, CodecError, Frame, FrameError, FrameReader, crc16_modbus, encode_frame

HEARTBEAT = "68 0D 00 01 00 03 32 01 02 00 00 00 01 01 00 F1 1A"
LOGIN_REPLY = "68 0C 00 00 00 02 55 03 14 12 78 23 05 00 DA 4C"
RECORD = bytes.fromhex(
    "68 A2 80 01 00 3B 55 03 14 12 78 23 05 01 20 18 06 19 10 26 23 92 55 03 14 12 78 23 05 01 98 B7 0E 11 10 03"
    " 14 98 B7 0E 11 10 03 14 D0 FB 01 00 00 00 00 00 00 00 00 00 00 00 00 00 D0 FB 01 00 00 00 00 00 00 00 00 00"
    " 00 00 00 00 D0 FB 01 00 00 00 00 00 00 00 00 00 00 00 00 00 D0 FB 01 00 00 00 00 00 00 00 00 00 00 00 00 00"
    " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    " 00 00 00 02 98 B7 0E 11 10 03 14 00 00 00 00 00 D1 4B 0A 54 50 55")
STREAM = [bytes.fromhex(HEARTBEAT), bytes.fromhex(LOGIN_REPLY), RECORD, be_crc(HEARTBEAT)]


def test_crc16_modbus_check_value():
    assert crc16_modbus(b"123456789") == 0x4B37
    assert crc16_modbus(b"") == 0xFFFF


def test_encode_frame_layout_and_crc_low_byte_first():
    raw = encode_frame(0x03, bytes.fromhex("32 01 02 00 00 00 01 01 00"), b"\x00\x01")
    assert raw == bytes.fromhex(HEARTBEAT)
    crc = crc16_modbus(raw[2:-2])
    assert raw[-2:] == bytes((crc & 0xFF, crc >> 8))


@pytest.mark.parametrize(("args", "why"), [((0x03, b"", b"\x00"), "two bytes"), ((0x103, b""), "not a byte"),
                                           ((0x03, bytes(252)), "exceeds 251")])
def test_encode_frame_refuses_impossible_frames(args, why):
    with pytest.raises(CodecError, match=why):
        encode_frame(*args)


def test_both_crc_byte_orders_are_accepted():
    (le,) = FrameReader().feed(bytes.fromhex(HEARTBEAT))
    (be,) = FrameReader().feed(be_crc(HEARTBEAT))
    assert (le.crc_order, be.crc_order) == ("le", "be")
    assert (le.seq, le.code, le.body) == (be.seq, be.code, be.body) == (b"\x00\x01", 0x03,
                                                                          bytes.fromhex("32010200000001 01 00"))
    assert le.raw == bytes.fromhex(HEARTBEAT) and not le.encrypted


def test_bad_crc_is_an_error_and_the_next_frame_still_decodes():
    bad = bytearray.fromhex(HEARTBEAT)
    bad[-1] ^= 0xFF
    frames, errors = frames_and_errors(FrameReader().feed(bytes(bad) + bytes.fromhex(LOGIN_REPLY)))
    assert [f.code for f in frames] == [0x02]
    assert len(errors) == 1 and "bad CRC" in errors[0].message and errors[0].data == bytes(bad)


def test_garbage_is_reported_once_and_skipped():
    frames, errors = frames_and_errors(FrameReader().feed(b"\x00\x11garbage" + bytes.fromhex(LOGIN_REPLY)))
    assert [f.code for f in frames] == [0x02]
    assert [e.data for e in errors] == [b"\x00\x11garbage"]


def test_bad_length_byte_resynchronises():
    frames, errors = frames_and_errors(FrameReader().feed(b"\x68\x02\x00" + bytes.fromhex(LOGIN_REPLY)))
    assert [f.code for f in frames] == [0x02]
    assert "bad length" in errors[0].message


@pytest.mark.parametrize(("flag", "why"), [(0x01, "encrypted"), (0x07, "unknown encryption flag")])
def test_encryption_flags_are_errors(flag, why):
    raw = bytearray(encode_frame(0x03, bytes.fromhex("32010200000001 01 00")))
    raw[4] = flag
    crc = crc16_modbus(raw[2:-2])
    raw[-2:] = bytes((crc & 0xFF, crc >> 8))
    (item,) = FrameReader().feed(bytes(raw))
    assert isinstance(item, FrameError) and why in item.message and item.data == bytes(raw)


def test_partial_frames_wait_and_the_buffer_stays_bounded():
    reader = FrameReader()
    assert reader.feed(RECORD[:100]) == [] and reader.buffered == 100
    (frame,) = reader.feed(RECORD[100:])
    assert frame.code == 0x3B and reader.buffered == 0
    items = reader.feed(b"\x68\xff" + bytes(5000))
    assert items and all(isinstance(i, FrameError) for i in items)
    assert reader.buffered < MAX_FRAME


@settings(max_examples=200, deadline=None)
@given(order=st.permutations(range(len(STREAM))), repeat=st.integers(1, 3), cuts=st.lists(st.integers(0, 2000)))
def test_random_split_points_and_concatenations_give_the_same_frames(order, repeat, cuts):
    stream = b"".join(STREAM[i] for i in order) * repeat
    reader = FrameReader()
    items: list = []
    previous = 0
    for cut in sorted(c % (len(stream) + 1) for c in cuts) + [len(stream)]:
        items += reader.feed(stream[previous:cut])
        previous = cut
    assert all(isinstance(i, Frame) for i in items)
    assert [i.raw for i in items] == [STREAM[i] for i in order] * repeat
    assert reader.buffered == 0


@settings(max_examples=300, deadline=None)
@given(garbage=st.lists(st.binary(max_size=40), min_size=len(STREAM) + 1, max_size=len(STREAM) + 1),
       cuts=st.lists(st.integers(0, 1000), max_size=8))
def test_frames_survive_garbage_between_them(garbage, cuts):
    """Garbage without a start byte never hides a frame; errors carry exactly the garbage."""
    garbage = [g.replace(b"\x68", b"\x69") for g in garbage]
    stream = b"".join(g + f for g, f in zip(garbage, STREAM + [b""]))
    reader = FrameReader()
    items: list = []
    previous = 0
    for cut in sorted(c % (len(stream) + 1) for c in cuts) + [len(stream)]:
        items += reader.feed(stream[previous:cut])
        previous = cut
    frames, errors = frames_and_errors(items)
    assert [f.raw for f in frames] == STREAM
    assert b"".join(e.data for e in errors) == b"".join(garbage)
