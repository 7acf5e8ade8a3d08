"""The vendor side of bench/payments.py, run as its own process (its own GIL, like the vendor's servers).

Reads one JSON job from stdin and prints one JSON result line. The job::

    {"bases": ["127.0.0.1:8001", ...], "clients": 32, "path": "/api/v1/payments/notify/wechatpay/car/7",
     "notifications": [{"body": ..., "headers": {...}}, ...],       # one per payment, signed by the sandbox
     "schedule": [[payment, group, size], ...],                     # every delivery, in sending order
     "platform_private_key": PEM, "platform_key_id": ..., "resign_after": 240, "pids": {"web": [...]}}

``clients`` threads (thread ``i`` keeps one keep-alive connection to ``bases[i % len(bases)]``) take the
deliveries off the schedule in order, each as soon as it is free, and POST notification ``payment``'s
body and headers. Consecutive entries with the same ``group`` (``size`` > 1) are one *burst*: copies of
one payment that the threads taking them hold at a barrier (:class:`threading.Barrier` of ``size``) and
then send together, so they reach the web processes at the same moment and race for the payment's row
lock; an entry with ``size`` 1 is a copy sent on its own.

Every copy of a payment carries the same body and headers (as a vendor's retries carry the same
notification), except that headers whose ``Wechatpay-Timestamp`` is ``resign_after`` s old are signed
anew (same body, fresh timestamp, nonce and signature, with the platform key the sandbox signs with —
:func:`chargehub_wechatpay.signing.signed_headers`, what the sandbox itself calls): the plugin refuses
timestamps more than 5 minutes away, and WeChat signs each retry when it sends it.

The result: deliveries, duration (first send → last answer), callbacks/s, latency percentiles (the
request sent → the answer read; all deliveries, bursts and lone copies apart), answers by HTTP status,
the first errors, burst spread (first → last send of a burst's copies), headers signed anew, and the
CPU of ``pids`` / PostgreSQL / this client / the machine over the run (bench/_orders_client.CpuMeter).
"""
from __future__ import annotations

import http.client
import itertools
import json
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import percentiles  # noqa: E402
from bench._orders_client import CpuMeter  # noqa: E402

ACKS = (200, 204)


def _connect(base: str) -> http.client.HTTPConnection:
    host, port = base.rsplit(":", 1)
    return http.client.HTTPConnection(host, int(port), timeout=120)


class Headers:
    """Each payment's current headers: the sandbox's, signed anew once ``resign_after`` s old."""

    def __init__(self, job: dict) -> None:
        from chargehub_wechatpay import signing  # noqa: PLC0415

        self.signing = signing
        self.key = signing.load_private_key(job["platform_private_key"])
        self.key_id = job["platform_key_id"]
        self.resign_after = float(job["resign_after"])
        self.bodies = [n["body"].encode() for n in job["notifications"]]
        self.current = [dict(n["headers"]) for n in job["notifications"]]
        self.locks = [threading.Lock() for _ in self.bodies]
        self.resigned = 0

    def get(self, payment: int) -> dict:
        with self.locks[payment]:
            headers = self.current[payment]
            if time.time() - int(headers["Wechatpay-Timestamp"]) >= self.resign_after:
                signed = self.signing.signed_headers(self.key, self.key_id, self.bodies[payment],
                                                     str(int(time.time())), self.signing.new_nonce())
                headers = self.current[payment] = {**headers, **signed}
                self.resigned += 1
            return headers


def run(job: dict) -> dict:
    """Deliver the schedule (see the module docstring); return the figures."""
    bases, clients, path, schedule = job["bases"], job["clients"], job["path"], job["schedule"]
    headers = Headers(job)
    sizes = {group: size for _, group, size in schedule if size > 1}
    barriers = {group: threading.Barrier(size) for group, size in sizes.items()}
    burst_sends: dict[int, list[float]] = {group: [] for group in sizes}
    next_entry = itertools.count()
    latencies: list[list[tuple[float, bool]]] = [[] for _ in range(clients)]
    statuses: list[Counter] = [Counter() for _ in range(clients)]
    errors: list[str] = []
    broken = [0]
    firsts: list[float] = []
    lasts: list[float] = []

    def client(index: int) -> None:
        conn = _connect(bases[index % len(bases)])
        first = last = None
        while True:
            n = next(next_entry)
            if n >= len(schedule):
                break
            payment, group, size = schedule[n]
            sent_headers = headers.get(payment)
            if size > 1:
                try:
                    barriers[group].wait(timeout=60)
                except threading.BrokenBarrierError:
                    broken[0] += 1
            started = time.perf_counter()
            if size > 1:
                burst_sends[group].append(started)
            first = first or started
            try:
                conn.request("POST", path, body=headers.bodies[payment], headers=sent_headers)
                response = conn.getresponse()
                answer = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                statuses[index]["error"] += 1
                conn.close()
                conn = _connect(bases[index % len(bases)])
                continue
            last = time.perf_counter()
            latencies[index].append(((last - started) * 1000, size > 1))
            statuses[index][str(status)] += 1
            if status not in ACKS:
                errors.append(f"HTTP {status}: {answer[:200]!r}")
        conn.close()
        if first is not None:
            firsts.append(first)
            lasts.append(last or first)

    meter = CpuMeter(job.get("pids", {}))
    meter.start()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = meter.stop()
    duration = max(lasts) - min(firsts)
    flat = [ms for per_client in latencies for ms, _ in per_client]
    in_bursts = [ms for per_client in latencies for ms, burst in per_client if burst]
    alone = [ms for per_client in latencies for ms, burst in per_client if not burst]
    status_counts = sum(statuses, Counter())
    spreads = [(max(t) - min(t)) * 1000 for t in burst_sends.values() if len(t) > 1]
    return {
        "deliveries": len(schedule), "answered": len(flat), "duration_s": round(duration, 2),
        "callbacks_per_second": round(len(flat) / duration, 1), "latency": percentiles(flat),
        "latency_burst_copies": percentiles(in_bursts) if in_bursts else {},
        "latency_lone_copies": percentiles(alone) if alone else {},
        "status_counts": dict(sorted(status_counts.items())),
        "acknowledged": sum(v for k, v in status_counts.items() if k in {str(a) for a in ACKS}),
        "errors": len(errors), "first_errors": errors[:5],
        "bursts": len(burst_sends), "burst_spread_ms": percentiles(spreads) if spreads else {},
        "broken_barriers": broken[0], "headers_signed_anew": headers.resigned, **cpu,
    }


def main() -> None:
    job = json.loads(sys.stdin.read())
    print(json.dumps(run(job)), flush=True)


if __name__ == "__main__":
    main()
