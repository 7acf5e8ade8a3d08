"""Plugin entry point: META, the ``register_device_protocols`` hook and ``chargehub simulate ykc``."""
from __future__ import annotations

from chargehub import PluginLevel, PluginMeta, hookimpl

from chargehub_ykc.protocol import YkcProtocol

META = PluginMeta(
    name="ykc",
    verbose_name="云快充协议 (YunKuaiChong V1.5/V1.6)",
    version="1.0.0",
    category="protocol",
    level=PluginLevel.PLATFORM,
    description="云快充 V1.5/V1.6 充电桩协议：登录、心跳、实时数据、远程启停、交易记录、计费模型、对时、地锁等 "
                "(YunKuaiChong pile protocol over TCP: login, heartbeat, real-time data, remote start/stop, "
                "transaction records, billing models, clock sync, ground locks).",
)


@hookimpl
def register_device_protocols():
    """The YunKuaiChong protocol."""
    return [YkcProtocol]


@hookimpl
def register_commands():
    """``chargehub simulate ykc``: the pile simulator (merged into core's ``simulate`` group)."""
    from chargehub_ykc.simulator.cli import simulate_group  # noqa: PLC0415 - only the CLI needs it

    return [simulate_group]
