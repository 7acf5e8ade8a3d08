"""扫码 / 输入桩编号: what a driver finds behind a QR code or a typed pile number, before starting.

Endpoints (a signed-in driver; drivers are not tenant-scoped, so every provider's public stations are
found, and nothing of the admin's is shown):

- ``GET /scan?url=…``: the charging URLs of :mod:`chargehub.qrcodes.links` — ``…/h5/charge/g/<gun token>``,
  ``…/h5/charge/s/<socket token>`` and the pile-drawn ``…/h5/charge/p/<14-digit pile id><2-digit gun>``;
- ``GET /piles/<code>`` (the pile's code or factory id, as typed) and ``GET /bike-devices/<code>``: the
  device with every gun / socket;
- ``GET /guns/<id>``, ``GET /sockets/<id>``: one connector (:func:`connector_view`).

Connectors come from :func:`chargehub.charging.connectors.load_connector` and their availability from
:func:`chargehub.charging.connectors.problem` — the checks the start service makes — plus the running
order on the connector and the rule in force, so what a driver is shown and what a start accepts agree.
A connector under a disabled device, area or station (or an unapproved station) is not found (404); a
disabled gun or socket is shown as unavailable.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from chargehub.app_api.auth import APP_SECURITY, driver_required
from chargehub.app_api.schemas import ConnectorSchema, DeviceLookupSchema, PileLookupSchema, ScanArgs
from chargehub.assets.bike_models import BikeArea, BikeDevice, BikeStation, Socket
from chargehub.assets.car_models import CarArea, CarStation, Gun, Pile
from chargehub.billing.services.pricing import compiled, mode_of, rule_for_area, version_in_force
from chargehub.charging.connectors import BUSY, KINDS, Connector, load_connector, problem
from chargehub.charging.models import ORDER_MODELS
from chargehub.db import utcnow
from chargehub.errors import Conflict
from chargehub.extensions import db
from chargehub.qrcodes.links import KINDS as QR_KINDS, PILE_PREFIX_PATH
from chargehub.qrcodes.pile_links import PILE_GUN
from chargehub.tenancy.models import AuditState

blp = Blueprint("app-lookup", __name__, url_prefix="/api/v1/app",
                description="车主端：扫码、输入桩编号、电枪 / 插座状态与计费 (driver lookups)")

#: What drivers read for each connector state.
STATE_LABELS = {
    "gun": {"offline": "离线", "idle": "空闲", "plugged": "已插枪", "charging": "充电中", "fault": "故障"},
    "socket": {"offline": "离线", "idle": "空闲中", "plugged": "已插入", "charging": "充电中", "fault": "故障"},
}
UNKNOWN_QR = "二维码无效或设备不存在 (unknown QR code)"
NOT_FOUND = {"gun": "电枪不存在或已停用 (no such gun)", "socket": "插座不存在或已停用 (no such socket)",
             "pile": "充电桩不存在或已停用，请核对桩编号 (no such pile)",
             "device": "设备不存在或已停用，请核对设备编号 (no such device)"}
_SCAN_PATH = re.compile(r"^/h5/charge/(?P<letter>[gsp])/(?P<token>[A-Za-z0-9_-]{1,64})/?$")
_LETTER_KINDS = {letter: kind for kind, letter in QR_KINDS.items()}
#: ``…/h5/charge/p/<pile factory id><gun number>``: the code a pile draws after the pushed prefix.
_PILE_LETTER = PILE_PREFIX_PATH.rstrip("/").rsplit("/", 1)[-1]


# ----------------------------------------------------------------------------------------- service


@dataclass(frozen=True)
class RuleInForce:
    """The rule of an area as drivers see it: the row (``None`` without one), its view, and the reason
    it cannot be used (``None`` when it can)."""

    rule: Any
    view: dict | None
    problem: str | None


def rule_in_force(side: str, area_id: int, at: datetime | None = None) -> RuleInForce:
    """The enabled rule of the area with a version in force at ``at`` (default now), described in words
    with its options (car: 预充值 amounts; e-bike: 预估值 minutes + amount)."""
    at = at or utcnow()
    rule = rule_for_area(side, area_id, at)
    if rule is None:
        return RuleInForce(None, None, None)  # problem() words the missing rule
    view = {"id": rule.id, "name": rule.name, "mode": rule.mode, "mode_name": rule.mode,
            "options": list(rule.options or [])}
    try:
        version = version_in_force(rule, at)
        mode = mode_of(version)
        view.update(mode=version.mode, mode_name=mode.verbose_name,
                    text=mode.describe(compiled(mode, version.params, version.id)[0]))
    except Conflict as exc:  # the mode's plugin is off: shown, but nobody can start under it
        return RuleInForce(rule, {**view, "text": str(exc)}, str(exc))
    return RuleInForce(rule, view, None)


def _chain_shown(device, area, station) -> bool:
    """Whether drivers may see a device at all: it, its area and its station enabled, the station approved."""
    return bool(device.enabled and area.enabled and station.enabled and station.audit_state is AuditState.APPROVED)


def _address(station) -> str:
    return "".join(part for part in (station.province, station.city, station.district, station.address) if part)


def station_view(station) -> dict:
    """A station as drivers see it: id, name, full address, service phone, business hours."""
    phone = (getattr(station, "hotline", "") or getattr(station, "contact_phone", "")
             or getattr(station, "service_phone", ""))
    return {"id": station.id, "name": station.name, "address": _address(station), "phone": phone or "",
            "business_hours": station.business_hours}


def device_view(device) -> dict:
    """A pile or an e-bike charger as drivers see it."""
    view = {"id": device.id, "code": device.code, "name": device.name, "factory_id": device.factory_id,
            "online": bool(device.online)}
    if isinstance(device, Pile):
        view.update(speed=device.speed.value, current_type=device.current_type.value, power_kw=device.output_power_kw)
    else:
        view.update(position=device.position)
    return view


def _running_keys(connectors: list[Connector]) -> set[str]:
    """``active_key`` values among ``connectors`` that have a running order (one query per side)."""
    keys: set[str] = set()
    for side in {c.side for c in connectors}:
        model = ORDER_MODELS[side]
        wanted = {c.active_key for c in connectors if c.side == side}
        keys.update(db.session.execute(sa.select(model.active_key).where(model.active_key.in_(wanted))).scalars())
    return keys


def describe(connectors: Iterable[Connector]) -> list[dict]:
    """The driver's view of each connector (see :class:`~chargehub.app_api.schemas.ConnectorSchema`)."""
    connectors = list(connectors)
    rules: dict[tuple[str, int], RuleInForce] = {}
    running = _running_keys(connectors) if connectors else set()
    views = []
    for connector in connectors:
        key = (connector.side, connector.area.id)
        if key not in rules:
            rules[key] = rule_in_force(*key)
        found = rules[key]
        reason = problem(connector, rule=found.rule) or found.problem
        if reason is None and connector.active_key in running:
            reason = BUSY
        part, state = connector.part, connector.part.state.value
        views.append({
            "kind": connector.kind, "id": part.id, "number": part.number,
            "name": (part.name or f"{part.number}号枪") if connector.kind == "gun" else f"{part.number}号插座",
            "state": state, "state_label": STATE_LABELS[connector.kind].get(state, state),
            "online": bool(connector.device.online), "available": reason is None, "unavailable_reason": reason,
            "station": station_view(connector.station), "area": {"id": connector.area.id, "name": connector.area.name},
            ("pile" if connector.kind == "gun" else "device"): device_view(connector.device),
            "rule": found.view,
        })
    return views


