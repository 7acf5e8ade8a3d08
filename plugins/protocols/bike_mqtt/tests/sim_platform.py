"""Test side of the bike simulator tests: a stand-in platform (:class:`Platform`) that watches
``chargehub/bike/<sn>/#``, answers ``online`` with ``welcome`` + ``time`` and ``record`` with ``ack`` when
asked to, and sends commands; :func:`fetch_retained` reads a retained message with a fresh client.
Messages are built with plain dicts, independently of the plugin's codec."""
from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


def host_port(url: str) -> tuple[str, int]:
    """``mqtt://host:port`` → ``(host, port)``."""
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 1883


@dataclass
class Seen:
    """One message the platform received."""

    topic: str
    sn: str
    channel: str  # state, up, reply, down
    raw: bytes
    msg: dict[str, Any] | None
    retain: bool
    at: float

    @property
    def type(self) -> str | None:
        return self.msg.get("type") if isinstance(self.msg, dict) else None


class Platform:
    """Watches the given sns' topics; ``welcome`` / ``ack`` switch the automatic answers."""

    def __init__(self, sns: Iterable[str], url: str, *, welcome: bool = True, ack: bool = True,
                 accepted: bool = True) -> None:
        self.sns = list(sns)
        self.welcome, self.ack, self.accepted = welcome, ack, accepted
        self.seen: list[Seen] = []
        self.acked: list[str] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self._n = 0
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"platform-{secrets.token_hex(4)}",
                                  protocol=mqtt.MQTTv311)
        self.client.on_message = self._on_message
        self.client.on_connect = self._on_connect  # subscribes again after a broker restart
        self.client.on_subscribe = lambda *a: self._subscribed.set()
        self.client.reconnect_delay_set(0.1, 0.5)
        self.host, self.port = host_port(url)

    def start(self) -> "Platform":
        self.client.connect(self.host, self.port, 30)
        self.client.loop_start()
        assert self._subscribed.wait(10), "platform subscription not acknowledged"
        return self

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        client.subscribe([(f"chargehub/bike/{sn}/#", 1) for sn in self.sns])

    def stop(self) -> None:
        """Clear the retained ``state`` messages of the watched sns and disconnect."""
        infos = [self.client.publish(f"chargehub/bike/{sn}/state", b"", qos=1, retain=True) for sn in self.sns]
        for info in infos:
            info.wait_for_publish(5)
        self.client.disconnect()
        self.client.loop_stop()

    def __enter__(self) -> "Platform":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ------------------------------------------------------------------ receiving

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        parts = message.topic.split("/")
        try:
            msg = json.loads(message.payload)
        except ValueError:
            msg = None
        seen = Seen(message.topic, parts[2], parts[3] if len(parts) > 3 else "", bytes(message.payload), msg,
                    bool(message.retain), time.monotonic())
        with self._lock:
            self.seen.append(seen)
        if seen.channel == "state" and seen.type == "online" and self.welcome:
            body = {"accepted": True, "heartbeat_s": 60, "tz": "Asia/Shanghai"} if self.accepted else \
                {"accepted": False, "reason": "unknown device"}
            self.send(seen.sn, "welcome", **body)
            if self.accepted:
                self.send(seen.sn, "time", now=int(time.time()), tz="Asia/Shanghai")
        elif seen.channel == "up" and seen.type == "record" and self.ack:
            self.send(seen.sn, "ack", re=msg["id"])
            with self._lock:
                self.acked.append(msg["id"])

    def messages(self, sn: str | None = None, type: str | None = None, channel: str | None = None,
                 where: Callable[[Seen], bool] | None = None) -> list[Seen]:
        with self._lock:
            items = list(self.seen)
        return [s for s in items if (sn is None or s.sn == sn) and (type is None or s.type == type)
                and (channel is None or s.channel == channel) and (where is None or where(s))]

    def wait(self, predicate: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while not (value := predicate()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} not met within {timeout} s")
            time.sleep(0.01)
        return value

    def wait_messages(self, sn: str | None, type: str, count: int = 1, timeout: float = 5.0,
                      **filters: Any) -> list[Seen]:
        """At least ``count`` messages of ``type`` (returns all matching so far)."""
        return self.wait(lambda: (found := self.messages(sn, type, **filters)) and len(found) >= count and found,
                         timeout, f"{count} {type} from {sn}")

    def reply(self, sn: str, cid: str, timeout: float = 5.0) -> dict[str, Any]:
        """The first reply to command ``cid``."""
        found = self.wait(lambda: self.messages(sn, channel="reply", where=lambda s: s.msg.get("re") == cid),
                          timeout, f"reply to {cid}")
        return found[0].msg

    # ------------------------------------------------------------------ sending

    def send(self, sn: str, type: str, *, id: str | None = None, **body: Any) -> str:
        """Publish ``type`` with ``body`` on ``sn``'s ``down`` topic; return its id."""
        with self._lock:
            self._n += 1
            n = self._n
        mid = id or f"p{n}-{secrets.token_hex(3)}"
        payload = {"v": 1, "type": type, "id": mid, "dev": sn, "ts": int(time.time()), **body}
        self.client.publish(f"chargehub/bike/{sn}/down", json.dumps(payload).encode(), qos=1)
        return mid

    def command(self, sn: str, type: str, timeout: float = 5.0, **body: Any) -> dict[str, Any]:
        """Send a command and return its reply."""
        return self.reply(sn, self.send(sn, type, **body), timeout)


def fetch_retained(url: str, topic: str, timeout: float = 5.0) -> tuple[bytes, bool] | None:
    """The retained message on ``topic`` read by a fresh client: ``(payload, retain flag)``, ``None``."""
    got: list[tuple[bytes, bool]] = []
    event = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"peek-{secrets.token_hex(4)}")

    def on_message(c: mqtt.Client, u: Any, message: mqtt.MQTTMessage) -> None:
        got.append((bytes(message.payload), bool(message.retain)))
        event.set()

    client.on_message = on_message
    client.connect(*host_port(url), 30)
    client.loop_start()
    client.subscribe(topic, 1)
    event.wait(timeout)
    client.disconnect()
    client.loop_stop()
    return got[0] if got else None
