"""Random and mutated YKC input through a live gateway over real sockets (hypothesis).

After a valid login, each example sends fuzz bytes (random blobs, or valid frames with flipped bits,
a corrupted CRC or length, an unknown code, truncation) and then a valid heartbeat. The connection
must either still answer that heartbeat or have been closed by the gateway; the gateway must never
crash, and once every client is gone it holds no connection (no leak).
"""
from __future__ import annotations

import logging
import random
import socket
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chargehub.devices.bus.inprocess import InProcessCommandBus
from chargehub.devices.gateway import Gateway, GatewayListener, GatewayThread
from chargehub.testing.helpers import wait_until
from chargehub_ykc.codec.frame import FrameReader, encode_frame
from chargehub_ykc.codec.messages import Heartbeat, Login, encode
from chargehub_ykc.protocol import YkcProtocol

pytestmark = pytest.mark.timeout(240)

PILE = "32010600019236"
LOGIN = encode(Login(PILE, 0, 2, 0x10, "FUZZ1.0", 1, "0" * 20, 4))


def heartbeat(seq: int) -> bytes:
    return encode(Heartbeat(PILE, 1, 0), seq=seq.to_bytes(2, "big"))


@pytest.fixture(scope="module")
def gateway():
    bus = InProcessCommandBus(default_timeout=2.0)
    gw = Gateway([YkcProtocol()], bus.gateway_node("fuzz"), {"ykc": ("127.0.0.1", 0)}, listener=GatewayListener())
    thread = GatewayThread(gw).start()
    yield gw
    thread.stop()


def _connect(gw) -> tuple[socket.socket, FrameReader]:
    sock = socket.create_connection(gw.addresses["ykc"], timeout=5)
    sock.sendall(LOGIN)
    reader = FrameReader()
    codes = _read_codes(sock, reader, until=0x02)
    assert 0x02 in codes, "no login reply"
    return sock, reader


def _read_codes(sock: socket.socket, reader: FrameReader, *, until: int, timeout: float = 3.0) -> list[int] | None:
    """Frame codes read until ``until`` arrived; ``None`` when the gateway closed the connection."""
    codes: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data = sock.recv(4096)
        except socket.timeout:
            break
        except ConnectionError:
            return None
        if not data:
            return None
        codes += [f.code for f in reader.feed(data) if hasattr(f, "code")]
        if until in codes:
            return codes
    return codes


def _mutate(frame: bytes, rng: random.Random, how: str) -> bytes:
    data = bytearray(frame)
    if how == "flip":
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif how == "crc":
        data[-1] ^= 0xFF
    elif how == "length":
        data[1] = rng.choice([0, 3, 4, 0xFF, max(0, data[1] - 1), min(0xFF, data[1] + 1)])
    elif how == "code":
        body = bytes(data[6:-2])
        return encode_frame(rng.choice([0x00, 0x07, 0x7F, 0xEE, 0xFF]), body)
    elif how == "truncate":
        return bytes(data[:rng.randrange(1, len(data))])
    elif how == "encrypted":
        data[4] = 0x01
    return bytes(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(blob=st.binary(max_size=600), seed=st.integers(0, 2**32 - 1),
       how=st.sampled_from(["random", "flip", "crc", "length", "code", "truncate", "encrypted"]))
def test_fuzzed_input_keeps_the_gateway_and_connection_sane(gateway, blob, seed, how):
    rng = random.Random(seed)
    sock, reader = _connect(gateway)
    try:
        payload = blob if how == "random" else _mutate(heartbeat(rng.randrange(65536)), rng, how) + blob[:40]
        sock.sendall(payload)
        # finish any frame the fuzz left open with zero padding, so the next heartbeat is parsed on its own
        sock.sendall(b"\x00" * 260)
        try:
            sock.sendall(heartbeat(7) + heartbeat(8))
        except ConnectionError:
            return  # closed cleanly by the gateway
        codes = _read_codes(sock, reader, until=0x04, timeout=3.0)
        assert codes is None or 0x04 in codes, f"connection neither usable nor closed after {how}: {codes}"
    finally:
        sock.close()


def test_no_connection_leaks_after_fuzzing(gateway):
    wait_until(lambda: gateway.connection_count == 0 and len(gateway.registry) == 0, timeout=15)


def test_bad_frames_are_logged_with_pile_code_and_hex(gateway, caplog):
    caplog.set_level(logging.WARNING, logger="chargehub.devices.gateway")
    sock, reader = _connect(gateway)
    try:
        bad_crc = bytearray(heartbeat(3))
        bad_crc[-1] ^= 0xFF
        unknown = encode_frame(0x7F, bytes.fromhex(PILE))
        sock.sendall(bytes(bad_crc) + unknown + heartbeat(4))
        assert 0x04 in _read_codes(sock, reader, until=0x04)
    finally:
        sock.close()
    messages = [r.getMessage() for r in caplog.records if "bad frame" in r.getMessage()]
    assert any(PILE in m and bytes(bad_crc).hex()[:20] in m for m in messages), messages
    assert any(PILE in m and unknown.hex()[:12] in m for m in messages), messages
