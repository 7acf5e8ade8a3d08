"""The HTTP client side of bench/orders.py, run as its own process (its own GIL, like real clients).

Reads one JSON job from stdin and prints one JSON result line:

* ``{"mode": "list", "bases": ["127.0.0.1:8001", ...], "token": ..., "clients": 32, "duration": 30,
  "warmup": 3, "variants": [{"name": ..., "paths": [...]}, ...]}`` — for each variant in turn, ``clients``
  threads with one keep-alive connection each (thread ``i`` to ``bases[i % len(bases)]``) send the
  variant's GET paths round-robin — back to back, or paced at the variant's ``rate`` (requests/s in all) —
  for ``warmup`` s (not counted), then ``duration`` s: latency percentiles (request sent, or due when
  paced → body read), requests/s, errors, and the CPU of the processes named in ``pids``
  (``{"web": [...]}``), of PostgreSQL, of this client and of the whole machine (:class:`CpuMeter`);
* ``{"mode": "start", "bases": [...], "rate": 20, "starts": [{"token": ..., "gun_id": ...}],
  "prepaid": "50.00", "poll": 0.02, "timeout": 30}`` — open loop: start ``k`` is sent at ``t0 + k / rate``
  (a thread each, a new connection to ``bases[k % len(bases)]``) as ``POST /api/v1/app/orders``; its
  latency runs from sending it until an answer says ``charging`` (the POST's own, or a poll of
  ``GET /api/v1/app/orders/<trade_no>`` every ``poll`` s while it says ``starting``); the CPU of ``pids``
  as above over the whole run.
"""
from __future__ import annotations

