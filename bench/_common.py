"""Shared helpers of the benchmarks: percentiles and writing results to bench/results/<name>.json."""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50 / p95 / p99 / max / mean of ``samples_ms`` (milliseconds, rounded to 0.01)."""
    ordered = sorted(samples_ms)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50_ms": round(q[49], 2), "p95_ms": round(q[94], 2), "p99_ms": round(q[98], 2),
            "max_ms": round(ordered[-1], 2), "mean_ms": round(statistics.fmean(ordered), 2)}


def proc_status_kb(field: str, pid: int | str = "self") -> int:
    """``VmHWM`` (peak RSS), ``VmRSS``... of a process in KB, from ``/proc/<pid>/status``. Unlike
    ``ru_maxrss``, which keeps the parent's peak across fork + exec, these belong to the process itself."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(f"{field} not in /proc/{pid}/status")


def status_mb(pid: int) -> dict[str, float]:
    """``VmRSS`` and ``VmHWM`` of process ``pid`` in MB (one decimal)."""
    return {field: round(proc_status_kb(field, pid) / 1024, 1) for field in ("VmRSS", "VmHWM")}


def stop_process(process: subprocess.Popen, timeout: float = 60.0) -> None:
    """SIGTERM ``process`` (a gateway under test), wait for it, kill it if it does not end in time."""
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()


def write_result(name: str, result: dict) -> Path:
    """Write ``result`` with the machine's description to ``bench/results/<name>.json``; return the path."""
    RESULTS.mkdir(exist_ok=True)
    payload = {
        "benchmark": name,
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        **result,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(payload, indent=2, ensure_ascii=False))
    return path
