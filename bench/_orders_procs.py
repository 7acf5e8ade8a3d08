"""Processes of bench/orders.py: the app's settings, ``chargehub web`` servers and the client process."""
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

from bench._common import stop_process

HERE = Path(__file__).resolve().parent
#: The plugins every process of the benchmark loads: the standard billing modes and YKC.
PLUGINS = "chargehub_billing_standard.plugin,chargehub_ykc.plugin"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_settings(url: str, instance: str, **extra) -> dict:
    """``create_app`` settings of the benchmark's own app (no plugin discovery, quiet logs)."""
    import chargehub_billing_standard.plugin as billing_standard  # noqa: PLC0415
    import chargehub_ykc.plugin as ykc  # noqa: PLC0415

    return {"DATABASE_URL": url, "INSTANCE_PATH": instance, "PLUGIN_AUTOLOAD": False, "LOG_LEVEL": "WARNING",
            "LOG_FORMAT": "text", "PLUGINS_EXTRA": [billing_standard, ykc], **extra}


def process_env(url: str, instance: str, redis: str | None = None, namespace: str | None = None) -> dict:
    """The environment of a ``chargehub`` process on the benchmark's database (and Redis, when given)."""
    env = dict(os.environ, CHARGEHUB_DATABASE_URL=url, CHARGEHUB_INSTANCE_PATH=instance,
               CHARGEHUB_PLUGIN_AUTOLOAD="0", CHARGEHUB_PLUGINS=PLUGINS, CHARGEHUB_LOG_LEVEL="WARNING",
               CHARGEHUB_LOG_FORMAT="text")
    if redis:
        env.update(CHARGEHUB_REDIS_URL=redis, CHARGEHUB_REDIS_NAMESPACE=namespace)
    return env


def parse_web(config: str) -> tuple[int, int]:
    """``"2x8"`` → ``(2, 8)``: processes and threads of the web server."""
    processes, threads = (int(x) for x in config.lower().split("x"))
    return processes, threads


def web_name(config: str) -> str:
    """``"2x8"`` → ``"2 processes x 8 threads"``."""
    processes, threads = parse_web(config)
    return f"{processes} process{'es' if processes > 1 else ''} x {threads} threads"


def start_web(env: dict, tmp: Path, config: str) -> list[tuple[subprocess.Popen, int]]:
    """``chargehub web`` as ``config`` (``PxT``: P processes of T waitress threads, each on its own free
    port); returns ``(process, port)`` pairs once each answers ``/healthz``."""
    processes, threads = parse_web(config)
    servers = []
    for _ in range(processes):
        port = free_port()
        with open(tmp / f"web-{port}.log", "wb") as log:
            process = subprocess.Popen([sys.executable, "-m", "chargehub", "web", "--host", "127.0.0.1", "--port",
                                        str(port), "--threads", str(threads)], env=env, cwd=str(tmp), stdout=log,
                                       stderr=subprocess.STDOUT)
        servers.append((process, port))
    try:
        for process, port in servers:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, (tmp / f"web-{port}.log").read_text()[-3000:]
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
                    break
                except urllib.error.HTTPError:
                    break  # it answers: up (a 503 only says a dependency is missing)
                except OSError:
                    assert time.monotonic() < deadline, f"web on {port} did not come up"
                    time.sleep(0.2)
    except BaseException:
        stop_web(servers)
        raise
    return servers


def stop_web(servers) -> None:
    """Stop every web process of :func:`start_web`."""
    for process, _ in servers:
        stop_process(process)


def run_client(job: dict, timeout: float) -> dict:
    """Run bench/_orders_client.py with ``job`` (its own process); return its JSON answer."""
    output = subprocess.run([sys.executable, str(HERE / "_orders_client.py")], input=json.dumps(job),
                            capture_output=True, text=True, timeout=timeout)
    if output.returncode != 0:
        raise RuntimeError(f"client failed: {output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def load_average() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages (other work running skews every figure)."""
    return [round(x, 2) for x in os.getloadavg()]


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (not idle, not waiting for I/O) since boot."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
