"""YKC frame layer (``specs/ykc-protocol.md`` §2): start flag, length, sequence, CRC-16/MODBUS.

::

    0x68 | N | seq (2) | encryption flag (1) | frame code (1) | body (N - 4) | CRC (2, low byte first)

The CRC covers the N bytes after the length byte. Receivers accept the CRC in both byte orders
(several real piles send it high byte first); :func:`encode_frame` always sends it low byte first.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "START",
    "MAX_FRAME",
    "MAX_BODY",
    "CodecError",
    "FrameError",
    "Frame",
    "crc16_modbus",
    "encode_frame",
    "FrameReader",
]

#: The start flag (起始标志) of every frame.
START = 0x68
#: Largest frame on the wire: one length byte (255) + start, length and two CRC bytes.
MAX_FRAME = 255 + 4
#: Largest body: the length byte also counts sequence (2), encryption flag and frame code.
MAX_BODY = 255 - 4
#: Smallest legal length byte (an empty body).
_MIN_LENGTH = 4


class CodecError(ValueError):
    """Base of every codec error: a message for the log and the offending bytes.

    :param message: what is wrong, in words.
    :param data: the bytes concerned (a frame, a run of garbage...), as far as known.
    """

    def __init__(self, message: str, data: bytes = b"") -> None:
        super().__init__(message)
        self.message = message
        self.data = bytes(data)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return (self.message, self.data) == (other.message, other.data)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self.message, self.data))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, {self.data.hex(' ')!r})"


class FrameError(CodecError):
    """Bytes that do not form a valid frame (garbage, bad length, bad CRC, encrypted body)."""


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc_table()


def crc16_modbus(data: bytes | bytearray | memoryview, crc: int = 0xFFFF) -> int:
    """CRC-16/MODBUS (reflected polynomial 0xA001, init 0xFFFF, no final XOR) of ``data``.

    The check value over ``b"123456789"`` is ``0x4B37``.
    """
    table = _CRC_TABLE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


@dataclass(frozen=True, slots=True)
class Frame:
    """One complete, CRC-checked frame.

    :param seq: the two sequence bytes exactly as received (opaque: echo them in replies).
    :param encrypted: the encryption flag was 0x01 (3DES); :class:`FrameReader` reports such frames as
        errors, so frames it returns are always plain.
    :param code: the frame type (帧类型标志), e.g. ``0x03`` for a heartbeat.
    :param body: the message body (N - 4 bytes).
    :param crc_order: ``"le"`` when the CRC came low byte first (the standard), ``"be"`` otherwise.
    :param raw: the whole frame as received, start flag to CRC.
    """

    seq: bytes
    encrypted: bool
    code: int
    body: bytes
    crc_order: str = "le"
    raw: bytes = b""

    def hex(self) -> str:
        """The raw frame as space-separated hex, for logs."""
        return self.raw.hex(" ")


def encode_frame(code: int, body: bytes, seq: bytes = b"\x00\x00") -> bytes:
    """A complete plain-text frame: start flag, length, ``seq``, flag 0x00, ``code``, ``body``, CRC (LE).

    :raises CodecError: when ``seq`` is not two bytes, ``code`` not a byte or ``body`` too long.
    """
    if len(seq) != 2:
        raise CodecError("the sequence number is two bytes", bytes(seq))
    if not 0 <= code <= 0xFF:
        raise CodecError(f"frame code {code!r} is not a byte")
    if len(body) > MAX_BODY:
        raise CodecError(f"body of {len(body)} bytes exceeds {MAX_BODY}", bytes(body))
    inner = bytes(seq) + bytes((0, code)) + bytes(body)
    crc = crc16_modbus(inner)
    return bytes((START, len(inner))) + inner + bytes((crc & 0xFF, crc >> 8))


class FrameReader:
    """Streaming frame splitter: feed it socket reads, get frames and errors back in order.

    Handles frames split across reads and several frames per read. Bytes before a start flag are
    reported once as a :class:`FrameError` and skipped; a candidate frame with a bad length or CRC is
    reported and decoding resumes at the next 0x68 after its start byte (so a good frame hidden inside
    garbage is still found; errors inside an already reported span are not repeated). Encrypted frames
    (flag 0x01) and unknown flags are reported as errors. At most one incomplete frame
    (< :data:`MAX_FRAME` bytes) stays buffered between calls.
    """

    __slots__ = ("_buffer", "_quiet")

    def __init__(self) -> None:
        self._buffer = bytearray()
        # Offset (into the buffer) up to which bytes already belong to a reported bad candidate.
        self._quiet = 0

    @property
    def buffered(self) -> int:
        """How many bytes wait for the rest of their frame."""
        return len(self._buffer)

    def clear(self) -> None:
        """Forget buffered input."""
        self._buffer.clear()
        self._quiet = 0

    def feed(self, data: bytes) -> list[Frame | FrameError]:
        """Consume ``data``; return every complete frame and every error it completes, in order."""
        buf = self._buffer
        buf += data
        out: list[Frame | FrameError] = []
        size = len(buf)
        pos = 0
        quiet = self._quiet
        while pos < size:
            if buf[pos] != START:
                nxt = buf.find(START, pos)
                end = size if nxt < 0 else nxt
                if end > quiet:
                    skipped = bytes(buf[max(pos, quiet):end])
                    out.append(FrameError("bytes without a start flag (0x68) skipped", skipped))
                pos = end
                continue
            if size - pos < 2:
                break
            length = buf[pos + 1]
            if length < _MIN_LENGTH:
                if pos + 2 > quiet:
                    message = f"bad length byte {length} (at least {_MIN_LENGTH})"
                    out.append(FrameError(message, bytes(buf[pos:pos + 2])))
                    quiet = pos + 2
                pos += 1
                continue
            total = length + 4
            if size - pos < total:
                break
            end = pos + total
            crc = crc16_modbus(memoryview(buf)[pos + 2:end - 2])
            low, high = buf[end - 2], buf[end - 1]
            if low == crc & 0xFF and high == crc >> 8:
                order = "le"
            elif high == crc & 0xFF and low == crc >> 8:
                order = "be"
            else:
                if end > quiet:
                    out.append(FrameError(f"bad CRC (expected {crc:04X})", bytes(buf[pos:end])))
                    quiet = end
                pos += 1
                continue
            raw = bytes(buf[pos:end])
            flag = raw[4]
            if flag == 0x01:
                out.append(FrameError("encrypted frame (3DES, flag 0x01) is not supported", raw))
            elif flag != 0x00:
                out.append(FrameError(f"unknown encryption flag 0x{flag:02X}", raw))
            else:
                out.append(Frame(raw[2:4], False, raw[5], raw[6:-2], order, raw))
            pos = end
            quiet = max(quiet, end)
        del buf[:pos]
        self._quiet = max(0, quiet - pos)
        return out
