"""Redis command bus: any web process or worker can command a device held by any gateway node.

Keys (``<ns>`` is ``CHARGEHUB_REDIS_NAMESPACE``; see ``docs/decisions/0003-command-bus.md``):

``<ns>:bus:devices``            hash device id → node id (written on register, removed only by its owner)
``<ns>:bus:nodes``              hash node id → state JSON (for ``gateway_states``)
``<ns>:bus:node:<id>:alive``    exists while the node heartbeats (TTL ``dead_after``)
``<ns>:bus:node:<id>``          list of JSON requests for the node (LPUSH by senders, BRPOP by the node)
``<ns>:bus:reply:<corr>``       list holding the one JSON reply (LPUSH by the node, BRPOP by the sender)
``<ns>:bus:protocol:<id>``      set of node ids serving every device of a broker protocol (MQTT), used for
                                commands whose device no node registered

A request carries an absolute ``deadline`` (epoch seconds); the node drops requests already past it.
"""
from __future__ import annotations

import asyncio
import json
import logging
import random
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any

import redis

from chargehub.contracts.devices import CommandResult, DeviceCommand
from chargehub.devices.bus.base import (
    CommandBus,
    Executor,
    GatewayNode,
    ReplacedCallback,
    default_node_id,
    run_executor,
    utcnow_iso,
)

log = logging.getLogger(__name__)

WIRE_VERSION = 1
#: Seconds an unclaimed reply stays in Redis (the sender gave up or died).
REPLY_TTL = 60
#: Dead nodes disappear from ``gateway_states`` after this long.
DEAD_NODE_RETENTION = timedelta(hours=1)

# Register device → node, returning the previous owner.
_CLAIM = "local old = redis.call('HGET', KEYS[1], ARGV[1]); redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]); return old"
# Remove device → node only while the given node still owns it.
_RELEASE = ("if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then "
            "return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0")


class BusKeys:
    """Key names of one namespace."""

    def __init__(self, namespace: str) -> None:
        self.prefix = f"{namespace}:bus"
        self.devices = f"{self.prefix}:devices"
        self.nodes = f"{self.prefix}:nodes"

    def queue(self, node_id: str) -> str:
        return f"{self.prefix}:node:{node_id}"

    def alive(self, node_id: str) -> str:
        return f"{self.prefix}:node:{node_id}:alive"

    def reply(self, correlation_id: str) -> str:
        return f"{self.prefix}:reply:{correlation_id}"

    def protocol(self, identifier: str) -> str:
        return f"{self.prefix}:protocol:{identifier}"


