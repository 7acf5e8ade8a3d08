"""``/healthz``: the state of the database, Redis, the MQTT broker, the job queue and each gateway."""
from __future__ import annotations

import socket
import time
from urllib.parse import urlparse

import sqlalchemy as sa
from flask import Blueprint, jsonify

from chargehub.config import settings
from chargehub.extensions import command_bus, db, jobs

bp = Blueprint("health", __name__)


def _timed(check):
    started = time.perf_counter()
    try:
        detail = check() or {}
        ok = detail.pop("ok", True)
        return {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1), **detail}
    except Exception as exc:  # health must report every failure, whatever its type
        return {"ok": False, "ms": round((time.perf_counter() - started) * 1000, 1), "error": f"{type(exc).__name__}: {exc}"}


def _database():
    db.session.execute(sa.text("SELECT 1"))
    return {"backend": db.engine.dialect.name}


def _redis(url):
    import redis  # noqa: PLC0415

    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    info = client.info("server")
    return {"version": info.get("redis_version")}


def _mqtt(url):
    """Connect, complete the MQTT handshake and disconnect (paho-mqtt), within 3 s."""
    from chargehub.mqtt.broker import BrokerAddress, client_id, new_client  # noqa: PLC0415

    address = BrokerAddress.parse(url)
    client = new_client(address, client_id("health"))
    result = {}
    client.on_connect = lambda c, u, flags, rc, props=None: result.setdefault("rc", rc)
    client.connect(address.host, address.port, keepalive=5)
    deadline = time.monotonic() + 3
    while "rc" not in result and time.monotonic() < deadline:
        client.loop(timeout=0.1)
    client.disconnect()
    if "rc" not in result:
        return {"ok": False, "error": "no CONNACK within 3 s"}
    return {"ok": not result["rc"].is_failure, "reason": str(result["rc"])}


@bp.get("/healthz")
def healthz():
    """Overall ``ok`` is true when every configured dependency answers; HTTP 503 otherwise."""
    conf = settings()
    checks = {"database": _timed(_database)}
    checks["redis"] = _timed(lambda: _redis(conf["REDIS_URL"])) if conf["REDIS_URL"] else {"ok": True, "configured": False}
    checks["mqtt"] = _timed(lambda: _mqtt(conf["MQTT_URL"])) if conf["MQTT_URL"] else {"ok": True, "configured": False}
    checks["jobs"] = _timed(jobs.health)
    gateways = _timed(lambda: {"nodes": command_bus.gateway_states()})
    checks["gateways"] = gateways
    ok = all(c["ok"] for c in checks.values())
    return jsonify({"ok": ok, "checks": checks}), (200 if ok else 503)
