"""Random and mutated YKC input through a live gateway over real sockets (hypothesis).

After a valid login, each example sends fuzz bytes (random blobs, or valid frames with flipped bits,
a corrupted CRC or length, an unknown code, truncation) and then a valid heartbeat. The connection
must either still answer that heartbeat or have been closed by the gateway; the gateway must never
crash, and once every client is gone it holds no connection (no leak).
"""
from __future__ import annotations

import logging
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chargehub.devices.bus.inprocess import InProcessCommandBus
from chargehub.devices.gateway import Gateway, GatewayListener, GatewayThread
from chargehub.testing.helpers import wait_until
from chargehub_ykc.codec import messages as M
from chargehub_ykc.codec.frame import encode_frame
from chargehub_ykc.protocol import YkcProtocol

from .ykc_client import RawPile

pytestmark = pytest.mark.timeout(240)

PILE = "32010600019236"
LOGIN = M.encode(M.Login(PILE, 0, 2, 0x10, "FUZZ1.0", 1, "0" * 20, 4))


def heartbeat(seq: int) -> bytes:
    return M.encode(M.Heartbeat(PILE, 1, 0), seq=seq.to_bytes(2, "big"))


@pytest.fixture(scope="module")
def gateway():
    bus = InProcessCommandBus(default_timeout=2.0)
    gw = Gateway([YkcProtocol()], bus.gateway_node("fuzz"), {"ykc": ("127.0.0.1", 0)}, listener=GatewayListener())
    thread = GatewayThread(gw).start()
    yield gw
    thread.stop()


def _connect(gw) -> RawPile:
    pile = RawPile(gw.addresses["ykc"])
    pile.send_raw(LOGIN)
    pile.read_until(M.LoginReply, timeout=3.0)
    return pile


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
    pile = _connect(gateway)
    try:
        payload = blob if how == "random" else _mutate(heartbeat(rng.randrange(65536)), rng, how) + blob[:40]
        try:
            pile.send_raw(payload)
            # finish any frame the fuzz left open with zero padding, so the next heartbeat is parsed alone
            pile.send_raw(b"\x00" * 260)
            pile.send_raw(heartbeat(7) + heartbeat(8))
        except ConnectionError:
            return  # closed cleanly by the gateway
        answered = pile.wait_for(M.HeartbeatReply, timeout=3.0)
        assert answered or pile.closed, f"connection neither usable nor closed after {how}"
    finally:
        pile.close()


def test_no_connection_leaks_after_fuzzing(gateway):
    wait_until(lambda: gateway.connection_count == 0 and len(gateway.registry) == 0, timeout=15)


def test_bad_frames_are_logged_with_pile_code_and_hex(gateway, caplog):
    caplog.set_level(logging.WARNING, logger="chargehub.devices.gateway")
    pile = _connect(gateway)
    try:
        bad_crc = bytearray(heartbeat(3))
        bad_crc[-1] ^= 0xFF
        unknown = encode_frame(0x7F, bytes.fromhex(PILE))
        pile.send_raw(bytes(bad_crc) + unknown + heartbeat(4))
        pile.read_until(M.HeartbeatReply)
    finally:
        pile.close()
    messages = [r.getMessage() for r in caplog.records if "bad frame" in r.getMessage()]
    assert any(PILE in m and bytes(bad_crc).hex()[:20] in m for m in messages), messages
    assert any(PILE in m and unknown.hex()[:12] in m for m in messages), messages
