"""The YunKuaiChong device protocol: a session factory for the gateway."""
from __future__ import annotations

from chargehub.contracts.devices import DeviceProtocol

from chargehub_ykc.session import YkcSession

__all__ = ["YkcProtocol"]


class YkcProtocol(DeviceProtocol):
    """云快充 (YunKuaiChong V1.5/V1.6) over TCP: piles connect to port 8767 by default and send a
    heartbeat every 10 s per gun."""

    identifier = "ykc"
    verbose_name = "云快充"
    default_port = 8767
    heartbeat_interval = 10.0

    def create_session(self, peer: str) -> YkcSession:
        """A fresh :class:`YkcSession` for the pile at ``peer``."""
        return YkcSession(peer)
