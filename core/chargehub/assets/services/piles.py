"""充电桩管理 (3.2.5): add, edit, enable / disable, guns from ``gun_count``, device actions, billing.

Rules:

- a pile goes under an enabled area of an approved, enabled station whose provider and property
  still accept children; its ``factory_id`` is unique (a YKC pile's is its 14-digit pile code);
- its guns are "1号枪" … "N号枪" (N = ``gun_count``, 1–8), created offline; changing ``gun_count``
  adds guns or removes the highest-numbered ones — refused (409) while such a gun is charging;
- a disabled pile gets no guns and its guns are unusable to drivers (:func:`.guns.gun_usable`);
- device actions go through :func:`.common.device_command` (an unconnected pile answers ``offline``).
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

import sqlalchemy as sa

from chargehub.assets.car_models import CarArea, CarStation, Gun, GunState, Pile
from chargehub.assets.services.common import (
    device_command,
    ensure_accepting,
    ensure_owner_accepting,
    ensure_unique,
    next_code,
)
from chargehub.billing.services.pricing import rule_for_area
from chargehub.billing.services.ykc import NO_RULE, billing_settings
from chargehub.config import settings
from chargehub.qrcodes import charge_url, pile_qr_prefix
from chargehub.contracts.devices import CommandResult
from chargehub.errors import Conflict, ValidationFailed
from chargehub.extensions import db
from chargehub.tenancy.audit_log import record
from chargehub.tenancy.scope import get_or_404

CODE_PREFIX = "Z"
MAX_GUNS = 8
YKC_PILE_CODE = re.compile(r"^\d{14}$")
#: Editable after creation (``area_id`` and ``factory_id`` are fixed; ``gun_count`` resizes the guns).
EDITABLE = ("name", "model", "version", "sim", "operation_type", "occupancy_fee", "reservation", "output_current_a",
            "output_power_kw", "output_voltage_v", "current_type", "charging_type", "speed", "installation",
            "protection_class", "communication", "protocol")
#: Device actions of the pile list (重启设备, 同步时钟, 同步二维码, 同步计费规则, 同步热线, 刷新充电桩状态).
COMMANDS = ("reboot", "sync_clock", "sync_qrcode", "sync_billing", "sync_hotline", "refresh_state")
#: Seconds 启用 / 禁用 waits for an online pile to confirm its work parameters.
WORK_PARAMS_TIMEOUT = 5.0


def validate_factory_id(protocol: str, factory_id: str) -> None:
    """A YKC pile identifies itself by its 14-digit pile code: its factory id must be exactly that."""
    if protocol == "ykc" and not YKC_PILE_CODE.match(factory_id or ""):
        raise ValidationFailed("云快充桩的出厂标识须为 14 位数字桩编码 (a YKC pile code has 14 digits)", "factory_id")


def _check_gun_count(count: int) -> None:
    if not 1 <= count <= MAX_GUNS:
        raise ValidationFailed(f"电枪数量须为 1–{MAX_GUNS} (1 to {MAX_GUNS} guns)", "gun_count")


def create_pile(data: Mapping[str, Any]) -> Pile:
    """Add a pile under ``data["area_id"]`` with its guns."""
    area = get_or_404(CarArea, data["area_id"])
    station = db.session.get(CarStation, area.station_id)
    ensure_owner_accepting(station.provider_id, station.property_id, "area_id")
    ensure_accepting(station, "area_id", audited=True)
    ensure_accepting(area, "area_id")
    protocol = data.get("protocol") or "ykc"
    validate_factory_id(protocol, data["factory_id"])
    ensure_unique(Pile, Pile.factory_id, data["factory_id"], "factory_id", label="出厂标识")
    gun_count = data.get("gun_count", 1)
    _check_gun_count(gun_count)
    pile = Pile(provider_id=area.provider_id, property_id=area.property_id, station_id=area.station_id,
                area_id=area.id, code=next_code(Pile, CODE_PREFIX), factory_id=data["factory_id"],
                gun_count=gun_count, protocol=protocol,
                **{k: data[k] for k in EDITABLE if k in data and k != "protocol"})
    db.session.add(pile)
    db.session.flush()
    _add_guns(pile, range(1, gun_count + 1))
    record("pile.create", target=pile, code=pile.code, factory_id=pile.factory_id, gun_count=gun_count)
    db.session.commit()
    return pile


def _add_guns(pile: Pile, numbers: Iterable[int]) -> None:
    for number in numbers:
        db.session.add(Gun(provider_id=pile.provider_id, property_id=pile.property_id, station_id=pile.station_id,
                           area_id=pile.area_id, pile_id=pile.id, number=number, name=f"{number}号枪",
                           state=GunState.OFFLINE))


def _resize_guns(pile: Pile, count: int) -> None:
    """Add guns up to ``count`` or remove the highest-numbered ones (never one that is charging)."""
    _check_gun_count(count)
    if count > pile.gun_count:
        ensure_accepting(pile, "gun_count")
        _add_guns(pile, range(pile.gun_count + 1, count + 1))
    elif count < pile.gun_count:
        doomed = db.session.execute(sa.select(Gun).where(Gun.pile_id == pile.id, Gun.number > count)
                                    .order_by(Gun.number)).scalars().all()
        busy = [g.name for g in doomed if g.state is GunState.CHARGING]
        if busy:
            raise Conflict(f"{'、'.join(busy)}正在充电，不能减少电枪数量，请等待充电结束 "
                           f"(a gun to remove is charging; wait until it finishes)")
        for gun in doomed:
            db.session.delete(gun)
    pile.gun_count = count


def update_pile(pile: Pile, data: Mapping[str, Any]) -> Pile:
    """修改: the editable fields; ``gun_count`` adds or removes guns (a disabled pile gets no new guns)."""
    protocol = data.get("protocol", pile.protocol)
    if protocol != pile.protocol:
        validate_factory_id(protocol, pile.factory_id)
    changed = sorted(k for k in EDITABLE if k in data)
    for key in changed:
        setattr(pile, key, data[key])
    if "gun_count" in data and data["gun_count"] != pile.gun_count:
        _resize_guns(pile, data["gun_count"])
        changed.append("gun_count")
    record("pile.update", target=pile, fields=changed)
    db.session.commit()
    return pile


def set_pile_enabled(pile: Pile, enabled: bool) -> Pile:
    """启用 / 禁用. A disabled pile is 停用 to drivers and gets no new guns; an online pile is also told
    (work parameters: 禁止工作 / 允许工作), and a disabled pile's next login is refused."""
    pile.enabled = enabled
    record("pile.enable" if enabled else "pile.disable", target=pile)
    db.session.commit()
    if pile.online:
        device_command(pile, pile.factory_id, "work_params", {"enabled": enabled, "max_power_percent": 100},
                       timeout=WORK_PARAMS_TIMEOUT)
    return pile


