"""Job functions and app factories used by the job-system tests (importable by rq workers).

Job functions report what they saw to a Redis list, so forked and separate worker processes can be
checked the same way as in-process ones.
"""
from __future__ import annotations

import json
import os

import redis
from flask import Flask, current_app

from chargehub.jobs import JobQueue, current_attempt, set_progress

REDIS_URL = os.environ.get("CHARGEHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def ref(name: str) -> str:
    """``"<this module>:<name>"``, whatever package name pytest imported the tests under."""
    return f"{__name__}:{name}"


FACTORY = ref("make_app_from_env")


def connection() -> redis.Redis:
    return redis.Redis.from_url(REDIS_URL)


def build_app(namespace: str, instance_path: str, *, use_redis: bool = True, eager: bool = False) -> Flask:
    """A minimal app (no database, no plugins) with a fresh JobQueue bound to it: the job system alone."""
    app = Flask("chargehub_jobs_test", instance_path=instance_path)
    app.config["CHARGEHUB"] = {
        "REDIS_URL": REDIS_URL if use_redis else None,
        "REDIS_NAMESPACE": namespace,
        "JOBS_EAGER": eager,
        "TIMEZONE": "Asia/Shanghai",
        "SCHEMA_CHECK": False,  # this minimal app has no database to check
    }
    app.config["TEST_MARKER"] = f"app-{namespace}"
    JobQueue().init_app(app, app_factory=FACTORY)
    return app


def make_app_from_env() -> Flask:
    """App factory for separate rq worker processes: namespace from CHJOBS_TEST_NAMESPACE."""
    namespace = os.environ["CHJOBS_TEST_NAMESPACE"]
    return build_app(namespace, os.environ["CHJOBS_TEST_INSTANCE"])


def _push(key: str, **values: object) -> None:
    values.update(attempt=current_attempt(), app=current_app.config["TEST_MARKER"], pid=os.getpid())
    connection().rpush(key, json.dumps(values))


def record(key: str, value: object = None) -> None:
    """Record that it ran, in which app, as which attempt."""
    _push(key, value=value)


def flaky(key: str, failures: int) -> None:
    """Fail the first ``failures`` attempts, then succeed."""
    _push(key)
    if current_attempt() <= failures:
        raise RuntimeError(f"flaky attempt {current_attempt()}")


def always_fails(key: str) -> None:
    _push(key)
    raise ValueError("always fails")


def with_progress(key: str) -> None:
    set_progress(0.5, rows=10)
    set_progress(1.0, rows=20, file="export.xlsx")
    _push(key)


def periodic_hit() -> None:
    """Periodic job (no arguments): records into ``<namespace>:hits``."""
    _push(current_app.config["CHARGEHUB"]["REDIS_NAMESPACE"] + ":hits")


def entries(key: str) -> list[dict]:
    return [json.loads(item) for item in connection().lrange(key, 0, -1)]
