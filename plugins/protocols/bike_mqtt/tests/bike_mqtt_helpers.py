"""Shared helpers of the bike_mqtt plugin tests (imported by name: pytest puts this folder on ``sys.path``)."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal
from itertools import count
from typing import Any

from chargehub.contracts.devices import LoginDecision, SessionOutput

from chargehub_bike_mqtt import codec
from chargehub_bike_mqtt.session import BikeSession

SN = "BK0001"
#: 2026-01-02 03:04:05 UTC.
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
NOW_TS = int(NOW.timestamp())
DEVICE_TS = 1_795_000_000
SETTINGS = {"timezone": "Asia/Shanghai", "gun_count": 4, "enabled": True, "qr_prefix": "https://q.example/b?no="}

ONLINE = codec.encode_online("on1", SN, DEVICE_TS, fw="2.1.0", model="BK-10", sockets=10, iccid="89860012345678901234",
                             rssi=-67, boot="power_on")
HEARTBEAT = codec.encode_heartbeat("hb1", SN, DEVICE_TS, rssi=-70, temp_c=31)
RECORD = codec.encode_record("rec-7", SN, DEVICE_TS, socket=3, order="ORD123", started_at=DEVICE_TS - 3600,
                             ended_at=DEVICE_TS, energy_wh=1234, elapsed_s=3600, max_power_w=410, reason="full")


def raw(data: Any) -> bytes:
    """``data`` as a JSON payload exactly as given (for invalid messages the builders refuse to make)."""
    return json.dumps(data, ensure_ascii=False, default=str).encode()


def envelope(type_: str, **body: Any) -> dict[str, Any]:
    """A valid envelope of ``type_`` with ``body`` (as a dict, to be spoiled and sent with :func:`raw`)."""
    return {"v": 1, "type": type_, "id": "m1", "dev": SN, "ts": DEVICE_TS, **body}


def ids():
    """A deterministic message-id factory: ``p1``, ``p2``..."""
    counter = count(1)
    return lambda: f"p{next(counter)}"


def new_session(sn: str | None = None) -> BikeSession:
    """A session with a fixed clock and numbered platform message ids."""
    return BikeSession("mqtt:BK0001", sn=sn, clock=lambda: NOW, new_id=ids())


def logged_in(settings: dict | None = None) -> tuple[BikeSession, SessionOutput]:
    """A session after an accepted ``online``."""
    session = new_session()
    out = session.receive(ONLINE)
    assert out.login is not None and out.login.device_id == SN and not out.login.resumed
    decided = session.login_decided(LoginDecision.accept(SN, SETTINGS if settings is None else settings))
    assert decided.device_id == SN
    return session, decided


def decoded(payloads: list[bytes]) -> list[codec.Message]:
    """The messages of ``payloads`` (which must all be valid)."""
    return [codec.decode(p) for p in payloads]


def meter_entry(no: int = 1, **changes: Any) -> dict[str, Any]:
    """A valid ``meter`` socket entry."""
    return {"no": no, "order": "ORD123", "voltage_v": Decimal("220.5"), "current_a": Decimal("1.875"),
            "power_w": 413, "energy_wh": 1234, "elapsed_s": 600, **changes}
