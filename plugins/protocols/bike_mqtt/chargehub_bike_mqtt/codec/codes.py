"""The wire vocabulary of ``docs/protocols/bike-mqtt.md``: message types, enumerations and value ranges.

Ranges the document fixes are quoted from it; the others (marked *chosen*) are generous bounds that keep
impossible values out (a socket drawing 100 kW, a charge lasting a year) without refusing real devices.
"""
from __future__ import annotations

__all__ = [
    "VERSION", "DEVICE_TYPES", "PLATFORM_TYPES", "COMMAND_TYPES", "REPLY_TYPES", "MESSAGE_TYPES",
    "SOCKET_STATES", "OFFLINE_REASONS", "BOOT_KINDS", "END_REASONS", "START_MODES", "REBOOT_MODES",
    "START_REFUSALS", "STOP_REFUSALS", "PARAM_RANGES",
]

#: The protocol major version (envelope ``v``).
VERSION = 1

#: Commands the platform sends on ``down``; each is answered by ``<type>_reply`` on ``reply`` (§5).
COMMAND_TYPES = frozenset({"start", "stop", "refresh", "params", "reboot", "qrcode"})
#: The answers to :data:`COMMAND_TYPES`.
REPLY_TYPES = frozenset(f"{name}_reply" for name in COMMAND_TYPES)
#: Everything a device publishes (§4 and the replies of §5).
DEVICE_TYPES = frozenset({"online", "offline", "heartbeat", "socket_status", "meter", "record", "fault",
                          "time_req"}) | REPLY_TYPES
#: Everything the platform publishes on ``down`` (§5).
PLATFORM_TYPES = frozenset({"welcome", "time", "ack"}) | COMMAND_TYPES
MESSAGE_TYPES = DEVICE_TYPES | PLATFORM_TYPES

SOCKET_STATES = ("idle", "plugged", "charging", "fault", "disabled")
OFFLINE_REASONS = ("lwt", "reboot", "shutdown")
BOOT_KINDS = ("power_on", "reboot", "reconnect")
#: ``record.reason`` (§4.1).
END_REASONS = ("duration", "energy", "amount", "full", "unplugged", "remote", "power_over", "fault", "power_loss")
START_MODES = ("duration", "energy", "amount", "full")
REBOOT_MODES = ("now", "idle")
#: ``start_reply.code`` / ``stop_reply.code`` when ``ok`` is false (§5).
START_REFUSALS = ("busy", "no_load", "fault", "disabled", "bad_params")
STOP_REFUSALS = ("idle", "wrong_order")

MAX_SOCKETS = 12
MAX_ORDER = 32
MAX_DEV = 32
MAX_ID = 64
#: ``ts``, ``now``, ``started_at``, ``ended_at``: Unix seconds that fit 32 unsigned bits (chosen).
MAX_UNIX = 2**32 - 1
FAULT_BITS_MAX = 0xFFFF  # 16 bits, §4.2
VOLTAGE_MAX = 500  # §3: above this is decivolts sent as volts
CURRENT_MAX = 100  # amps per socket (chosen)
SOCKET_POWER_MAX_W = 20_000  # chosen: an e-bike socket draws at most a few kW
DEVICE_POWER_MAX_W = 100_000  # chosen
ENERGY_MAX_WH = 1_000_000  # chosen
DURATION_MAX_S = 30 * 86_400  # chosen
FEN_MAX = 10_000_000  # 100,000 yuan (chosen)
RSSI_RANGE = (-150, 0)  # dBm (chosen)
TEMP_RANGE = (-60, 200)  # °C (chosen)
MAX_TEXT = 200  # reasons, firmware and model names (chosen)
MAX_URL = 512  # QR code prefixes and URLs (chosen)

#: ``params`` fields and their ranges (chosen; the document fixes the names and units).
PARAM_RANGES = {
    "max_current_ma": (0, 100_000),
    "max_power_w": (0, DEVICE_POWER_MAX_W),
    "socket_max_power_w": (0, SOCKET_POWER_MAX_W),
    "full_current_ma": (0, 10_000),
    "full_minutes": (0, 1440),
    "heartbeat_s": (10, 3600),
}
