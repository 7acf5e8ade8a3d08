"""Settings: ``CHARGEHUB_*`` environment variables, the instance folder and explicit overrides.

Precedence (highest first): the ``config`` mapping given to :func:`chargehub.app.create_app`,
``CHARGEHUB_*`` environment variables, then the defaults below. Only the database URL, the secret key
and the secrets-encryption key touch the instance folder: with nothing configured, ChargeHub runs on a
SQLite file there and generates both keys once, keeping them there (mode 0600).

Environment variables (all optional):

``CHARGEHUB_INSTANCE_PATH``     instance folder (default: Flask's, ``<prefix>/var/chargehub-instance``)
``CHARGEHUB_DATABASE_URL``      SQLAlchemy URL (default ``sqlite:///<instance>/chargehub.sqlite3``)
``CHARGEHUB_REDIS_URL``         Redis; enables rq jobs, the Redis command bus and shared device state
``CHARGEHUB_REDIS_NAMESPACE``   prefix of every Redis key and queue name (default ``chargehub``)
``CHARGEHUB_MQTT_URL``          MQTT broker, ``mqtt://user:pass@host:1883`` (``mqtts://`` for TLS); unset: the
                                embedded platform (``chargehub run``) starts its own broker
``CHARGEHUB_MQTT_DEVICE_URL``   the broker address chargers are configured with, when it differs from the
                                platform's (a public name, a TLS port); default: CHARGEHUB_MQTT_URL without its
                                account, or the embedded broker's port on CHARGEHUB_PUBLIC_URL's host
``CHARGEHUB_MQTT_EMBEDDED_LISTEN``  where that embedded broker listens (default ``0.0.0.0:1884``)
``CHARGEHUB_MQTT_ACCOUNTS``     ``dynsec``: push each device's own broker account to Mosquitto's dynamic security
                                plugin (the ``CHARGEHUB_MQTT_URL`` account must be a dynsec admin); ``none``
                                (default): credentials are issued and shown, the broker is set up by hand
``CHARGEHUB_MQTT_SHARED_GROUP`` shared-subscription group of the gateway nodes (default ``chargehub-gateway``;
                                ``none``: plain subscriptions, for a broker without shared subscriptions; the
                                embedded broker never uses them)
``CHARGEHUB_SECRET_KEY``        Flask secret key (default: generated into ``<instance>/secret_key``)
``CHARGEHUB_SECRETS_KEYS``      comma-separated Fernet keys for plugin secrets, newest first
                                (default: generated into ``<instance>/secrets.key``)
``CHARGEHUB_TIMEZONE``          operators' time zone (default ``Asia/Shanghai``)
``CHARGEHUB_LANGUAGE``          default UI language (default ``zh-CN``)
``CHARGEHUB_PLUGIN_AUTOLOAD``   ``0`` to skip entry-point discovery (tests) (default ``1``)
``CHARGEHUB_PLUGINS``           comma-separated extra plugin modules to register by import path
``CHARGEHUB_JOBS_EAGER``        ``1`` runs in-process jobs synchronously (tests, one-off scripts)
``CHARGEHUB_LOG_FORMAT``        ``json`` (default) or ``text``
``CHARGEHUB_LOG_LEVEL``         default ``INFO``
``CHARGEHUB_GATEWAY_NODE``      this gateway process's node id (default: ``<hostname>-<pid>``)
``CHARGEHUB_GATEWAY_LISTEN``    where each protocol listens: ``ykc=0.0.0.0:8767,bike=127.0.0.1:0``
                                (default ``0.0.0.0:<protocol's default port>``)
``CHARGEHUB_GATEWAY_MISSED_HEARTBEATS``  a device silent for this many heartbeat periods is offline
                                (default ``3``)
``CHARGEHUB_COMMAND_TIMEOUT``   seconds a device command waits for its reply (default ``15``)
``CHARGEHUB_PUBLIC_URL``        public base URL of the driver pages in QR codes, ``https://charge.example.com``
                                (default: the host of the request that asks)
``CHARGEHUB_EXPORT_IMAGE_LIMIT``  exports with at most this many rows embed QR images; larger ones carry
                                the QR URL only (default ``2000``; see docs/decisions/0006-qr-exports.md)
``CHARGEHUB_APP_FREE_CHARGING``  ``1`` lets drivers start with the ``free`` pay method (test mode: nothing is
                                collected; the demo turns it on) (default ``0``)
``CHARGEHUB_ORDER_START_TIMEOUT``  seconds a start may stay unconfirmed before the order is 订单异常 (default ``90``)
``CHARGEHUB_ORDER_SUSPEND_AFTER``  seconds a charging order's device may be offline before the order is 挂起
                                (default ``180``)
``CHARGEHUB_ORDER_SWEEP_EVERY``  seconds between order sweeps (start timeouts, 挂起, automatic stops) (default ``30``)
``CHARGEHUB_ORDER_COMMAND_WAIT``  seconds the driver API waits for a device's answer to a start or stop (default ``15``)
``CHARGEHUB_PAYMENT_TIMEOUT``    seconds a driver has to pay a prepaid amount before the payment is closed and the order
                                is 订单异常 (default ``300``)
``CHARGEHUB_PAYMENT_SWEEP_EVERY``  seconds between payment sweeps (queries of unconfirmed payments, refunds and
                                splits) (default ``30``)
``CHARGEHUB_PAYMENT_NOTIFY_URL``  base URL the payment vendors post their notifications to (default: PUBLIC_URL,
                                else the address the driver's request came to)
``CHARGEHUB_SMS_CODE_TTL``       seconds a driver's sign-in code stays valid (default ``300``)
``CHARGEHUB_SMS_CODE_INTERVAL``  seconds before another code may be sent to the same phone (default ``60``)
``CHARGEHUB_SMS_CODES_PER_DAY``  codes one phone may receive in 24 hours (default ``10``)
``CHARGEHUB_SMS_CODES_PER_ADDRESS``  codes one client address may ask for in an hour (default ``30``)
``CHARGEHUB_SMS_CODE_ATTEMPTS``  wrong entries a code survives before it is void (default ``5``)
``CHARGEHUB_APP_TOKEN_DAYS``     days a driver's app sign-in (Bearer token) lasts (default ``30``)
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.fernet import Fernet

ENV_PREFIX = "CHARGEHUB_"

#: Settings read from the environment: name -> (parser, default). ``None`` means "unset".
_BOOL = lambda v: str(v).strip().lower() in {"1", "true", "yes", "on"}  # noqa: E731
_SETTINGS: dict[str, tuple[Any, Any]] = {
    "DATABASE_URL": (str, None),
    "REDIS_URL": (str, None),
    "REDIS_NAMESPACE": (str, "chargehub"),
    "MQTT_URL": (str, None),
    "MQTT_DEVICE_URL": (str, None),
    "MQTT_EMBEDDED_LISTEN": (str, "0.0.0.0:1884"),
    "MQTT_ACCOUNTS": (str, "none"),
    "MQTT_SHARED_GROUP": (str, "chargehub-gateway"),
    "SECRET_KEY": (str, None),
    "SECRETS_KEYS": (str, None),
    "TIMEZONE": (str, "Asia/Shanghai"),
    "LANGUAGE": (str, "zh-CN"),
    "PLUGIN_AUTOLOAD": (_BOOL, True),
    "PLUGINS": (str, ""),
    "JOBS_EAGER": (_BOOL, False),
    "LOG_FORMAT": (str, "json"),
    "LOG_LEVEL": (str, "INFO"),
    "GATEWAY_NODE": (str, None),
    "GATEWAY_LISTEN": (str, ""),
    "GATEWAY_MISSED_HEARTBEATS": (float, 3.0),
    "COMMAND_TIMEOUT": (float, 15.0),
    "SCHEMA_CHECK": (_BOOL, True),
    "PUBLIC_URL": (str, None),
    "EXPORT_IMAGE_LIMIT": (int, 2000),
    "SMS_CODE_TTL": (int, 300),
    "SMS_CODE_INTERVAL": (int, 60),
    "SMS_CODES_PER_DAY": (int, 10),
    "SMS_CODES_PER_ADDRESS": (int, 30),
    "SMS_CODE_ATTEMPTS": (int, 5),
    "APP_TOKEN_DAYS": (int, 30),
    "APP_FREE_CHARGING": (_BOOL, False),
    "ORDER_START_TIMEOUT": (float, 90.0),
    "ORDER_SUSPEND_AFTER": (float, 180.0),
    "ORDER_SWEEP_EVERY": (int, 30),
    "ORDER_COMMAND_WAIT": (float, 15.0),
    "PAYMENT_TIMEOUT": (float, 300.0),
    "PAYMENT_SWEEP_EVERY": (int, 30),
    "PAYMENT_NOTIFY_URL": (str, None),
}

SUPPORTED_LANGUAGES = ("zh-CN", "en")


class ConfigError(RuntimeError):
    """A setting has a value ChargeHub cannot use; the message names the variable."""


def read_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return every known setting from ``CHARGEHUB_*`` variables (parsed) or its default."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name, (parse, default) in _SETTINGS.items():
        raw = environ.get(ENV_PREFIX + name)
        if raw is None or raw == "":
            values[name] = default
            continue
        try:
            values[name] = parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{ENV_PREFIX}{name}={raw!r} is not valid: {exc}") from exc
    return values


def _read_or_create(path: Path, make: Any) -> str:
    """Read a key file, creating it (0600) with ``make()`` the first time."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


