"""The Redis command bus: nodes in this process, in spawned processes, and via ``chargehub gateway``."""
from __future__ import annotations

import signal
import threading
import time

import pytest
import redis

from chargehub.contracts.devices import CommandStatus, DeviceCommand
from chargehub.devices.bus.redis import RedisCommandBus
from chargehub.devices.gateway import Gateway, GatewayThread

from chargehub.testing.helpers import wait_until
from .lineproto import LineProtocol
from .nodes import DEMO_PILE, cli_node, spawn_node
from .simulator import DeviceSimulator

pytestmark = pytest.mark.timeout(60)


@pytest.fixture()
def bus(redis_url, namespace):
    bus = RedisCommandBus(redis_url, namespace, default_timeout=5.0, heartbeat_interval=0.5, dead_after=1.5)
    yield bus
    bus.close()


def local_gateway(bus: RedisCommandBus, node_id: str) -> GatewayThread:
    gateway = Gateway([LineProtocol()], bus.gateway_node(node_id), {"lineproto": ("127.0.0.1", 0)})
    return GatewayThread(gateway).start()


def node_address(bus: RedisCommandBus, node_id: str, timeout: float = 30.0) -> tuple[str, int]:
    """Wait until ``node_id`` is alive with a published listener; return its address."""
    def find():
        for state in bus.gateway_states():
            if state["node_id"] == node_id and state["alive"] and state["listeners"].get("lineproto"):
                return state["listeners"]["lineproto"]
        return None
    host, _, port = wait_until(find, timeout=timeout, interval=0.1).rpartition(":")
    return host, int(port)


def timed_send(bus, command, timeout=5.0):
    started = time.monotonic()
    result = bus.send(command, timeout=timeout)
    return result, time.monotonic() - started


def test_round_trip_through_redis(bus):
    node = local_gateway(bus, "gw-local")
    try:
        device = DeviceSimulator(node.addresses["lineproto"], "r-1").connect()
        assert bus.redis.hget(bus.keys.devices, "r-1") == "gw-local"
        result = bus.send(DeviceCommand("r-1", "start", {"gun": 2}))
        assert result.status is CommandStatus.ACCEPTED
        assert device.commands[0][1:] == ("start", {"gun": 2})
        device.mode = "nak"
        assert bus.send(DeviceCommand("r-1", "stop")).reason == "busy"
        assert bus.send(DeviceCommand("r-1", "format_disk")).status is CommandStatus.REJECTED
        device.mode = "silent"
        result, elapsed = timed_send(bus, DeviceCommand("r-1", "stop"), timeout=1.0)
        assert result.status is CommandStatus.TIMEOUT and 0.9 <= elapsed < 3.0
        [state] = bus.gateway_states()
        assert state["node_id"] == "gw-local" and state["alive"] and state["device_count"] == 1
        device.close()
        wait_until(lambda: bus.redis.hget(bus.keys.devices, "r-1") is None)
        result, elapsed = timed_send(bus, DeviceCommand("r-1", "stop"))
        assert result.status is CommandStatus.OFFLINE and elapsed < 1.0
    finally:
        node.stop()
    assert bus.gateway_states() == []


def test_concurrent_commands_from_many_threads(bus):
    node = local_gateway(bus, "gw-conc")
    try:
        devices = [DeviceSimulator(node.addresses["lineproto"], f"c-{i}").connect() for i in range(5)]
        results: list = []
        lock = threading.Lock()

        def worker(i):
            result = bus.send(DeviceCommand(f"c-{i % 5}", "start", {"n": i}))
            with lock:
                results.append(result.status)
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert results == [CommandStatus.ACCEPTED] * 40
        assert sorted(p["n"] for d in devices for _, _, p in d.commands) == list(range(40))
        for device in devices:
            device.close()
    finally:
        node.stop()


def test_stopping_node_answers_queued_requests_offline(bus):
    node = local_gateway(bus, "gw-stop")
    DeviceSimulator(node.addresses["lineproto"], "s-1", mode="silent").connect()
    node.stop()
    assert bus.redis.hget(bus.keys.devices, "s-1") is None
    assert not bus.redis.exists(bus.keys.alive("gw-stop"))
    result, elapsed = timed_send(bus, DeviceCommand("s-1", "stop"))
    assert result.status is CommandStatus.OFFLINE and elapsed < 1.0


def test_stale_request_past_its_deadline_is_dropped(bus):
    node = local_gateway(bus, "gw-late")
    try:
        device = DeviceSimulator(node.addresses["lineproto"], "l-1").connect()
        command = DeviceCommand("l-1", "start")
        bus.push("gw-late", {"v": 1, "command": command.to_dict(), "deadline": time.time() - 1,
                             "reply_to": bus.keys.reply(command.correlation_id)})
        bus.push("gw-late", {"v": 1, "garbage": True})
        assert bus.send(DeviceCommand("l-1", "stop")).status is CommandStatus.ACCEPTED
        assert [name for _, name, _ in device.commands] == ["stop"]
        device.close()
    finally:
        node.stop()


