"""A bare YKC client for tests: real socket, frames built and read with the plugin's codec.

Unlike the simulator it does nothing by itself, so a test decides every frame and sees every reply.
"""
from __future__ import annotations

import socket
import time

from chargehub_ykc.codec.frame import FrameReader
from chargehub_ykc.codec.messages import Message, decode, encode


class RawPile:
    """One TCP connection speaking YKC frame by frame."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.sock = socket.create_connection(address, timeout=5)
        self.reader = FrameReader()
        self.received: list[tuple[bytes, Message]] = []  # (seq, message)
        self.closed = False
        self._seq = 0

    def send(self, message: Message, seq: bytes | None = None) -> bytes:
        """Send ``message``; return the seq bytes used."""
        if seq is None:
            self._seq += 1
            seq = self._seq.to_bytes(2, "big")
        self.sock.sendall(encode(message, seq=seq))
        return seq

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def wait_for(self, kind: type, timeout: float = 5.0, count: int = 1) -> bool:
        """Read until ``count`` messages of type ``kind`` arrived in total, the peer closed, or ``timeout``;
        return whether they arrived."""
        deadline = time.monotonic() + timeout
        while len(self.of(kind)) < count and not self.closed and time.monotonic() < deadline:
            self._read(deadline)
        return len(self.of(kind)) >= count

    def read_until(self, kind: type, timeout: float = 5.0, count: int = 1) -> list[tuple[bytes, Message]]:
        """Read until ``count`` messages of type ``kind`` arrived in total; return them (seq, message)."""
        self.wait_for(kind, timeout, count)
        found = self.of(kind)
        assert len(found) >= count, f"expected {count} {kind.__name__}, got {[type(m).__name__ for _, m in self.received]}"
        return found

    def wait_closed(self, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while not self.closed and time.monotonic() < deadline:
            self._read(deadline)
        return self.closed

    def of(self, kind: type) -> list[tuple[bytes, Message]]:
        return [(seq, m) for seq, m in self.received if isinstance(m, kind)]

    def _read(self, deadline: float) -> None:
        self.sock.settimeout(max(0.05, min(0.5, deadline - time.monotonic())))
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return
        except ConnectionError:
            self.closed = True
            return
        if not data:
            self.closed = True
            return
        for frame in self.reader.feed(data):
            if hasattr(frame, "code"):
                self.received.append((frame.seq, decode(frame)))

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
