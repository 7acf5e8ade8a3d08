"""The plugin module: META, the hook and the protocol class."""
from __future__ import annotations

import chargehub_ykc.plugin
from chargehub import PluginLevel
from chargehub.contracts.devices import DeviceProtocol

from chargehub_ykc.protocol import YkcProtocol
from chargehub_ykc.session import YkcSession


def test_meta():
    meta = chargehub_ykc.plugin.META
    meta.validate()
    assert (meta.name, meta.verbose_name, meta.category, meta.level) == (
        "ykc", "云快充协议 (YunKuaiChong V1.5/V1.6)", "protocol", PluginLevel.PLATFORM)


def test_hook_registers_the_protocol_class():
    assert chargehub_ykc.plugin.register_device_protocols() == [YkcProtocol]
    assert issubclass(YkcProtocol, DeviceProtocol)
    assert (YkcProtocol.identifier, YkcProtocol.verbose_name, YkcProtocol.default_port,
            YkcProtocol.heartbeat_interval, YkcProtocol.transport) == ("ykc", "云快充", 8767, 10.0, "tcp")


def test_protocol_creates_independent_sessions():
    protocol = YkcProtocol({})
    first, second = protocol.create_session("10.0.0.1:1"), protocol.create_session("10.0.0.2:2")
    assert isinstance(first, YkcSession) and first is not second
    assert (first.peer, first.device_id, first.reply_expected(None)) == ("10.0.0.1:1", None, True)


def test_entry_point_is_declared():
    from importlib.metadata import entry_points

    (entry,) = [e for e in entry_points(group="chargehub.plugins") if e.name == "ykc"]
    assert entry.value == "chargehub_ykc.plugin" and entry.load() is chargehub_ykc.plugin
