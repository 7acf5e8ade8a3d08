"""实时状态: a pile's liveness and its guns' live figures, as the gateway last wrote them.

A gun the pile never reported on has no :class:`~chargehub.devices.models.GunLive` row; its live
figures are then ``None`` (unknown), never zeros that would read as "0 V, 0 A". The helpers
:func:`fault_texts`, :func:`live_values` and :func:`live_rows` serve the e-bike sockets too
(:mod:`.bike_status`).
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from chargehub.assets.car_models import Gun, Pile
from chargehub.devices.models import GunLive
from chargehub.extensions import db

#: The :class:`GunLive` columns a gun entry carries as they are.
LIVE_FIELDS = ("trade_no", "plugged", "voltage_v", "current_a", "power_kw", "soc", "energy_kwh", "amount",
               "charging_minutes", "remaining_minutes", "cable_temp_c", "battery_max_temp_c", "fault_bits",
               "bms", "lock", "last_start", "last_stop", "updated_at")


def fault_texts(faults: Any) -> list[str]:
    """The words of a live row's ``faults`` (``[{"code", "text"}]``); a bare string counts as its text."""
    texts = []
    for fault in faults or ():
        if isinstance(fault, dict):
            text = fault.get("text") or (f"故障码 {fault['code']} (fault code {fault['code']})" if fault.get("code")
                                         is not None else "")
        else:
            text = str(fault)
        if text:
            texts.append(text)
    return texts


def live_values(live: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """``fields`` of a live row as they are, all ``None`` without a row; ``faults`` in words (``[]``)."""
    values = {name: getattr(live, name) if live is not None else None for name in fields}
    values["faults"] = fault_texts(live.faults) if live is not None else []
    return values


def live_rows(key, ids: set[int]) -> dict[int, Any]:
    """The live rows whose ``key`` column (``GunLive.gun_id``...) is one of ``ids``, by that id."""
    if not ids:
        return {}
    rows = db.session.execute(sa.select(key.class_).where(key.in_(ids))).scalars()
    return {getattr(row, key.key): row for row in rows}


def gun_entry(gun: Gun, live: GunLive | None) -> dict[str, Any]:
    """One gun as the status endpoints answer it: the asset's number, name and state plus its live figures."""
    return {"id": gun.id, "number": gun.number, "name": gun.name, "state": gun.state, "enabled": gun.enabled,
            **live_values(live, LIVE_FIELDS)}


def pile_status(pile: Pile) -> dict[str, Any]:
    """The pile's 在线状态, heartbeat, firmware, billing model and its guns (by number) with live figures."""
    guns = db.session.execute(sa.select(Gun).where(Gun.pile_id == pile.id).order_by(Gun.number)).scalars().all()
    live = live_rows(GunLive.gun_id, {g.id for g in guns})
    return {"id": pile.id, "code": pile.code, "name": pile.name, "factory_id": pile.factory_id,
            "online": pile.online, "last_heartbeat_at": pile.last_heartbeat_at,
            "online_changed_at": pile.online_changed_at, "firmware": pile.firmware,
            "billing_model_code": pile.billing_model_code, "guns": [gun_entry(g, live.get(g.id)) for g in guns]}


def gun_status(gun: Gun) -> dict[str, Any]:
    """One gun's entry plus its pile's code, name, online state and last heartbeat."""
    pile = db.session.get(Pile, gun.pile_id)
    entry = gun_entry(gun, live_rows(GunLive.gun_id, {gun.id}).get(gun.id))
    entry.update(pile_id=pile.id, pile_code=pile.code, pile_name=pile.name, factory_id=pile.factory_id,
                 pile_online=pile.online, last_heartbeat_at=pile.last_heartbeat_at,
                 online_changed_at=pile.online_changed_at)
    return entry