class RedisCommandBus(CommandBus):
    """Command bus over Redis lists.

    :param url: ``redis://`` URL.
    :param namespace: prefix of every key.
    :param default_timeout: seconds :meth:`send` waits by default.
    :param heartbeat_interval: seconds between node heartbeats.
    :param dead_after: seconds without a heartbeat after which a node counts as dead (≈ 3 missed).
    """

    def __init__(self, url: str, namespace: str = "chargehub", default_timeout: float = 15.0, *,
                 heartbeat_interval: float = 2.0, dead_after: float = 6.0) -> None:
        super().__init__(default_timeout)
        self.redis = redis.Redis.from_url(url, decode_responses=True)
        self.keys = BusKeys(namespace)
        self.heartbeat_interval = heartbeat_interval
        self.dead_after = dead_after
        self._claim = self.redis.register_script(_CLAIM)
        self._release = self.redis.register_script(_RELEASE)

    def send(self, command: DeviceCommand, timeout: float | None = None) -> CommandResult:
        """See :meth:`CommandBus.send`; raises :class:`redis.RedisError` when Redis itself is unreachable."""
        timeout = self.default_timeout if timeout is None else float(timeout)
        owner = self.redis.hget(self.keys.devices, command.device_id) or self.protocol_node(command.protocol)
        if owner is None:
            return CommandResult.offline()
        if not self.redis.exists(self.keys.alive(owner)):
            self.release(command.device_id, owner)
            return CommandResult.offline(f"gateway node {owner} is down")
        reply_key = self.keys.reply(command.correlation_id)
        request = {"v": WIRE_VERSION, "command": command.to_dict(), "deadline": time.time() + timeout,
                   "reply_to": reply_key}
        self.push(owner, request, ttl=timeout)
        end = time.monotonic() + timeout
        while (remaining := end - time.monotonic()) > 0.01:
            # Wait in slices so that a node dying mid-command answers OFFLINE, not after the timeout.
            item = self.redis.brpop([reply_key], timeout=min(remaining, 1.0))
            if item is not None:
                return CommandResult.from_json(item[1])
            if not self.redis.exists(self.keys.alive(owner)):
                return CommandResult.offline(f"gateway node {owner} went down")
        return CommandResult.timeout()

    def protocol_node(self, protocol: str) -> str | None:
        """A live node serving every device of ``protocol`` (broker protocols), chosen at random."""
        if not protocol:
            return None
        nodes = list(self.redis.smembers(self.keys.protocol(protocol)))
        random.shuffle(nodes)
        return next((node for node in nodes if self.redis.exists(self.keys.alive(node))), None)

    def push(self, node_id: str, message: dict[str, Any], *, ttl: float = 0) -> None:
        """Queue ``message`` for ``node_id``.

        The queue expires when nobody pushed to it for ``ttl`` + :data:`REPLY_TTL` seconds: everything
        in it would be past its deadline, and a dead node's queue must not live forever.
        """
        queue = self.keys.queue(node_id)
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.lpush(queue, json.dumps(message, ensure_ascii=False))
            pipe.expire(queue, int(ttl) + REPLY_TTL)
            pipe.execute()

    def release(self, device_id: str, node_id: str) -> bool:
        """Remove the device → node mapping if ``node_id`` still owns ``device_id``."""
        return bool(self._release(keys=[self.keys.devices], args=[device_id, node_id]))

    def claim(self, device_id: str, node_id: str) -> str | None:
        """Map ``device_id`` to ``node_id``; return the previous owner (``None`` if there was none)."""
        return self._claim(keys=[self.keys.devices], args=[device_id, node_id])

    def gateway_states(self) -> list[dict[str, Any]]:
        raw = self.redis.hgetall(self.keys.nodes)
        device_counts = Counter(self.redis.hvals(self.keys.devices))
        ids = sorted(raw)
        with self.redis.pipeline(transaction=False) as pipe:
            for node_id in ids:
                pipe.exists(self.keys.alive(node_id))
            alive = pipe.execute()
        states, cutoff = [], datetime.now(timezone.utc) - DEAD_NODE_RETENTION
        for node_id, is_alive in zip(ids, alive):
            try:
                state = json.loads(raw[node_id])
                last_seen = datetime.fromisoformat(state["last_seen"])
            except (ValueError, KeyError, TypeError):
                log.warning("dropping malformed gateway state of node %s", node_id)
                self.redis.hdel(self.keys.nodes, node_id)
                continue
            if not is_alive and last_seen < cutoff:
                self.redis.hdel(self.keys.nodes, node_id)
                continue
            state["alive"] = bool(is_alive)
            state["device_count"] = device_counts.get(node_id, 0)
            states.append(state)
        return states

    def gateway_node(self, node_id: str | None = None) -> "RedisGatewayNode":
        return RedisGatewayNode(self, node_id or default_node_id())

    def close(self) -> None:
        self.redis.close()