@pytest.mark.timeout(90)
def test_two_node_processes_route_fail_over_and_move_devices(redis_url, namespace):
    bus = RedisCommandBus(redis_url, namespace, default_timeout=5.0)
    node_a = spawn_node(redis_url, namespace, "gw-a")
    node_b = spawn_node(redis_url, namespace, "gw-b")
    try:
        addr_a, addr_b = node_address(bus, "gw-a"), node_address(bus, "gw-b")
        on_a = DeviceSimulator(addr_a, "pile-a").connect()
        on_b = DeviceSimulator(addr_b, "pile-b").connect()

        # commands from this process reach the right node and the replies come back
        assert bus.send(DeviceCommand("pile-a", "start")).status is CommandStatus.ACCEPTED
        on_b.mode = "nak"
        assert bus.send(DeviceCommand("pile-b", "start")).reason == "busy"
        assert ([n for _, n, _ in on_a.commands], [n for _, n, _ in on_b.commands]) == (["start"], ["start"])
        assert {s["node_id"]: s["device_count"] for s in bus.gateway_states()} == {"gw-a": 1, "gw-b": 1}

        # unknown device: OFFLINE at once, not after the 5 s timeout
        result, elapsed = timed_send(bus, DeviceCommand("nobody", "stop"))
        assert result.status is CommandStatus.OFFLINE and elapsed < 1.0

        # the same device reconnecting to the other node moves there; the old connection is closed
        moved = DeviceSimulator(addr_b, "pile-a").connect()
        assert on_a.closed.wait(10), "node A kept the replaced connection open"
        assert bus.redis.hget(bus.keys.devices, "pile-a") == "gw-b"
        assert bus.send(DeviceCommand("pile-a", "stop")).status is CommandStatus.ACCEPTED
        assert [n for _, n, _ in moved.commands] == ["stop"] and len(on_a.commands) == 1
        on_a.close()

        # a device of a SIGKILLed node answers OFFLINE once the node's heartbeat lapses, never TIMEOUT
        third = DeviceSimulator(addr_a, "pile-c", mode="silent").connect()
        node_a.kill()
        node_a.join(10)
        result, elapsed = timed_send(bus, DeviceCommand("pile-c", "stop"), timeout=30)
        assert result.status is CommandStatus.OFFLINE and elapsed < 9.0
        result, elapsed = timed_send(bus, DeviceCommand("pile-c", "stop"))
        assert result.status is CommandStatus.OFFLINE and elapsed < 1.0
        states = {s["node_id"]: s["alive"] for s in bus.gateway_states()}
        assert states == {"gw-a": False, "gw-b": True}
        # node B is unaffected
        assert bus.send(DeviceCommand("pile-a", "stop")).status is CommandStatus.ACCEPTED
        for device in (moved, on_b, third):
            device.close()
    finally:
        for process in (node_a, node_b):
            if process.is_alive():
                process.terminate()
            process.join(10)
        bus.close()
    assert node_b.exitcode == 0, "node B did not shut down cleanly on SIGTERM"


@pytest.mark.timeout(90)
def test_chargehub_gateway_command(redis_url, namespace, tmp_path):
    bus = RedisCommandBus(redis_url, namespace, default_timeout=5.0)
    process = cli_node(redis_url, namespace, "gw-cli", tmp_path)
    try:
        try:
            address = node_address(bus, "gw-cli")
        except AssertionError:
            process.kill()
            raise AssertionError(process.communicate(timeout=10)[0].decode(errors="replace")) from None
        device = DeviceSimulator(address, DEMO_PILE).connect()
        assert bus.send(DeviceCommand(DEMO_PILE, "start")).status is CommandStatus.ACCEPTED
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=20)[0].decode(errors="replace")
        assert process.returncode == 0, output
        assert device.closed.wait(5)
        assert bus.gateway_states() == []
        result, elapsed = timed_send(bus, DeviceCommand(DEMO_PILE, "stop"))
        assert result.status is CommandStatus.OFFLINE and elapsed < 1.0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        bus.close()


def test_redis_keys_are_namespaced(bus, namespace, redis_url):
    node = local_gateway(bus, "gw-ns")
    try:
        DeviceSimulator(node.addresses["lineproto"], "n-1").connect()
        bus.send(DeviceCommand("n-1", "start"))
        conn = redis.Redis.from_url(redis_url, decode_responses=True)
        keys = set(conn.scan_iter(f"{namespace}:*"))
        conn.close()
        assert {f"{namespace}:bus:devices", f"{namespace}:bus:nodes", f"{namespace}:bus:node:gw-ns:alive"} <= keys
    finally:
        node.stop()
