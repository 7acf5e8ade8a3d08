"""Acceptance: a command sent from a *web process* reaches the right one of two *gateway processes*
over real Redis, and the reply comes back through the REST API; an unconnected device answers
"offline" at once."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from chargehub.devices.bus.redis import RedisCommandBus
from chargehub.testing.helpers import wait_until
from chargehub.testing.network import seed_pile_network
from tests.devices.simulator import DeviceSimulator

REPO_ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, body: dict, headers: dict) -> tuple[int, dict, float]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc), time.monotonic() - started


@pytest.mark.timeout(150)
def test_web_process_commands_reach_the_right_gateway_process(
        chargehub_database_url, redis_url, redis_namespace, admin_user, auth_headers, tmp_path):
    headers = auth_headers(admin_user)
    # the gateways accept registered devices only
    seed_pile_network(0, codes=["pile-a", "pile-b", "pile-busy"], billing=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGEHUB_")}
    env.update({
        "CHARGEHUB_DATABASE_URL": chargehub_database_url,
        "CHARGEHUB_REDIS_URL": redis_url,
        "CHARGEHUB_REDIS_NAMESPACE": redis_namespace,
        "CHARGEHUB_PLUGIN_AUTOLOAD": "0",
        "CHARGEHUB_PLUGINS": "tests.devices.lineproto",
        "CHARGEHUB_GATEWAY_LISTEN": "lineproto=127.0.0.1:0",
        "CHARGEHUB_INSTANCE_PATH": str(tmp_path / "instance"),
        "CHARGEHUB_COMMAND_TIMEOUT": "5",
        "CHARGEHUB_LOG_FORMAT": "text",
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")]),
    })
    port = _free_port()
    chargehub = [sys.executable, "-m", "chargehub"]
    processes = {
        "web": subprocess.Popen([*chargehub, "web", "--port", str(port)], env=env, cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT),
        "gw-a": subprocess.Popen([*chargehub, "gateway", "--node-id", "gw-a"], env=env, cwd=tmp_path,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT),
        "gw-b": subprocess.Popen([*chargehub, "gateway", "--node-id", "gw-b"], env=env, cwd=tmp_path,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT),
    }
    bus = RedisCommandBus(redis_url, redis_namespace)
    devices = []
    try:
        def listeners():
            nodes = {s["node_id"]: s for s in bus.gateway_states() if s["alive"] and s["listeners"].get("lineproto")}
            return nodes if {"gw-a", "gw-b"} <= set(nodes) else None

        nodes = wait_until(listeners, timeout=60, interval=0.2)

        def address(node):
            host, _, p = nodes[node]["listeners"]["lineproto"].rpartition(":")
            return host, int(p)

        pile_a = DeviceSimulator(address("gw-a"), "pile-a").connect()
        pile_b = DeviceSimulator(address("gw-b"), "pile-b").connect()
        busy_b = DeviceSimulator(address("gw-b"), "pile-busy", mode="nak").connect()
        devices = [pile_a, pile_b, busy_b]
        url = f"http://127.0.0.1:{port}/api/v1/admin/gateway/commands"

        def web_answers() -> bool:
            try:
                return _post(url, {"device_id": "nobody", "name": "x"}, headers)[0] == 200
            except urllib.error.URLError:  # the web process is not listening yet (a loaded machine)
                return False

        wait_until(web_answers, timeout=60, interval=0.3)

        status, body, _ = _post(url, {"device_id": "pile-b", "name": "reboot", "params": {"delay": 3}}, headers)
        assert (status, body["status"]) == (200, "accepted")
        assert [c[1:] for c in pile_b.commands] == [("reboot", {"delay": 3})] and pile_a.commands == []

        status, body, _ = _post(url, {"device_id": "pile-a", "name": "stop"}, headers)
        assert body["status"] == "accepted" and [c[1] for c in pile_a.commands] == ["stop"]
        assert len(pile_b.commands) == 1

        status, body, _ = _post(url, {"device_id": "pile-a", "name": "sync_clock"}, headers)
        assert body["status"] == "rejected" and "cannot send" in body["reason"]

        status, body, _ = _post(url, {"device_id": "pile-busy", "name": "start"}, headers)
        assert body == {"status": "rejected", "reason": "busy", "data": {}}

        status, body, elapsed = _post(url, {"device_id": "not-connected", "name": "start", "timeout": 10}, headers)
        assert body["status"] == "offline" and elapsed < 1.0

        nodes_view = urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/admin/gateway/nodes", headers=headers), timeout=10)
        assert {n["node_id"] for n in json.load(nodes_view)} == {"gw-a", "gw-b"}

        status, body, _ = _post(url, {"device_id": "pile-a", "name": ""}, headers)
        assert status == 422 and "name" in body["errors"]["json"]
        status, _, _ = _post(url, {"device_id": "pile-a", "name": "reboot"}, {})
        assert status == 401
    finally:
        for device in devices:
            device.close()
        outputs = {}
        for name, process in processes.items():
            process.terminate()
            try:
                outputs[name] = process.communicate(timeout=20)[0].decode(errors="replace")
            except subprocess.TimeoutExpired:
                process.kill()
                outputs[name] = process.communicate()[0].decode(errors="replace")
        bus.close()
    for name, out in outputs.items():
        assert "Traceback" not in out, f"{name}:\n{out}"
