"""Rows of the QR-code exports, as the export writer process calls them (imports nothing of the app).

A row is what :func:`chargehub.qrcodes.sources.gun_statement` / ``socket_statement`` select:
``(id, station name, qr_token, factory id, pile or device name, number, pile or device code)``.
"""
from __future__ import annotations

from typing import Any

from chargehub.exports.plan import SheetRow
from chargehub.qrcodes.links import charge_url


def asset_code(parent_code: str, number: int) -> str:
    """The printed code of a gun or socket: its pile's / device's code and its two-digit number."""
    return f"{parent_code}-{number:02d}"


def _sheet_row(kind: str, record: Any, base: str) -> SheetRow:
    _id, station, token, factory_id, parent_name, number, parent_code = record
    url = charge_url(kind, token, base)
    return [station, None, url, factory_id, parent_name, number, asset_code(parent_code, number)], url


def gun_row(record: Any, base: str) -> SheetRow:
    """One gun of the 电枪二维码 export: station, (image), URL, factory id, pile, gun number, code."""
    return _sheet_row("gun", record, base)


def socket_row(record: Any, base: str) -> SheetRow:
    """One socket of the 插座二维码 export: station, (image), URL, factory id, device, socket number, code."""
    return _sheet_row("socket", record, base)
