"""Parking camera and ground-lock drivers (相机 / 地锁). Registered by ``register_camera_drivers``."""
from __future__ import annotations

from chargehub.contracts.base import Provider


class CameraDriver(Provider):
    """Base of every camera driver; ``identifier`` is stored on each camera record."""

    kind = "camera_drivers"