def connector_view(kind: str, connector_id: int, not_found: str | None = None) -> dict:
    """The driver's view of gun (``kind="gun"``) or socket (``"socket"``) ``connector_id``: state and its
    label, ``online``, ``available`` / ``unavailable_reason``, station, area, pile or device, and the rule in
    force with its options. Aborts 404 (``not_found`` or a default message) when it is missing or hidden."""
    connector = load_connector(kind, connector_id)
    if connector is None or not _chain_shown(connector.device, connector.area, connector.station):
        abort(404, message=not_found or NOT_FOUND[kind])
    return describe([connector])[0]


def resolve_scan(url: str) -> tuple[str, int] | None:
    """``(kind, id)`` of the gun or socket behind a charging URL (any host), or ``None``."""
    match = _SCAN_PATH.match(unquote(urlsplit(url.strip()).path))
    if match is None:
        return None
    token = match["token"]
    if match["letter"] == _PILE_LETTER:
        pile_gun = PILE_GUN.match(token)
        if pile_gun is None:
            return None
        gun_id = db.session.execute(sa.select(Gun.id).join(Pile, Pile.id == Gun.pile_id).where(
            Pile.factory_id == pile_gun["pile"], Gun.number == int(pile_gun["gun"]))).scalar_one_or_none()
        return ("gun", gun_id) if gun_id is not None else None
    kind = _LETTER_KINDS[match["letter"]]
    model = Gun if kind == "gun" else Socket
    found = db.session.execute(sa.select(model.id).where(model.qr_token == token)).scalar_one_or_none()
    return (kind, found) if found is not None else None