import http.client
import json
import os
import resource
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import percentiles  # noqa: E402


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid``; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _postgres_pids() -> list[int]:
    """Every PostgreSQL server process on this machine (backends, writer, WAL...)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


class CpuMeter:
    """CPU used between :meth:`start` and :meth:`stop` (percent of one core) by each named group of
    processes (``{"web": [pids], "gateway": [pid]}``), PostgreSQL (every server process of the machine),
    this client, and the whole machine (``busy``: what it adds up to with any other work running)."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups = groups

    def _read(self) -> dict:
        ticks = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return {**{name: sum(_process_cpu(p) for p in pids) for name, pids in self.groups.items()},
                "postgres": {p: _process_cpu(p) for p in _postgres_pids()}, "client": _cpu_seconds(),
                "busy": (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK"), "at": time.perf_counter()}

    def start(self) -> None:
        self.before = self._read()

    def stop(self) -> dict:
        after = self._read()
        elapsed = after["at"] - self.before["at"]
        # backends that ended in between are left out; new ones count from zero
        before_pg = self.before["postgres"]
        after["postgres"] = sum(cpu - before_pg.get(pid, 0.0) for pid, cpu in after["postgres"].items())
        self.before["postgres"] = 0.0
        return {f"{key}_cpu_percent_of_one_core": round((after[key] - self.before[key]) / elapsed * 100, 1)
                for key in (*self.groups, "postgres", "client", "busy")}


def _connect(base: str) -> http.client.HTTPConnection:
    host, port = base.rsplit(":", 1)
    return http.client.HTTPConnection(host, int(port), timeout=60)


def _request(conn: http.client.HTTPConnection, method: str, path: str, headers: dict,
             body: bytes | None = None) -> tuple[int, bytes]:
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def run_variant(job: dict, variant: dict) -> dict:
    """Send one variant's paths (see the module docstring) back to back, or paced at ``variant["rate"]``
    requests/s in all (each client every ``clients / rate`` s, staggered; a paced request's latency runs
    from the moment it was due, so a server that falls behind is not hidden); return its figures."""
    headers = {"Authorization": f"Bearer {job['token']}", "Accept": "application/json"}
    paths = variant["paths"]
    bases = job["bases"]
    clients = job["clients"]
    interval = clients / variant["rate"] if variant.get("rate") else None
    phase = {"measuring": False, "stop": False}
    samples: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    first_due = time.perf_counter() + 0.2

    def client(index: int) -> None:
        conn = _connect(bases[index % len(bases)])
        n = index
        due = first_due + (index * interval / clients if interval else 0.0)
        while not phase["stop"]:
            path = paths[n % len(paths)]
            n += 1
            if interval:
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                started = due
                due += interval
            else:
                started = time.perf_counter()
            measuring = phase["measuring"]
            try:
                status, body = _request(conn, "GET", path, headers)
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = _connect(bases[index % len(bases)])
                continue
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                errors.append(f"HTTP {status}: {body[:200]!r}")
            elif measuring and phase["measuring"]:
                samples[index].append(elapsed)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(job["warmup"])
    errors.clear()
    meter = CpuMeter(job.get("pids", {}))
    meter.start()
    phase["measuring"] = True
    started = time.perf_counter()
    time.sleep(job["duration"])
    phase["measuring"] = False
    elapsed = time.perf_counter() - started
    cpu = meter.stop()
    phase["stop"] = True
    for thread in threads:
        thread.join(120)
    flat = [s for per_client in samples for s in per_client]
    return {"offered": f"{variant['rate']} requests/s" if interval else "back to back",
            "requests": len(flat), "requests_per_second": round(len(flat) / elapsed, 1),
            **(percentiles(flat) if flat else {}), "errors": len(errors), "first_errors": errors[:3], **cpu}


def run_list(job: dict) -> dict:
    """Every variant of a list job, one after the other."""
    return {variant["name"]: run_variant(job, variant) for variant in job["variants"]}


def one_start(job: dict, item: dict, due: float) -> dict:
    """Send one start at (or just after) ``due`` and follow it to ``charging``; return its story."""
    headers = {"Authorization": f"Bearer {item['token']}", "Content-Type": "application/json",
               "Accept": "application/json", "Idempotency-Key": uuid.uuid4().hex}
    body = json.dumps({"gun_id": item["gun_id"], "prepaid": job["prepaid"], "pay_method": "balance"}).encode()
    conn = _connect(item["base"])
    started = time.perf_counter()
    story: dict = {"gun_id": item["gun_id"], "send_lag_ms": round((started - due) * 1000, 2), "polls": 0}
    try:
        status, raw = _request(conn, "POST", "/api/v1/app/orders", headers, body)
        story["response_ms"] = (time.perf_counter() - started) * 1000
        story["status"] = status
        answer = json.loads(raw or b"{}")
        story["first_state"] = state = answer.get("state")
        if status not in (200, 201) or "trade_no" not in answer:
            story["error"] = f"HTTP {status}: {raw[:300]!r}"
            return story
        poll_headers = {k: v for k, v in headers.items() if k in ("Authorization", "Accept")}
        while state == "starting" and time.perf_counter() - started < job["timeout"]:
            time.sleep(job["poll"])
            status, raw = _request(conn, "GET", f"/api/v1/app/orders/{answer['trade_no']}", poll_headers)
            story["polls"] += 1
            if status == 200:
                state = json.loads(raw).get("state")
        story["state"] = state
        if state == "charging":
            story["latency_ms"] = (time.perf_counter() - started) * 1000
    except (OSError, http.client.HTTPException, ValueError) as exc:
        story["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        conn.close()
    return story


def run_start(job: dict) -> dict:
    """Open-loop starts at ``rate`` per second (see the module docstring)."""
    futures = []
    meter = CpuMeter(job.get("pids", {}))
    meter.start()
    with ThreadPoolExecutor(max_workers=256) as pool:
        t0 = time.perf_counter() + 0.5
        for k, item in enumerate(job["starts"]):
            due = t0 + k / job["rate"]
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            item = item | {"base": job["bases"][k % len(job["bases"])]}
            futures.append(pool.submit(one_start, job, item, due))
        sent_seconds = time.perf_counter() - t0
        stories = [f.result() for f in futures]
    cpu = meter.stop()
    latencies = [s["latency_ms"] for s in stories if "latency_ms" in s]
    responses = [s["response_ms"] for s in stories if "response_ms" in s]
    states: dict[str, int] = {}
    for story in stories:
        key = story.get("state") or ("error" if "error" in story else "none")
        states[key] = states.get(key, 0) + 1
    return {
        "sent": len(stories), "sent_per_second": round(len(stories) / sent_seconds, 2),
        "charging": len(latencies), "not_charging": len(stories) - len(latencies), "final_states": states,
        "api_call_to_charging": percentiles(latencies) if latencies else {},
        "post_response": percentiles(responses) if responses else {},
        "answered_starting": sum(1 for s in stories if s.get("first_state") == "starting"),
        "polls": sum(s["polls"] for s in stories),
        "max_send_lag_ms": max(s["send_lag_ms"] for s in stories),
        "first_errors": [s["error"] for s in stories if "error" in s][:5],
        **cpu,
    }


def main() -> None:
    job = json.loads(sys.stdin.read())
    result = run_list(job) if job["mode"] == "list" else run_start(job)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
