"""Field encodings: BCD, CP56Time2a, little-endian integers, ASCII, scaled decimals."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from chargehub_ykc.codec import fields as F


def test_bcd_codes_and_gun_numbers():
    assert F.bcd_decode(bytes.fromhex("32 01 02 00 00 00 01")) == "32010200000001"
    assert F.bcd_encode("1000000573", 8) == bytes.fromhex("00 00 00 10 00 00 05 73")
    assert F.bcd_decode(bytes.fromhex("89 86 04 D1")) == "898604D1"  # ICCIDs carry hex digits: kept verbatim
    assert F.gun_decode(0x12) == 12 and F.gun_encode(12) == 0x12
    with pytest.raises(F.DecodeError):
        F.gun_decode(0x0A)
    for bad in ("123456789012345", "12 34", "x"):
        with pytest.raises(F.EncodeError):
            F.bcd_encode(bad, 7)


def test_cp56_decoding_masks_flags_and_weekday():
    assert F.cp56_decode(bytes.fromhex("98 B7 0E 11 10 03 14")) == datetime(2020, 3, 16, 17, 14, 47)
    # golden #19: the day byte 0x6D carries weekday 3 in its high bits
    assert F.cp56_decode(bytes.fromhex("B0 36 04 11 6D 0C 17")) == datetime(2023, 12, 13, 17, 4, 14)
    assert F.cp56_decode(bytes.fromhex("98 B7 CE 91 10 F3 94")) == datetime(2020, 3, 16, 17, 14, 47)
    assert F.cp56_decode(bytes(7)) is None and F.cp56_encode(None) == bytes(7)
    for bad in ("60 EA 00 00 01 01 14", "00 00 3C 00 01 01 14", "00 00 00 00 00 01 14", "00 00 00 00 01 01 64"):
        with pytest.raises(F.DecodeError, match="CP56"):
            F.cp56_decode(bytes.fromhex(bad))


def test_cp56_encoding_writes_weekday_zero_and_milliseconds():
    assert F.cp56_encode(datetime(2023, 12, 13, 17, 4, 14, 123999)) == bytes.fromhex("2B 37 04 11 0D 0C 17")
    with pytest.raises(F.EncodeError):
        F.cp56_encode(datetime(1999, 12, 31))


def test_integers_text_and_hex():
    assert F.uint_decode(bytes.fromhex("01 02 03 04 05")) == 0x0504030201
    assert F.uint_encode(0x0504030201, 5) == bytes.fromhex("01 02 03 04 05")
    with pytest.raises(F.EncodeError):
        F.uint_encode(1 << 40, 5)
    assert F.ascii_decode(b"V4.1.50\x00") == "V4.1.50" and F.ascii_encode("sr", 4) == b"sr\x00\x00"
    with pytest.raises(F.EncodeError):
        F.ascii_encode("toolong", 4)
    with pytest.raises(F.EncodeError):
        F.ascii_encode("云", 4)
    assert F.hex_decode(bytes.fromhex("00000000D14B0A54")) == "00000000D14B0A54"
    assert F.hex_encode("d14b0a54", 8) == bytes.fromhex("00000000D14B0A54")


def test_scaled_decimals_never_use_floats():
    assert F.scaled_decode(2251, 1) == Decimal("225.1") and str(F.scaled_decode(0, 4)) == "0.0000"
    assert str(F.scaled_decode(5960, 1, -400)) == "196.0"
    assert F.scaled_encode(Decimal("196.0"), 1, -400) == 5960
    assert F.scaled_encode("1.30000", 5) == 130000
    with pytest.raises(F.EncodeError, match="decimals"):
        F.scaled_encode(Decimal("0.123"), 2)
    with pytest.raises(F.EncodeError, match="float"):
        F.scaled_encode(0.5, 2)
    with pytest.raises(F.EncodeError):
        F.scaled_encode("NaN", 2)