def finalize(values: dict[str, Any], instance_path: str) -> dict[str, Any]:
    """Fill instance-folder defaults, validate, and return the Flask config mapping.

    Every key is stored both under its plain name in ``CHARGEHUB`` and, where Flask or an extension
    reads it, under that extension's key (``SQLALCHEMY_DATABASE_URI``, ``SECRET_KEY``).
    """
    instance = Path(instance_path)
    if not values.get("DATABASE_URL"):
        instance.mkdir(parents=True, exist_ok=True)
        values["DATABASE_URL"] = f"sqlite:///{instance / 'chargehub.sqlite3'}"
    if not values.get("SECRET_KEY"):
        values["SECRET_KEY"] = _read_or_create(instance / "secret_key", lambda: secrets.token_hex(32))
    if not values.get("SECRETS_KEYS"):
        values["SECRETS_KEYS"] = _read_or_create(instance / "secrets.key", lambda: Fernet.generate_key().decode())
    try:
        ZoneInfo(values["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{ENV_PREFIX}TIMEZONE={values['TIMEZONE']!r} is not a known time zone") from exc
    if values["LANGUAGE"] not in SUPPORTED_LANGUAGES:
        raise ConfigError(f"{ENV_PREFIX}LANGUAGE must be one of {', '.join(SUPPORTED_LANGUAGES)}")
    if values["MQTT_ACCOUNTS"] not in ("none", "dynsec"):
        raise ConfigError(f"{ENV_PREFIX}MQTT_ACCOUNTS must be 'none' or 'dynsec'")
    if values["MQTT_URL"]:
        from chargehub.mqtt.broker import BrokerAddress  # noqa: PLC0415 - keeps config import-light

        try:
            BrokerAddress.parse(values["MQTT_URL"])
        except ValueError as exc:
            raise ConfigError(f"{ENV_PREFIX}MQTT_URL: {exc}") from exc
    if values["LOG_FORMAT"] not in ("json", "text"):
        raise ConfigError(f"{ENV_PREFIX}LOG_FORMAT must be 'json' or 'text'")
    if values["DATABASE_URL"].startswith("postgres://"):
        values["DATABASE_URL"] = "postgresql://" + values["DATABASE_URL"][len("postgres://"):]
    if values["DATABASE_URL"].startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        values["DATABASE_URL"] = "postgresql+psycopg://" + values["DATABASE_URL"][len("postgresql://"):]
    return {
        "CHARGEHUB": values,
        "SECRET_KEY": values["SECRET_KEY"],
        "SQLALCHEMY_DATABASE_URI": values["DATABASE_URL"],
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "API_TITLE": "ChargeHub",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "JSON_AS_ASCII": False,
    }


def settings(app=None) -> dict[str, Any]:
    """The ``CHARGEHUB`` settings mapping of ``app`` (default: the current app)."""
    if app is None:
        from flask import current_app as app  # noqa: PLC0415 - avoid import cycles at module load
    return app.config["CHARGEHUB"]
