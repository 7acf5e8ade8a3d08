"""A simulated e-bike charger (:class:`SimulatedDevice`) that speaks ``docs/protocols/bike-mqtt.md`` from
the device side: retained ``online`` after every connect and the last will, ``welcome`` / ``time``,
heartbeats, socket status, commands and their replies, charging (``charging.py``) and records kept until
acknowledged (``records.py``).

Payloads are built here with plain dicts and ``json``, independently of the platform's codec, so tests
compare two implementations of the document. All methods run in the event loop's thread (see
:class:`~chargehub_bike_mqtt.simulator.fleet.BikeFleetThread` to drive devices from another thread).
"""
from __future__ import annotations

import asyncio
import json
import os
import time
from collections import OrderedDict, deque
from typing import Any, Callable

from chargehub_bike_mqtt.simulator.battery import Battery
from chargehub_bike_mqtt.simulator.charging import ChargingMixin
from chargehub_bike_mqtt.simulator.commands import CommandsMixin
from chargehub_bike_mqtt.simulator.config import PROTOCOL_VERSION, DeviceConfig, parse_broker_url
from chargehub_bike_mqtt.simulator.link import MqttLink
from chargehub_bike_mqtt.simulator.outlet import SocketState
from chargehub_bike_mqtt.simulator.records import RecordsMixin
from chargehub_bike_mqtt.simulator.stats import BikeSimStats

__all__ = ["SimulatedDevice", "PROTOCOL_VERSION"]


