"""Command bus round trip: sender -> Redis -> gateway node process -> TCP device -> reply.

Starts one or two gateway node processes (line protocol) on real Redis, connects simulated devices
over TCP, sends commands from several threads, and reports latency percentiles, throughput and the
time an unconnected device takes to answer "offline".

    .venv/bin/python bench/command_bus.py [--nodes 2] [--devices 200] [--commands 4000] [--threads 8]
"""
from __future__ import annotations

import argparse
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import percentiles, write_result  # noqa: E402
from chargehub.testing.helpers import delete_namespace  # noqa: E402
from chargehub.contracts.devices import CommandStatus, DeviceCommand  # noqa: E402
from chargehub.devices.bus.redis import RedisCommandBus  # noqa: E402
from tests.devices.nodes import spawn_node  # noqa: E402
from tests.devices.simulator import DeviceSimulator  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--commands", type=int, default=4000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    namespace = f"chbench-{uuid.uuid4().hex[:8]}"
    bus = RedisCommandBus(args.redis, namespace, default_timeout=10.0)
    node_ids = [f"bench-gw-{i}" for i in range(args.nodes)]
    processes = [spawn_node(args.redis, namespace, node_id) for node_id in node_ids]
    devices: list[DeviceSimulator] = []
    try:
        deadline = time.monotonic() + 60
        addresses = {}
        while len(addresses) < args.nodes and time.monotonic() < deadline:
            for state in bus.gateway_states():
                if state["alive"] and state["listeners"].get("lineproto"):
                    host, _, port = state["listeners"]["lineproto"].rpartition(":")
                    addresses[state["node_id"]] = (host, int(port))
            time.sleep(0.1)
        assert len(addresses) == args.nodes, "gateway nodes did not come up"
        for i in range(args.devices):
            devices.append(DeviceSimulator(addresses[node_ids[i % args.nodes]], f"bench-dev-{i}").connect())

        latencies: list[float] = []
        failures = []
        lock = threading.Lock()
        per_thread = args.commands // args.threads

        def sender(t: int) -> None:
            local, bad = [], []
            for n in range(per_thread):
                device = f"bench-dev-{(t * per_thread + n) % args.devices}"
                started = time.perf_counter()
                result = bus.send(DeviceCommand(device, "start", {"n": n}))
                local.append((time.perf_counter() - started) * 1000)
                if result.status is not CommandStatus.ACCEPTED:
                    bad.append(result.status.value)
            with lock:
                latencies.extend(local)
                failures.extend(bad)

        started = time.perf_counter()
        threads = [threading.Thread(target=sender, args=(t,)) for t in range(args.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started

        offline = []
        for i in range(50):
            t0 = time.perf_counter()
            assert bus.send(DeviceCommand(f"absent-{i}", "start"), timeout=10).status is CommandStatus.OFFLINE
            offline.append((time.perf_counter() - t0) * 1000)

        write_result("command_bus", {
            "params": vars(args) | {"redis": args.redis},
            "commands": len(latencies),
            "not_accepted": len(failures),
            "throughput_per_s": round(len(latencies) / elapsed, 1),
            "round_trip": percentiles(latencies),
            "offline_answer": percentiles(offline),
        })
    finally:
        for device in devices:
            device.close()
        for process in processes:
            process.terminate()
            process.join(10)
        bus.close()
        delete_namespace(args.redis, namespace)


if __name__ == "__main__":
    main()
