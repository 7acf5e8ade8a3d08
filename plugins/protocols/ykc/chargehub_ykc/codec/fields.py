"""YKC field encodings (``specs/ykc-protocol.md`` §3): BCD, CP56Time2a, little-endian integers, ASCII,
raw hex and scaled decimals. Pure functions; decoders raise :class:`DecodeError`, encoders
:class:`EncodeError` (both :class:`~chargehub_ykc.codec.frame.CodecError`, hence ``ValueError``).

BCD codes decode to their digit strings (``32 01 02 …`` → ``"320102…"``). Pile firmware sometimes puts
hex digits in "BCD" fields (ICCIDs always do), so any nibble is accepted and shown as an upper-case hex
digit: decoding never loses information and encoding gives the same bytes back. Only the gun number,
which becomes an ``int``, must be strict BCD.
"""
from __future__ import annotations

import struct
from datetime import datetime
from decimal import Decimal, InvalidOperation

from chargehub_ykc.codec.frame import CodecError

__all__ = [
    "DecodeError",
    "EncodeError",
    "bcd_decode",
    "bcd_encode",
    "gun_decode",
    "gun_encode",
    "hex_decode",
    "hex_encode",
    "cp56_decode",
    "cp56_encode",
    "ascii_decode",
    "ascii_encode",
    "uint_decode",
    "uint_encode",
    "scaled_decode",
    "scaled_encode",
]

_HEX_DIGITS = frozenset("0123456789ABCDEFabcdef")
_ZERO_CP56 = bytes(7)
_CP56 = struct.Struct("<HBBBBB")
#: BCD byte → its value 0..99, or -1 when a nibble is above 9.
_BCD_BYTE = tuple((b >> 4) * 10 + (b & 0x0F) if (b >> 4) < 10 and (b & 0x0F) < 10 else -1 for b in range(256))
_TO_BCD_BYTE = tuple((n // 10) << 4 | n % 10 for n in range(100))


class DecodeError(CodecError):
    """A frame (or field) whose bytes do not decode to a valid message."""


class EncodeError(CodecError):
    """A value that cannot be encoded (out of range, wrong type, too long...)."""


def bcd_decode(raw: bytes) -> str:
    """The digit string of a packed BCD field (two digits per byte, high nibble first)."""
    return raw.hex().upper()


def _hex_digits(value: str, size: int, what: str) -> bytes:
    if not isinstance(value, str):
        raise EncodeError(f"{what} must be a string, not {type(value).__name__}")
    digits = value.rjust(size * 2, "0")
    if len(digits) != size * 2 or not _HEX_DIGITS.issuperset(digits):
        raise EncodeError(f"{what} {value!r} is not at most {size * 2} digits")
    return bytes.fromhex(digits)


def bcd_encode(value: str, size: int) -> bytes:
    """``value`` (a digit string, left-padded with zeros) as ``size`` bytes of BCD."""
    return _hex_digits(value, size, "BCD code")


def gun_decode(byte: int) -> int:
    """A one-byte BCD gun number (``0x01`` → 1, ``0x12`` → 12)."""
    value = _BCD_BYTE[byte]
    if value < 0:
        raise DecodeError(f"gun number 0x{byte:02X} is not BCD")
    return value


def gun_encode(value: int) -> int:
    """The BCD byte of gun number ``value`` (0..99)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 99:
        raise EncodeError(f"gun number {value!r} is not 0..99")
    return _TO_BCD_BYTE[value]


def hex_decode(raw: bytes) -> str:
    """Raw bytes (physical card UID, ICCID...) as an upper-case hex string."""
    return raw.hex().upper()


def hex_encode(value: str, size: int) -> bytes:
    """An upper- or lower-case hex string, left-padded with zeros to ``size`` bytes."""
    return _hex_digits(value, size, "hex value")


def cp56_decode(raw: bytes) -> datetime | None:
    """A CP56Time2a time as a naive local datetime (``None`` for seven zero bytes: "no time").

    Reserved bits, the invalid flag, the summer-time flag and the weekday are masked off.
    """
    if raw == _ZERO_CP56:
        return None
    millis, minute, hour, day, month, year = _CP56.unpack(raw)
    second, millis = divmod(millis, 1000)
    year &= 0x7F
    if year > 99:
        raise DecodeError(f"invalid CP56Time2a time: year {year} beyond 99", raw)
    try:
        return datetime(2000 + year, month & 0x0F, day & 0x1F, hour & 0x1F, minute & 0x3F, second,
                        millis * 1000)
    except ValueError as exc:
        raise DecodeError(f"invalid CP56Time2a time: {exc}", raw) from None


def cp56_encode(value: datetime | None) -> bytes:
    """``value`` (local wall-clock time; any tzinfo is ignored) as CP56Time2a with weekday 0;
    ``None`` gives seven zero bytes. Sub-millisecond digits are dropped."""
    if value is None:
        return _ZERO_CP56
    if not isinstance(value, datetime):
        raise EncodeError(f"{value!r} is not a datetime")
    if not 2000 <= value.year <= 2099:
        raise EncodeError(f"CP56Time2a holds the years 2000..2099, not {value.year}")
    return _CP56.pack(value.second * 1000 + value.microsecond // 1000, value.minute, value.hour, value.day,
                      value.month, value.year - 2000)


def ascii_decode(raw: bytes) -> str:
    """A fixed-width text field without its zero padding (bytes above 0x7F kept as Latin-1)."""
    return raw.rstrip(b"\x00").decode("latin-1")


def ascii_encode(value: str, size: int) -> bytes:
    """``value`` right-padded with zero bytes to ``size``."""
    if not isinstance(value, str):
        raise EncodeError(f"text field must be a string, not {type(value).__name__}")
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        raise EncodeError(f"{value!r} is not ASCII") from None
    if len(raw) > size:
        raise EncodeError(f"{value!r} is longer than {size} bytes")
    return raw.ljust(size, b"\x00")


def uint_decode(raw: bytes) -> int:
    """An unsigned little-endian integer of any width (u24 charge counts, u40 meter readings)."""
    return int.from_bytes(raw, "little")


def uint_encode(value: int, size: int) -> bytes:
    """``value`` as ``size`` little-endian bytes."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise EncodeError(f"{value!r} is not an integer")
    try:
        return value.to_bytes(size, "little")
    except OverflowError:
        raise EncodeError(f"{value} does not fit {size} unsigned bytes") from None


def scaled_decode(raw: int, places: int, offset: int = 0) -> Decimal:
    """``raw × 10^-places + offset`` as a Decimal with exactly ``places`` decimals (2251, 1 → 225.1)."""
    value = Decimal(raw).scaleb(-places)
    return value + offset if offset else value


def scaled_encode(value: Decimal | int | str, places: int, offset: int = 0) -> int:
    """Inverse of :func:`scaled_decode`: the integer on the wire; refuses floats and extra decimals."""
    if isinstance(value, (float, bool)):
        raise EncodeError(f"{value!r}: use Decimal, never float")
    try:
        scaled = (Decimal(value) - offset).scaleb(places)
        integral = int(scaled)
    except (InvalidOperation, ValueError, TypeError, OverflowError):
        raise EncodeError(f"{value!r} is not a number") from None
    if integral != scaled:
        raise EncodeError(f"{value} has more than {places} decimals")
    return integral
