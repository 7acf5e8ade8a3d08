"""Gateway nodes as separate OS processes, for the Redis bus tests.

:func:`run_lineproto_node` is the entry point of a ``multiprocessing`` (spawn) child; :func:`cli_node`
migrates and seeds a fresh SQLite database and starts ``python -m chargehub gateway`` with the environment the CLI reads.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

from chargehub.devices.bus.redis import RedisCommandBus
from chargehub.devices.gateway import Gateway, parse_listen, run_gateway

from .lineproto import LineProtocol

REPO_ROOT = Path(__file__).resolve().parents[2]
#: A pile of the demo network (``chargehub demo``): registered, so the gateway accepts its login.
DEMO_PILE = "32010600210101"


def run_lineproto_node(redis_url: str, namespace: str, node_id: str, listen: str = "lineproto=127.0.0.1:0") -> None:
    """Child process: one gateway node with the line protocol, until SIGTERM/SIGINT."""
    logging.basicConfig(level=logging.INFO, format=f"{node_id} %(levelname)s %(name)s: %(message)s")
    bus = RedisCommandBus(redis_url, namespace, default_timeout=5.0)
    protocols = [LineProtocol()]
    run_gateway(Gateway(protocols, bus.gateway_node(node_id), parse_listen(listen, protocols)))


def spawn_node(redis_url: str, namespace: str, node_id: str) -> multiprocessing.Process:
    """Start :func:`run_lineproto_node` in a spawned process."""
    process = multiprocessing.get_context("spawn").Process(
        target=run_lineproto_node, args=(redis_url, namespace, node_id), name=node_id, daemon=True)
    process.start()
    return process


def cli_node(redis_url: str, namespace: str, node_id: str, tmp_path: Path) -> subprocess.Popen:
    """Start ``python -m chargehub gateway`` as a subprocess with the line-protocol plugin.

    The database is migrated and seeded with the demo network, so :data:`DEMO_PILE` may log in.
    """
    env = dict(os.environ)
    env.update({
        "CHARGEHUB_REDIS_URL": redis_url,
        "CHARGEHUB_REDIS_NAMESPACE": namespace,
        "CHARGEHUB_PLUGIN_AUTOLOAD": "0",
        "CHARGEHUB_PLUGINS": "tests.devices.lineproto",
        "CHARGEHUB_GATEWAY_NODE": node_id,
        "CHARGEHUB_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "CHARGEHUB_INSTANCE_PATH": str(tmp_path / "instance"),
        "CHARGEHUB_LOG_FORMAT": "text",
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "core"), env.get("PYTHONPATH", "")]),
    })
    for args in (["db", "upgrade"], ["create-admin", "--phone", "13800000000", "--generate-password"], ["demo"]):
        subprocess.run([sys.executable, "-m", "chargehub", *args], env=env, cwd=str(tmp_path), check=True,
                       capture_output=True, timeout=60)
    return subprocess.Popen([sys.executable, "-m", "chargehub", "gateway", "--listen", "lineproto=127.0.0.1:0"],
                            env=env, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
