"""The machinery behind the message classes: field kinds, compiled layouts and the ``Message`` base.

A message is a frozen slots dataclass whose fields carry their wire kind in ``metadata``; the
:func:`message` decorator compiles the fields, in order, into one :class:`struct.Struct` so that a
fixed-size body is decoded with a single ``unpack`` plus one converter per field::

    @message(0x03)
    @dataclass(frozen=True, slots=True)
    class Heartbeat(Message):
        pile_code: str = wire(PILE)
        gun: int = wire(GUN)
        gun_status: int = wire(U8)

Variable-length messages (0x44–0x48, 0xF0) override :meth:`Message.from_body` and :meth:`Message.to_body`.
"""
from __future__ import annotations

import dataclasses
import struct
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Callable, ClassVar, Sequence

from chargehub_ykc.codec import fields as F
from chargehub_ykc.codec.fields import DecodeError

__all__ = [
    "FieldKind",
    "Layout",
    "Message",
    "MESSAGE_TYPES",
    "message",
    "wire",
    "PILE", "GUN", "BIN_GUN", "U8", "U16", "U32", "U64", "TRADE_NO", "LOGICAL_CARD", "PHYSICAL_CARD",
    "MODEL_CODE", "CP56", "TEMPERATURE", "PLUS_ONE", "BALANCE", "ENERGY", "AMOUNT", "PRICE",
    "bcd", "hexa", "text", "uint", "scaled", "reversed_text",
]


@dataclass(frozen=True, slots=True)
class FieldKind:
    """How one field sits on the wire.

    :param fmt: its :mod:`struct` format piece (``"B"``, ``"H"``, ``"7s"``...).
    :param decode: wire value → natural value (``None``: as is).
    :param encode: natural value → wire value (``None``: as is).
    """

    fmt: str
    decode: Callable[[Any], Any] | None = None
    encode: Callable[[Any], Any] | None = None


def bcd(size: int) -> FieldKind:
    """A BCD code of ``size`` bytes, as a digit string."""
    return FieldKind(f"{size}s", F.bcd_decode, lambda value: F.bcd_encode(value, size))


def hexa(size: int) -> FieldKind:
    """``size`` raw bytes shown as an upper-case hex string (physical cards, ICCID)."""
    return FieldKind(f"{size}s", F.hex_decode, lambda value: F.hex_encode(value, size))


def text(size: int) -> FieldKind:
    """A zero-padded ASCII field of ``size`` bytes."""
    return FieldKind(f"{size}s", F.ascii_decode, lambda value: F.ascii_encode(value, size))


def reversed_text(size: int) -> FieldKind:
    """A zero-padded ASCII field sent in reverse character order (the VIN of 0x31/0xA1)."""
    return FieldKind(f"{size}s", lambda raw: F.ascii_decode(raw)[::-1],
                     lambda value: F.ascii_encode(value[::-1] if isinstance(value, str) else value, size))


def uint(size: int) -> FieldKind:
    """An unsigned little-endian integer of an odd width (3 or 5 bytes)."""
    return FieldKind(f"{size}s", F.uint_decode, lambda value: F.uint_encode(value, size))


def scaled(fmt: str, places: int, offset: int = 0) -> FieldKind:
    """An integer of struct ``fmt`` meaning ``raw × 10^-places + offset``, as a Decimal."""
    return FieldKind(fmt, lambda raw: F.scaled_decode(raw, places, offset),
                     lambda value: F.scaled_encode(value, places, offset))


PILE = bcd(7)
TRADE_NO = bcd(16)
LOGICAL_CARD = bcd(8)
MODEL_CODE = bcd(2)
PHYSICAL_CARD = hexa(8)
GUN = FieldKind("B", F.gun_decode, F.gun_encode)
#: The ground-lock frames type the gun number as binary.
BIN_GUN = FieldKind("B")
U8 = FieldKind("B")
U16 = FieldKind("H")
U32 = FieldKind("I")
U64 = FieldKind("Q")
CP56 = FieldKind("7s", F.cp56_decode, F.cp56_encode)
#: 1 °C, -50 °C offset.
TEMPERATURE = FieldKind("B", lambda raw: raw - 50, lambda value: value + 50)
#: Cell and probe numbers are sent minus one.
PLUS_ONE = FieldKind("B", lambda raw: raw + 1, lambda value: value - 1)
BALANCE = scaled("I", 2)
ENERGY = scaled("I", 4)
AMOUNT = scaled("I", 4)
PRICE = scaled("I", 5)