def _device_lookup(kind: str, code: str) -> dict:
    """A pile (``kind="gun"``) or an e-bike charger (``"socket"``) by code or factory id, with its connectors."""
    device_model, area_model, station_model, part_model, fk, label = (
        (Pile, CarArea, CarStation, Gun, Gun.pile_id, "pile") if kind == "gun"
        else (BikeDevice, BikeArea, BikeStation, Socket, Socket.device_id, "device"))
    code = code.strip()
    row = db.session.execute(
        sa.select(device_model, area_model, station_model)
        .join(area_model, area_model.id == device_model.area_id)
        .join(station_model, station_model.id == device_model.station_id)
        .where(sa.or_(device_model.code == code, device_model.factory_id == code))
        .order_by(sa.case((device_model.code == code, 0), else_=1)).limit(1)).first()
    if row is None:
        abort(404, message=NOT_FOUND[label])
    device, area, station = row
    if not _chain_shown(device, area, station):
        abort(404, message=NOT_FOUND[label])
    parts = db.session.execute(sa.select(part_model).where(fk == device.id).order_by(part_model.number)).scalars()
    views = describe(Connector(kind, part, device, area, station) for part in parts)
    rule = views[0]["rule"] if views else rule_in_force(KINDS[kind], area.id).view
    return {label: device_view(device), "station": station_view(station), "area": {"id": area.id, "name": area.name},
            "rule": rule, "guns" if kind == "gun" else "sockets": views}


# ----------------------------------------------------------------------------------------- views


@blp.route("/scan")
class Scan(MethodView):
    @blp.doc(security=APP_SECURITY, summary="扫码：充电链接对应的电枪 / 插座")
    @blp.arguments(ScanArgs, location="query")
    @blp.response(200, ConnectorSchema)
    @driver_required
    def get(self, args):
        """The gun or socket behind a scanned charging URL (``/h5/charge/g|s|p/…``), as ``GET /guns/<id>`` /
        ``GET /sockets/<id>`` answer; 404 "二维码无效或设备不存在" for anything else."""
        found = resolve_scan(args["url"])
        if found is None:
            abort(404, message=UNKNOWN_QR)
        return connector_view(*found, not_found=UNKNOWN_QR)


@blp.route("/piles/<code>")
class PileByCode(MethodView):
    @blp.doc(security=APP_SECURITY, summary="输入桩编号：充电桩及其电枪")
    @blp.response(200, PileLookupSchema)
    @driver_required
    def get(self, code: str):
        """A car pile by its code or factory id (as typed), with its station, the rule in force and every gun."""
        return _device_lookup("gun", code)


@blp.route("/bike-devices/<code>")
class BikeDeviceByCode(MethodView):
    @blp.doc(security=APP_SECURITY, summary="输入设备编号：单车充电设备及其插座")
    @blp.response(200, DeviceLookupSchema)
    @driver_required
    def get(self, code: str):
        """An e-bike charger by its code or factory id, with its station, the rule in force and every socket."""
        return _device_lookup("socket", code)


@blp.route("/guns/<int:gun_id>")
class GunView(MethodView):
    @blp.doc(security=APP_SECURITY, summary="电枪状态与计费")
    @blp.response(200, ConnectorSchema)
    @driver_required
    def get(self, gun_id: int):
        """A gun: state, availability (and why not), station, pile, the rule in force with its 预充值 amounts."""
        return connector_view("gun", gun_id)


@blp.route("/sockets/<int:socket_id>")
class SocketView(MethodView):
    @blp.doc(security=APP_SECURITY, summary="插座状态与计费")
    @blp.response(200, ConnectorSchema)
    @driver_required
    def get(self, socket_id: int):
        """A socket: state, availability (and why not), station, device, the rule in force with its 预估值."""
        return connector_view("socket", socket_id)
