"""The gateway's connection registry: device id → its current connection on this node."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from chargehub.devices.gateway.connection import DeviceConnection


class ConnectionRegistry:
    """Identified connections of one gateway; used only from the gateway's event loop."""

    def __init__(self) -> None:
        self._by_device: dict[str, "DeviceConnection"] = {}

    def bind(self, device_id: str, connection: "DeviceConnection") -> "DeviceConnection | None":
        """Make ``connection`` the device's connection; return the one it replaces, if any."""
        previous = self._by_device.get(device_id)
        self._by_device[device_id] = connection
        return previous if previous is not connection else None

    def release(self, device_id: str, connection: "DeviceConnection") -> bool:
        """Forget the device's connection if it is still ``connection``."""
        if self._by_device.get(device_id) is connection:
            del self._by_device[device_id]
            return True
        return False

    def get(self, device_id: str) -> "DeviceConnection | None":
        """The device's current connection on this node."""
        return self._by_device.get(device_id)

    def device_ids(self) -> list[str]:
        """Identified devices connected to this node."""
        return sorted(self._by_device)

    def __len__(self) -> int:
        return len(self._by_device)
