"""MQTT 账号 of e-bike chargers: issued when a device is added, pushed to the broker, shown to operators.

Every device of an MQTT protocol has its own broker account: the username is its factory id, the
password is random (issued by :func:`issue_password`), kept Fernet-encrypted like plugin secrets and
shown only to operators allowed to manage the device. With ``CHARGEHUB_MQTT_ACCOUNTS=dynsec`` the job
:func:`sync_account` creates, updates, disables or deletes the account on Mosquitto (retried while
the broker is unreachable; the state and last error are shown on the device); with ``none`` the
account is issued but the broker is set up by hand (state 未托管).
"""
from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from chargehub.assets.bike_models import AccountState, BikeDevice
from chargehub.config import settings
from chargehub.db import utcnow
from chargehub.extensions import db, jobs, plugin_host
from chargehub.mqtt.accounts import BrokerAccountError, DynsecAccounts
from chargehub.mqtt.broker import BrokerAddress
from chargehub.plugins.store import secret_box
from chargehub.tenancy.audit_log import record

QUEUE = "default"
RETRY_INTERVALS = (10, 60, 300, 900)


def issue_password(device: BikeDevice) -> str:
    """Give ``device`` a new random password (stored encrypted, state 待同步); the caller commits."""
    password = secrets.token_urlsafe(18)
    device.mqtt_password = secret_box().encrypt({"password": password})
    device.account_state = AccountState.PENDING
    device.account_error = ""
    return password


def device_broker() -> str:
    """The broker address chargers are configured with (never the platform's own account)."""
    config = settings()
    if config["MQTT_DEVICE_URL"]:
        return config["MQTT_DEVICE_URL"]
    if config["MQTT_URL"]:
        return BrokerAddress.parse(config["MQTT_URL"]).endpoint
    host, _, port = config["MQTT_EMBEDDED_LISTEN"].rpartition(":")
    if host in ("", "0.0.0.0", "::", "[::]"):
        host = urlsplit(config["PUBLIC_URL"] or "").hostname or "127.0.0.1"
    return f"mqtt://{host}:{port}"


def credentials(device: BikeDevice) -> dict[str, Any]:
    """What a device is configured with: broker address, client id, username, password, account state."""
    password = secret_box().decrypt(device.mqtt_password).get("password") if device.mqtt_password else None
    return {"broker": device_broker(), "client_id": device.factory_id, "username": device.factory_id, "password": password,
            "state": device.account_state.value, "error": device.account_error,
            "synced_at": device.account_synced_at}


def reset_password(device: BikeDevice) -> dict[str, Any]:
    """重置密码: a new password (the old one stops working once the broker has it); audited."""
    issue_password(device)
    record("bike_device.reset_mqtt_password", target=device)
    db.session.commit()
    schedule_sync(device.id)
    db.session.refresh(device)  # the sync may already have run (in-process jobs)
    return credentials(device)


def schedule_sync(device_id: int) -> None:
    """Queue :func:`sync_account` for the device (call after the commit that changed it)."""
    jobs.enqueue(sync_account, device_id, queue=QUEUE, retries=len(RETRY_INTERVALS),
                 retry_intervals=RETRY_INTERVALS, description=f"sync MQTT account of bike device {device_id}")


def schedule_delete(username: str, protocol: str) -> None:
    """Queue :func:`delete_account` for a deleted device."""
    jobs.enqueue(delete_account, username, protocol, queue=QUEUE, retries=len(RETRY_INTERVALS),
                 retry_intervals=RETRY_INTERVALS, description=f"delete MQTT account {username}")


def _manager() -> DynsecAccounts | None:
    config = settings()
    if config["MQTT_ACCOUNTS"] != "dynsec" or not config["MQTT_URL"]:
        return None
    return DynsecAccounts(BrokerAddress.parse(config["MQTT_URL"]))


def _acl(protocol: str, username: str) -> list[tuple[str, str]] | None:
    provider = plugin_host.platform_providers("device_protocols").get(protocol)
    if provider is None or provider.transport != "mqtt":
        return None
    return provider.device_acl(username)


def sync_account(device_id: int) -> str:
    """Job: make the broker's account of the device match it (password, topics, enabled); return the state.

    Raises :class:`BrokerAccountError` after recording it, so that the job is retried.
    """
    device = db.session.get(BikeDevice, device_id)
    if device is None:
        return "gone"
    if not device.mqtt_password:
        issue_password(device)
    manager, acl = _manager(), _acl(device.protocol, device.factory_id)
    if manager is None or acl is None:
        device.account_state = AccountState.UNMANAGED
        db.session.commit()
        return device.account_state.value
    password = secret_box().decrypt(device.mqtt_password)["password"]
    try:
        manager.upsert(device.factory_id, password, acl, enabled=device.enabled)
    except BrokerAccountError as exc:
        device.account_state = AccountState.FAILED
        device.account_error = str(exc)[:200]
        db.session.commit()
        raise
    device.account_state = AccountState.ACTIVE if device.enabled else AccountState.DISABLED
    device.account_error = ""
    device.account_synced_at = utcnow()
    db.session.commit()
    return device.account_state.value


def delete_account(username: str, protocol: str) -> None:
    """Job: remove a deleted device's account from the broker (nothing to do when unmanaged)."""
    manager = _manager()
    if manager is not None and _acl(protocol, username) is not None:
        manager.delete(username)
