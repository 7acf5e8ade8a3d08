"""A line-protocol device simulator speaking over a real TCP socket (a reader thread per device)."""
from __future__ import annotations

import json
import socket
import threading
import time


class DeviceSimulator:
    """A device of the ``lineproto`` protocol.

    ``mode`` decides how it answers commands: ``"ack"``, ``"nak"`` (reason ``busy``) or ``"silent"``.
    Every received command is appended to :attr:`commands` as ``(correlation_id, name, params)``.
    """

    def __init__(self, address: tuple[str, int], device_id: str, mode: str = "ack") -> None:
        self.address = address
        self.device_id = device_id
        self.mode = mode
        self.commands: list[tuple[str, str, dict]] = []
        self.lines: list[str] = []
        self.welcomed = threading.Event()
        self.closed = threading.Event()
        self.sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def connect(self, *, hello: bool = True, timeout: float = 10.0) -> "DeviceSimulator":
        """Connect, optionally say HELLO and wait for WELCOME."""
        self.sock = socket.create_connection(self.address, timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(None)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        if hello:
            self.send_raw(f"HELLO {self.device_id}\n".encode())
            assert self.welcomed.wait(timeout), f"{self.device_id} got no WELCOME"
        return self

    def send_raw(self, data: bytes) -> None:
        assert self.sock is not None
        self.sock.sendall(data)

    def send_fragmented(self, data: bytes, chunk: int = 3, pause: float = 0.02) -> None:
        """Send ``data`` in small pieces with pauses, so the gateway sees partial reads."""
        for start in range(0, len(data), chunk):
            self.send_raw(data[start:start + chunk])
            time.sleep(pause)

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()
        if self._thread is not None:
            self._thread.join(5)

    def wait_for_line(self, text: str, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.lines:
                return True
            time.sleep(0.01)
        return False

    def _read(self) -> None:
        assert self.sock is not None
        buffer = b""
        try:
            while chunk := self.sock.recv(4096):
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    self._line(line.decode())
        except OSError:
            pass
        finally:
            self.closed.set()

    def _line(self, line: str) -> None:
        self.lines.append(line)
        if line == "WELCOME":
            self.welcomed.set()
        elif line.startswith("CMD "):
            _, correlation_id, name, params = line.split(" ", 3)
            self.commands.append((correlation_id, name, json.loads(params)))
            if self.mode == "ack":
                self.send_raw(f"ACK {correlation_id}\n".encode())
            elif self.mode == "nak":
                self.send_raw(f"NAK {correlation_id} busy\n".encode())
