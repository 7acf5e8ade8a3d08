"""Small helpers shared by every test suite and the benchmarks."""
from __future__ import annotations

import time
from typing import Any, Callable


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02) -> Any:
    """Poll ``predicate`` until it returns something truthy and return that; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


def delete_namespace(redis_url: str, namespace: str) -> int:
    """Delete every Redis key of a ChargeHub namespace, including rq's own job and worker keys
    (which rq keeps under its global ``rq:`` prefix) for queues of that namespace. Returns the count."""
    import redis  # noqa: PLC0415 - only suites that use Redis pay for the import

    conn = redis.Redis.from_url(redis_url)
    try:
        doomed = set(conn.scan_iter(f"*{namespace}*", count=500))
        for key in conn.scan_iter("rq:job:*", count=500):
            if conn.type(key) == b"hash" and (conn.hget(key, "origin") or b"").decode().startswith(namespace):
                job_id = key.decode().split(":", 2)[2]
                doomed.add(key)
                doomed.update(conn.scan_iter(f"rq:*{job_id}*"))
        for key in conn.scan_iter("rq:worker:*", count=500):
            if conn.type(key) == b"hash" and namespace in (conn.hget(key, "queues") or b"").decode():
                doomed.add(key)
                conn.srem("rq:workers", key)
        for member in conn.smembers("rq:queues"):
            if namespace in member.decode():
                conn.srem("rq:queues", member)
        if doomed:
            conn.delete(*doomed)
        return len(doomed)
    finally:
        conn.close()
