"""What arrives on ``down`` for :class:`~chargehub_bike_mqtt.simulator.device.SimulatedDevice`: the
envelope check, ``welcome`` / ``time`` / ``ack`` (records in ``records.py``) and the commands of doc §5:
``start`` (in ``charging.py``), ``stop``, ``refresh``, ``params``, ``reboot``, ``qrcode``. Every command
is answered on ``reply`` with ``<type>_reply`` and ``re`` = its id; a command id seen before is answered
again with the very same reply and not acted on twice."""
from __future__ import annotations

import json
import time
from typing import Any, Callable

from chargehub_bike_mqtt.simulator.charging import echo, is_count
from chargehub_bike_mqtt.simulator.config import PROTOCOL_VERSION

__all__ = ["CommandsMixin", "COMMANDS", "PARAM_KEYS"]

COMMANDS = frozenset({"start", "stop", "refresh", "params", "reboot", "qrcode"})
#: What ``params`` may set (integers; ``heartbeat_s`` at least 1).
PARAM_KEYS = ("max_current_ma", "max_power_w", "socket_max_power_w", "full_current_ma", "full_minutes", "heartbeat_s")
_KEEP_ANSWERED = 2048

Outcome = tuple[dict[str, Any], Callable[[], Any] | None]


def _refused(code: str, reason: str, **body: Any) -> Outcome:
    return {**body, "ok": False, "code": code, "reason": reason}, None


