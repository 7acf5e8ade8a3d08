from __future__ import annotations

import time
import uuid
from typing import Callable

import pytest

from chargehub.jobs import runner

from .helpers import connection


@pytest.fixture()
def namespace():
    """A unique Redis namespace; every key mentioning it (and its rq jobs) is deleted afterwards."""
    ns = f"chjobstest-{uuid.uuid4().hex[:10]}"
    runner.bind_app(None)
    yield ns
    runner.bind_app(None)
    conn = connection()
    doomed = set(conn.scan_iter(f"*{ns}*"))
    for key in conn.scan_iter("rq:job:*"):
        if conn.type(key) == b"hash" and (conn.hget(key, "origin") or b"").decode().startswith(ns):
            job_id = key.decode().split(":", 2)[2]
            doomed.add(key)
            doomed.update(conn.scan_iter(f"rq:*{job_id}*"))
    for key in conn.scan_iter("rq:worker:*"):
        if conn.type(key) == b"hash" and ns in (conn.hget(key, "queues") or b"").decode():
            doomed.add(key)
            conn.srem("rq:workers", key)
    for member in conn.smembers("rq:queues"):
        if ns in member.decode():
            conn.srem("rq:queues", member)
    if doomed:
        conn.delete(*doomed)


def wait_for(predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.05):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