def guns_of(pile_ids: Iterable[int]) -> dict[int, list[Gun]]:
    """The guns of each pile, by number, with one query."""
    result: dict[int, list[Gun]] = {}
    rows = db.session.execute(sa.select(Gun).where(Gun.pile_id.in_(set(pile_ids) or {-1})).order_by(Gun.number))
    for gun in rows.scalars():
        result.setdefault(gun.pile_id, []).append(gun)
    return result


def annotate_piles(piles: Iterable[Pile]) -> list[Pile]:
    """Set ``station_name``, ``area_name`` and ``guns`` (number, name, state, enabled) on each pile."""
    piles = list(piles)
    stations = dict(db.session.execute(sa.select(CarStation.id, CarStation.name).where(
        CarStation.id.in_({p.station_id for p in piles} or {-1}))).all())
    areas = dict(db.session.execute(sa.select(CarArea.id, CarArea.name).where(
        CarArea.id.in_({p.area_id for p in piles} or {-1}))).all())
    guns = guns_of(p.id for p in piles)
    for pile in piles:
        pile.station_name = stations.get(pile.station_id)
        pile.area_name = areas.get(pile.area_id)
        pile.guns = guns.get(pile.id, [])
    return piles


def pile_command(pile: Pile, name: str) -> CommandResult:
    """Send one of :data:`COMMANDS` to the pile; the answer says accepted / rejected / timeout / offline.

    ``sync_hotline`` sends the station's hotline (a protocol that cannot carry it answers ``rejected``
    with the reason), ``sync_qrcode`` the QR prefix (for protocols whose piles append their own code
    and gun number, :func:`chargehub.qrcodes.pile_qr_prefix`) and each gun's charging URL,
    ``refresh_state`` the gun numbers to report, and
    ``sync_billing`` the YKC billing model of the rule in effect for the pile's area (refused with 409
    while there is none or its mode has no YKC model: :func:`chargehub.billing.services.ykc.billing_settings`).
    """
    if name not in COMMANDS:
        raise ValidationFailed(f"不支持的命令 (unknown command); 可选: {', '.join(COMMANDS)}", "name")
    params: dict[str, Any] = {}
    guns = guns_of([pile.id]).get(pile.id, [])
    if name == "sync_hotline":
        params = {"hotline": db.session.get(CarStation, pile.station_id).hotline}
    elif name == "sync_clock":
        params = {"timezone": settings()["TIMEZONE"]}
    elif name == "refresh_state":
        params = {"guns": [g.number for g in guns]}
    elif name == "sync_qrcode":
        params = {"prefix": pile_qr_prefix(), "guns": [{"number": g.number, "url": charge_url("gun", g.qr_token)}
                                                       for g in guns]}
    elif name == "sync_billing":
        params = billing_settings(pile.area_id)
        if params is None:
            if rule_for_area("car", pile.area_id) is None:
                raise Conflict(f"{NO_RULE}，请先添加计费规则 (add a billing rule first)")
            raise Conflict("该计费规则无法下发到充电桩 (the rule's mode has no pile billing model)")
    return device_command(pile, pile.factory_id, name, params)