class CommandsMixin:
    """Receiving part (``down``) of the simulated device (needs the device's attributes; see ``device.py``)."""

    # ------------------------------------------------------------------ receiving

    def _link_message(self, topic: str, payload: bytes) -> None:
        """Everything arriving on ``down``: checked envelope, then ``welcome`` / ``time`` / ``ack`` or a
        command (an unknown type is answered ``unsupported``)."""
        if topic != self.topic_down:
            return
        try:
            msg = json.loads(payload)
        except ValueError:
            msg = None
        if (not isinstance(msg, dict) or msg.get("v") != PROTOCOL_VERSION or not isinstance(msg.get("type"), str)
                or msg.get("dev", self.sn) != self.sn or not isinstance(msg.get("id"), str)):
            self.stats.invalid_received += 1
            return
        kind = msg["type"]
        self.stats.received[kind] += 1
        self.received.append(msg)
        if kind == "welcome":
            self._on_welcome(msg)
        elif kind == "time":
            self._on_time(msg)
        elif kind == "ack":
            self.on_ack(msg)
        else:  # a command; unknown ones are answered "unsupported"
            self.on_command(msg)

    def _on_welcome(self, msg: dict[str, Any]) -> None:
        self.accepted = msg.get("accepted") is True
        if self.accepted:
            beat = msg.get("heartbeat_s")
            if self.config.follow_welcome_heartbeat and isinstance(beat, int) and beat > 0:
                self.params["heartbeat_s"] = beat
            self._become_ready()
            return
        self.stats.welcomes_refused += 1
        self.ready = False
        self._cancel("_hb_handle", "_welcome_handle", "_record_handle", "_refused_handle")
        self._refused_handle = self.loop.call_later(self.config.refused_retry_s, self._retry_online)

    def _retry_online(self) -> None:
        self._refused_handle = None
        if self.connected:
            self._send_online()

    def _on_time(self, msg: dict[str, Any]) -> None:
        now = msg.get("now")
        if isinstance(now, int) and not isinstance(now, bool) and now > 0:
            self._clock_offset = now - time.time()
        if isinstance(msg.get("tz"), str):
            self.tz = msg["tz"]

    # ------------------------------------------------------------------ commands

    def on_command(self, msg: dict[str, Any]) -> None:
        """Answer ``msg`` (once acted on per id), then do what must follow the reply."""
        cid, kind = msg["id"], msg["type"]
        cached = self._answered.get(cid)
        if cached is not None:
            self.stats.duplicate_commands += 1
            if self.link.publish(self.topic_reply, cached):
                self.published += 1
                self.stats.published[kind + "_reply"] += 1
            return
        handler = getattr(self, "_cmd_" + kind) if kind in COMMANDS else None
        if handler is None:
            body, after = _refused("unsupported", f"unknown command {kind!r}")
        else:
            body, after = handler(msg)
        reply = self.message(kind + "_reply", re=cid, **body)
        self._answered[cid] = json.dumps(reply, separators=(",", ":"), ensure_ascii=False).encode()
        if len(self._answered) > _KEEP_ANSWERED:
            self._answered.popitem(last=False)
        self.send(self.topic_reply, reply)
        if after is not None:
            after()

    def _cmd_stop(self, msg: dict[str, Any]) -> Outcome:
        number, order, base = msg.get("socket"), msg.get("order"), echo(msg)
        if not is_count(number, 1, len(self.sockets)):  # nothing charges on a socket that does not exist
            return _refused("idle", f"no socket {number!r} (1..{len(self.sockets)})", **base)
        state = self.socket(number)
        session = state.session
        if session is None:
            return _refused("idle", "socket is not charging", **base)
        if order is not None and order != session.order:
            return _refused("wrong_order", f"socket charges order {session.order}", **base)
        reason = self._advance(state)
        entry = session.meter_entry(number)
        body = {"socket": number, "order": session.order, "ok": True, "energy_wh": entry["energy_wh"],
                "elapsed_s": entry["elapsed_s"]}
        return body, lambda: self._end_charge(state, reason or "remote")

    def _cmd_refresh(self, msg: dict[str, Any]) -> Outcome:
        numbers = msg.get("sockets")
        if numbers is not None and (not isinstance(numbers, list)
                                    or not all(is_count(n, 1, len(self.sockets)) for n in numbers)):
            return _refused("bad_params", f"sockets must list numbers 1..{len(self.sockets)}")
        return {"ok": True}, lambda: self.send_socket_status(numbers, force=True)

    def _cmd_params(self, msg: dict[str, Any]) -> Outcome:
        changes = {}
        for key in PARAM_KEYS:
            if key in msg:
                if not is_count(msg[key], 1 if key == "heartbeat_s" else 0):
                    return _refused("bad_params", f"{key} must be a non-negative integer")
                changes[key] = msg[key]
        self.params.update(changes)
        if "heartbeat_s" in changes and self.ready:
            self._schedule_heartbeat()
        return {"ok": True, **self.params_in_force()}, None

    def params_in_force(self) -> dict[str, int]:
        """The ``params`` values now in force, as whole numbers (a test's sub-second heartbeat shows as 1)."""
        out = {key: int(self.params[key]) for key in PARAM_KEYS}
        out["heartbeat_s"] = max(1, round(self.params["heartbeat_s"]))
        return out

    def _cmd_reboot(self, msg: dict[str, Any]) -> Outcome:
        mode = msg.get("mode", "now")
        if mode not in ("now", "idle"):
            return _refused("bad_params", "mode must be now or idle")
        if mode == "idle" and any(s.session is not None for s in self.sockets):
            self._reboot_when_idle = True
            return {"ok": True, "mode": mode}, None
        return {"ok": True, "mode": mode}, self.reboot

    def _cmd_qrcode(self, msg: dict[str, Any]) -> Outcome:
        prefix, entries = msg.get("prefix"), msg.get("sockets")
        if isinstance(prefix, str) and prefix:
            self.qr_prefix = prefix
            for state in self.sockets:
                state.qr_url = f"{prefix}{self.sn}{state.no:02d}"
            return {"ok": True}, None
        if isinstance(entries, list) and entries and all(
                isinstance(e, dict) and is_count(e.get("no"), 1, len(self.sockets)) and isinstance(e.get("url"), str)
                and e["url"] for e in entries):
            for entry in entries:
                self.socket(entry["no"]).qr_url = entry["url"]
            return {"ok": True}, None
        return _refused("bad_params", "give a prefix or sockets [{no, url}]")