class RedisGatewayNode(GatewayNode):
    """A gateway node of :class:`RedisCommandBus`: a heartbeat thread and a request-consumer thread.

    The consumer BRPOPs the node's queue and schedules each request on the gateway's loop, so many
    commands can be in flight at once; replies are pushed from a worker thread, never from the loop.
    """

    def __init__(self, bus: RedisCommandBus, node_id: str) -> None:
        super().__init__(node_id)
        self.bus = bus
        self.keys = bus.keys
        self._instance = uuid.uuid4().hex
        self._lock = threading.Lock()
        self._local: dict[str, tuple[Executor, ReplacedCallback | None]] = {}
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.loop = loop or asyncio.get_running_loop()
        self.started_at = utcnow_iso()
        self._forget_stale_devices()
        self._heartbeat()
        for target, name in ((self._heartbeat_loop, "heartbeat"), (self._consume_loop, "consumer")):
            thread = threading.Thread(target=target, name=f"bus-{name}-{self.node_id}", daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("gateway node %s joined the command bus", self.node_id)

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        self.bus.push(self.node_id, {"v": WIRE_VERSION, "control": "stop", "instance": self._instance})
        for thread in self._threads:
            thread.join(timeout=5)
        with self._lock:
            devices, self._local = list(self._local), {}
        for device_id in devices:
            self.bus.release(device_id, self.node_id)
        for protocol in self.protocol_executors:
            self.bus.redis.srem(self.keys.protocol(protocol), self.node_id)
        self._answer_queued_offline()
        self.bus.redis.delete(self.keys.alive(self.node_id))
        self.bus.redis.hdel(self.keys.nodes, self.node_id)
        log.info("gateway node %s left the command bus", self.node_id)

    def update_state(self, *, listeners: dict[str, str] | None = None) -> None:
        super().update_state(listeners=listeners)
        if self.started_at is not None and not self._stopping.is_set():
            self._heartbeat()

    # -- devices -----------------------------------------------------------------------------------

    def register_device(self, device_id: str, executor: Executor, *,
                        on_replaced: ReplacedCallback | None = None) -> None:
        with self._lock:
            previous = self._local.get(device_id)
            self._local[device_id] = (executor, on_replaced)
            old_owner = self.bus.claim(device_id, self.node_id)
        if previous is not None and previous[0] is not executor:
            self._notify_replaced(device_id, previous[1])
        if old_owner is not None and old_owner != self.node_id and self.bus.redis.exists(self.keys.alive(old_owner)):
            message = {"v": WIRE_VERSION, "control": "release", "device_id": device_id, "new_owner": self.node_id}
            self.bus.push(old_owner, message)

    def unregister_device(self, device_id: str, executor: Executor) -> bool:
        with self._lock:
            current = self._local.get(device_id)
            if current is None or current[0] is not executor:
                return False
            del self._local[device_id]
            self.bus.release(device_id, self.node_id)
        return True

    def device_ids(self) -> list[str]:
        with self._lock:
            return sorted(self._local)

    def register_protocol(self, protocol: str, executor: Executor) -> None:
        super().register_protocol(protocol, executor)
        self.bus.redis.sadd(self.keys.protocol(protocol), self.node_id)

    # -- threads -----------------------------------------------------------------------------------

    def _heartbeat(self) -> None:
        state = self.state(alive=True)
        with self.bus.redis.pipeline(transaction=False) as pipe:
            pipe.set(self.keys.alive(self.node_id), self._instance, px=int(self.bus.dead_after * 1000))
            pipe.hset(self.keys.nodes, self.node_id, json.dumps(state))
            pipe.execute()

    def _heartbeat_loop(self) -> None:
        while not self._stopping.wait(self.bus.heartbeat_interval):
            try:
                self._heartbeat()
            except redis.RedisError:
                log.exception("gateway node %s: heartbeat failed", self.node_id)

    def _consume_loop(self) -> None:
        queue = self.keys.queue(self.node_id)
        while not self._stopping.is_set():
            try:
                item = self.bus.redis.brpop([queue], timeout=1)
            except redis.RedisError:
                log.exception("gateway node %s: reading requests failed", self.node_id)
                self._stopping.wait(1.0)
                continue
            if item is not None:
                self._dispatch(item[1])

    def _dispatch(self, raw: str) -> None:
        try:
            message = json.loads(raw)
            if "control" in message:
                self._control(message)
                return
            command = DeviceCommand.from_dict(message["command"])
            deadline, reply_to = float(message["deadline"]), str(message["reply_to"])
        except (ValueError, KeyError, TypeError):
            log.warning("gateway node %s: malformed bus message %r", self.node_id, raw[:500])
            return
        if deadline <= time.time():
            log.info("dropping command %s for %s: deadline passed", command.correlation_id, command.device_id)
            return
        assert self.loop is not None
        asyncio.run_coroutine_threadsafe(self._execute(command, deadline, reply_to), self.loop)

    def _control(self, message: dict[str, Any]) -> None:
        if message["control"] == "release":
            device_id = message["device_id"]
            if self.bus.redis.hget(self.keys.devices, device_id) == self.node_id:
                return  # re-registered here since; the release is stale
            with self._lock:
                previous = self._local.pop(device_id, None)
            if previous is not None:
                self._notify_replaced(device_id, previous[1])

    async def _execute(self, command: DeviceCommand, deadline: float, reply_to: str) -> None:
        with self._lock:
            registration = self._local.get(command.device_id)
        executor = self.executor_for(command, registration[0] if registration else None)
        if executor is None:
            result = CommandResult.offline()
        else:
            result = await run_executor(executor, command, deadline - time.time())
        await asyncio.to_thread(self._reply, reply_to, result)

    def _reply(self, reply_to: str, result: CommandResult) -> None:
        with self.bus.redis.pipeline(transaction=False) as pipe:
            pipe.lpush(reply_to, result.to_json())
            pipe.expire(reply_to, REPLY_TTL)
            pipe.execute()

    # -- helpers -----------------------------------------------------------------------------------

    def _notify_replaced(self, device_id: str, callback: ReplacedCallback | None) -> None:
        if callback is None or self.loop is None or self.loop.is_closed():
            return
        log.info("device %s taken over by another connection; closing the old one", device_id)
        self.loop.call_soon_threadsafe(callback)

    def _forget_stale_devices(self) -> None:
        """Drop mappings left by an earlier process that used the same node id and died."""
        for device_id, owner in self.bus.redis.hscan_iter(self.keys.devices):
            if owner == self.node_id:
                self.bus.release(device_id, self.node_id)

    def _answer_queued_offline(self) -> None:
        """Answer requests still queued for this stopping node with OFFLINE instead of a timeout."""
        while (raw := self.bus.redis.rpop(self.keys.queue(self.node_id))) is not None:
            try:
                message = json.loads(raw)
                if "control" in message:
                    continue
                self._reply(str(message["reply_to"]), CommandResult.offline("gateway node stopped"))
            except (ValueError, KeyError, TypeError):
                continue