class SimulatedDevice(ChargingMixin, CommandsMixin, RecordsMixin):
    """One charger with its own MQTT connection to ``broker_url``.

    :param config: the device's :class:`DeviceConfig`.
    :param broker_url: ``mqtt://host:port``.
    :param stats: a :class:`BikeSimStats` to add to (a fleet shares one); a new one by default.
    :param on_publish: called as ``on_publish(sn, message)`` with every message handed to the broker
        client (benchmarks time reports from there).

    Observable: :attr:`sockets` (:class:`SocketState` list, :meth:`socket`, :meth:`socket_states`),
    :attr:`connected`, :attr:`ready` (welcomed, or the welcome wait ran out), :attr:`accepted` (the last
    ``welcome``'s verdict, ``None`` before one), :attr:`params` (values ``params`` may change),
    :attr:`received` (last messages received on ``down``, dicts), :attr:`pending_records` (id → record
    awaiting ``ack``), :attr:`records` (created), :attr:`acked_ids`, :attr:`qr_prefix`, :attr:`tz`,
    counters :attr:`published`, :attr:`heartbeats_sent`, :attr:`onlines_sent`, :attr:`reboots`.

    Controls: :meth:`plug`, :meth:`unplug`, :meth:`inject_fault`, :meth:`clear_fault`, :meth:`disable`,
    :meth:`enable`, :meth:`refuse_starts`, :meth:`start_local`, :meth:`drop_connection`, :meth:`reboot`,
    :meth:`power_cycle`, :meth:`publish_raw`.
    """

    def __init__(self, config: DeviceConfig, broker_url: str = "mqtt://127.0.0.1:1883",
                 stats: BikeSimStats | None = None,
                 on_publish: Callable[[str, dict[str, Any]], None] | None = None) -> None:
        self.config = config
        self.on_publish = on_publish
        self.sn = sn = config.sn
        self.stats = stats if stats is not None else BikeSimStats()
        self.loop: asyncio.AbstractEventLoop | None = None
        base = f"chargehub/bike/{sn}/"
        self.topic_state, self.topic_up, self.topic_reply, self.topic_down = (
            base + "state", base + "up", base + "reply", base + "down")
        will = json.dumps({"v": PROTOCOL_VERSION, "type": "offline", "id": "lwt", "dev": sn, "ts": 0, "reason": "lwt"},
                          separators=(",", ":")).encode()
        host, port = parse_broker_url(broker_url)
        self.link = MqttLink(sn, host, port, will=(self.topic_state, will), on_up=self._link_up,
                             on_down=self._link_down, on_message=self._link_message, stats=self.stats,
                             username=config.username, password=config.password, keepalive=config.keepalive,
                             mqtt_version=config.mqtt_version, session_expiry_s=config.session_expiry_s,
                             connect_timeout_s=config.connect_timeout_s, reconnect_min_s=config.reconnect_min_s,
                             reconnect_max_s=config.reconnect_max_s)
        self.sockets = [SocketState(n, Battery(config.battery) if config.plugged_at_start(n) else None)
                        for n in range(1, config.sockets + 1)]
        self.device_fault_bits = 0
        self.params: dict[str, int | float] = {
            "max_current_ma": config.max_current_ma, "max_power_w": config.max_power_w,
            "socket_max_power_w": config.socket_max_power_w, "full_current_ma": config.full_current_ma,
            "full_minutes": config.full_minutes, "heartbeat_s": config.heartbeat_s}
        self.ready = False
        self.accepted: bool | None = None
        self.qr_prefix: str | None = None
        self.tz: str | None = None
        self.received: deque[dict[str, Any]] = deque(maxlen=max(1, config.keep_messages))
        self.pending_records: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.records: deque[dict[str, Any]] = deque(maxlen=1000)
        self.acked_ids: deque[str] = deque(maxlen=1000)
        self.published = self.heartbeats_sent = self.onlines_sent = self.reboots = 0
        self.refuse_code: str | None = None
        self._answered: OrderedDict[str, bytes] = OrderedDict()
        self._clock_offset: float | None = 0.0 if config.clock_set else None
        self._boot = "power_on"
        self._id_base = os.urandom(4).hex() + "-"
        self._seq = 0
        self._hb_handle = self._welcome_handle = self._refused_handle = None
        self._record_handle = self._tick_handle = self._reboot_handle = None
        self._record_sends: dict[str, int] = {}
        self._record_sent_at: dict[str, float] = {}
        self._next_meter_at = 0.0
        self._reboot_when_idle = False

    # ------------------------------------------------------------------ life cycle

    def start(self, delay: float = 0.0) -> None:
        """Connect after ``delay`` seconds and stay connected (reconnecting) until :meth:`stop`."""
        self.loop = asyncio.get_running_loop()
        self.link.start(delay)

    def stop(self) -> None:
        """Publish ``offline`` (reason ``shutdown``), disconnect and stop every timer. Charges stop ticking."""
        self.link.close(self._last_words("shutdown"))
        self._cancel("_hb_handle", "_welcome_handle", "_refused_handle", "_record_handle", "_tick_handle",
                     "_reboot_handle")

    def drop_connection(self, reconnect_after: float | None = None) -> None:
        """Cut the connection abruptly (no DISCONNECT: the broker publishes the will); reconnect after
        ``reconnect_after`` seconds (default: the backoff). Charging goes on."""
        self.link.drop(reconnect_after)

    def reboot(self, boot: str = "reboot") -> None:
        """Reboot now: running charges end ``power_loss`` (reported after the restart), ``offline``
        (reason ``reboot``), disconnect, reconnect after ``reboot_s`` with ``boot`` = ``reboot``."""
        self.reboots += 1
        self.stats.reboots += 1
        self._reboot_when_idle = False
        self.ready = False  # records wait for the restart
        self._end_all("power_loss")
        self._boot = boot
        self.link.close(self._last_words("reboot"))
        self._cancel("_hb_handle", "_welcome_handle", "_refused_handle", "_record_handle")
        self._reboot_handle = self.loop.call_later(self.config.reboot_s, self._boot_again)

    def _boot_again(self) -> None:
        self._reboot_handle = None
        self.link.start()

    def power_cycle(self, off_s: float = 1.0) -> None:
        """Lose power: charges end ``power_loss``, the connection dies without a word (will), and the device
        boots again (``boot`` = ``power_on``) after ``off_s`` seconds."""
        self.ready = False
        self._end_all("power_loss")
        self._boot = "power_on"
        self.link.drop(off_s)

    # ------------------------------------------------------------------ observation

    @property
    def connected(self) -> bool:
        """The MQTT connection is up (CONNACK accepted)."""
        return self.link.connected

    def socket(self, number: int) -> SocketState:
        """Socket ``number`` (1-based)."""
        if not 1 <= number <= len(self.sockets):
            raise ValueError(f"device {self.sn} has no socket {number}")
        return self.sockets[number - 1]

    def socket_states(self) -> list[str]:
        """Every socket's state, socket 1 first."""
        return [s.state(self.device_fault_bits) for s in self.sockets]

    def received_of(self, kind: str) -> list[dict[str, Any]]:
        """The kept received messages of ``type`` ``kind``, oldest first."""
        return [m for m in self.received if m.get("type") == kind]

    def now(self) -> int:
        """The device's clock, Unix seconds (0 while unset)."""
        return 0 if self._clock_offset is None else int(time.time() + self._clock_offset)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.02) -> Any:
        """Wait until ``predicate()`` is truthy; return its value. :class:`TimeoutError` after ``timeout``."""
        deadline = self.loop.time() + timeout
        while not (value := predicate()):
            if self.loop.time() > deadline:
                raise TimeoutError(f"device {self.sn}: condition not met within {timeout} s")
            await asyncio.sleep(interval)
        return value

    # ------------------------------------------------------------------ sending

    def message(self, kind: str, **body: Any) -> dict[str, Any]:
        """A new envelope of ``type`` ``kind`` with a fresh id and ``body``."""
        self._seq += 1
        return {"v": PROTOCOL_VERSION, "type": kind, "id": f"{self._id_base}{self._seq:x}", "dev": self.sn,
                "ts": self.now(), **body}

    def send(self, topic: str, message: dict[str, Any], retain: bool = False) -> bool:
        """Publish ``message`` (QoS 1) when connected; count it."""
        data = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
        if not self.link.publish(topic, data, retain=retain):
            return False
        self.published += 1
        self.stats.published[message["type"]] += 1
        if self.on_publish is not None:
            self.on_publish(self.sn, message)
        return True

    def publish_raw(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> bool:
        """Publish arbitrary bytes on any topic (malformed messages, other devices' topics)."""
        ok = self.link.publish(topic, payload, qos=qos, retain=retain)
        self.published += ok
        return ok

    def send_socket_status(self, numbers: list[int] | None = None, force: bool = False) -> bool:
        """Publish ``socket_status`` for ``numbers`` (all sockets by default) when ready (or ``force``)."""
        chosen = self.sockets if numbers is None else [self.socket(n) for n in numbers]
        bits = self.device_fault_bits
        return (self.ready or force) and self.send(self.topic_up, self.message(
            "socket_status", sockets=[s.status_entry(bits) for s in chosen]))

    def _last_words(self, reason: str) -> tuple[str, bytes]:
        offline = self.message("offline", reason=reason)
        if self.connected:
            self.published += 1
            self.stats.published["offline"] += 1
        return self.topic_state, json.dumps(offline, separators=(",", ":")).encode()

    def _cancel(self, *names: str) -> None:
        for name in names:
            handle = getattr(self, name)
            if handle is not None:
                handle.cancel()
                setattr(self, name, None)

    # ------------------------------------------------------------------ connection events

    def _link_up(self) -> None:
        self.link.subscribe(self.topic_down)
        self.ready, self.accepted = False, None
        self._send_online()
        if self._clock_offset is None:
            self.send(self.topic_up, self.message("time_req"))

    def _send_online(self) -> None:
        c = self.config
        body: dict[str, Any] = {"fw": c.fw, "model": c.model, "sockets": c.sockets, "rssi": c.rssi, "boot": self._boot}
        if c.iccid:
            body["iccid"] = c.iccid
        self._boot = "reconnect"
        if self.send(self.topic_state, self.message("online", **body), retain=True):
            self.onlines_sent += 1
        self._cancel("_welcome_handle")
        self._welcome_handle = self.loop.call_later(c.welcome_timeout_s, self._become_ready)

    def _link_down(self) -> None:
        self.ready = False
        self._cancel("_hb_handle", "_welcome_handle", "_refused_handle", "_record_handle")

    def _become_ready(self) -> None:
        """After ``welcome`` (or the wait for it): status, unacknowledged records, heartbeats."""
        self._welcome_handle = None
        if self.ready or not self.connected:
            return
        self.ready = True
        self.send_socket_status()
        self.resend_records()
        self._schedule_heartbeat()

    def _schedule_heartbeat(self) -> None:
        self._cancel("_hb_handle")
        self._hb_handle = self.loop.call_later(float(self.params["heartbeat_s"]), self._heartbeat)

    def _heartbeat(self) -> None:
        self._hb_handle = None
        if not self.ready:
            return
        bits = self.device_fault_bits
        if self.send(self.topic_up, self.message("heartbeat", rssi=self.config.rssi, temp_c=self.config.temp_c,
                                                  sockets=[s.status_entry(bits) for s in self.sockets])):
            self.heartbeats_sent += 1
        self._schedule_heartbeat()

    def __repr__(self) -> str:
        return f"<SimulatedDevice {self.sn} connected={self.connected} sockets={self.socket_states()}>"