def wire(kind: FieldKind, **kwargs: Any) -> Any:
    """Declare a message field of wire kind ``kind`` (extra keyword arguments go to ``dataclasses.field``)."""
    return dataclasses.field(metadata={"ykc": kind}, **kwargs)


class Layout:
    """A compiled fixed-size layout: field names, one :class:`struct.Struct`, the converters."""

    __slots__ = ("names", "struct", "size", "_decoders", "_encoders", "_getter", "_pieces")

    def __init__(self, items: Sequence[tuple[str, FieldKind]]) -> None:
        self.names = tuple(name for name, _ in items)
        self.struct = struct.Struct("<" + "".join(kind.fmt for _, kind in items))
        pieces, offset = [], 0
        for name, kind in items:
            piece = struct.Struct("<" + kind.fmt)
            pieces.append((name, offset, piece, kind.decode))
            offset += piece.size
        self._pieces = tuple(pieces)
        self.size = self.struct.size
        self._decoders = tuple(kind.decode for _, kind in items)
        self._encoders = tuple(kind.encode for _, kind in items)
        getter = attrgetter(*self.names)
        self._getter = getter if len(self.names) > 1 else (lambda obj: (getter(obj),))

    def unpack(self, body: bytes | memoryview, offset: int = 0) -> list[Any]:
        """The natural values of the layout's fields found at ``offset`` of ``body``."""
        raw = self.struct.unpack_from(body, offset)
        return [value if decode is None else decode(value) for decode, value in zip(self._decoders, raw)]

    def unpack_partial(self, body: bytes) -> tuple[dict[str, Any], dict[str, str]]:
        """Decode field by field, for bodies that fail as a whole (short, or with an invalid field):
        ``(values of the fields that decoded, {field: why not} for the others)``."""
        values: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for name, offset, piece, decode in self._pieces:
            if offset + piece.size > len(body):
                problems[name] = "missing (body too short)"
                continue
            try:
                (value,) = piece.unpack_from(body, offset)
                values[name] = value if decode is None else decode(value)
            except (ValueError, struct.error) as exc:
                problems[name] = str(exc)
        return values, problems

    def pack(self, obj: Any) -> bytes:
        """The bytes of ``obj``'s fields (read by name)."""
        return self.pack_values(self._getter(obj))

    def pack_values(self, values: Sequence[Any]) -> bytes:
        """The bytes of ``values`` given in field order."""
        return self.struct.pack(*[value if encode is None else encode(value)
                                  for encode, value in zip(self._encoders, values)])


#: Frame code → message class, filled by :func:`message`.
MESSAGE_TYPES: dict[int, type["Message"]] = {}


class Message:
    """Base of every YKC message: a frozen dataclass whose fields are the body's fields in order.

    Class attributes set by :func:`message`: ``CODE`` (frame code), ``LAYOUT`` (the compiled body
    layout, ``None`` for variable-length messages) and ``BODY_LENGTH`` (``None`` when variable).
    """

    __slots__ = ()
    CODE: ClassVar[int] = -1
    LAYOUT: ClassVar[Layout | None] = None
    BODY_LENGTH: ClassVar[int | None] = None

    @classmethod
    def from_body(cls, body: bytes) -> "Message":
        """Decode a body of exactly the right length (checked by the caller for fixed layouts)."""
        return cls(*cls.LAYOUT.unpack(body))  # type: ignore[union-attr]

    def to_body(self) -> bytes:
        """Encode the body."""
        return self.LAYOUT.pack(self)  # type: ignore[union-attr]


def message(code: int) -> Callable[[type], type]:
    """Class decorator: register a message class for frame ``code`` and compile its layout."""
    def register(cls: type) -> type:
        items = [(f.name, f.metadata.get("ykc")) for f in dataclasses.fields(cls)]
        cls.CODE = code
        if all(kind is not None for _, kind in items):
            cls.LAYOUT = Layout(items)
            cls.BODY_LENGTH = cls.LAYOUT.size
        # else: a hand-written from_body/to_body; BODY_LENGTH stays as the class declares (None = variable)
        if code in MESSAGE_TYPES:
            raise RuntimeError(f"frame code 0x{code:02X} registered twice")
        MESSAGE_TYPES[code] = cls
        return cls
    return register


def check_length(code: int, body: bytes, expected: int) -> None:
    """Raise :class:`DecodeError` unless ``body`` has ``expected`` bytes."""
    if len(body) != expected:
        raise DecodeError(f"frame 0x{code:02X} needs a body of {expected} bytes, got {len(body)}", body)
