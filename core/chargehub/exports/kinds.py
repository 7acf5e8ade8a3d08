"""Export kinds: what a kind contributes (its search, columns and rows) to the one export job.

A kind is an :class:`ExportSource`, registered by name. Core's kinds are named here by import path, so
an rq worker resolves them without importing the API first; plugins add theirs with :func:`register_kind`.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import marshmallow as ma
import sqlalchemy as sa

from chargehub.tenancy.scope import Scope


@dataclass(frozen=True)
class ExportSource:
    """One kind of export.

    :param title: sheet title and file-name prefix (``"电枪二维码"``).
    :param permission: the permission a user needs to ask for it (``"car.gun:qrcode"``).
    :param filters_schema: validates the ``filters`` — the search args of the matching list endpoint.
    :param headers: the sheet's column titles.
    :param statement: ``(filters, scope) -> select`` of the rows: filtered AND scoped; its FIRST column
        must be :attr:`key`, the export pages through it in descending order (keyset paging). Select
        plain columns: the writer receives them as the driver returns them (no model, no type processing).
    :param key: the unique, indexed integer column to page by (the primary key).
    :param row: ``"module:function"`` of ``(result row, public base URL) -> (cell values, QR URL or None)``.
        The writer process imports that module without the app: it may import the standard library and
        lean ChargeHub modules (:mod:`chargehub.qrcodes.links`), never Flask, the models or the extensions.
    :param image_column: 0-based column that gets the embedded QR image (its cell value stays empty).
    :param widths: column widths in characters, in column order.
    """

    title: str
    permission: str
    filters_schema: type[ma.Schema]
    headers: tuple[str, ...]
    statement: Callable[[Mapping[str, Any], Scope], sa.Select]
    key: Any
    row: str
    image_column: int | None = None
    widths: tuple[float, ...] = ()


_KINDS: dict[str, ExportSource | str] = {
    "gun": "chargehub.qrcodes.sources:GUN_QR",
    "socket": "chargehub.qrcodes.sources:SOCKET_QR",
}


def register_kind(name: str, source: ExportSource | str) -> None:
    """Make ``name`` an export kind: an :class:`ExportSource` or its ``"module:attribute"`` path."""
    _KINDS[name] = source


def kind_names() -> list[str]:
    """Every registered kind name, sorted."""
    return sorted(_KINDS)


def get_source(name: str) -> ExportSource:
    """The :class:`ExportSource` of kind ``name``.

    :raises KeyError: for an unknown kind.
    """
    source = _KINDS[name]
    if isinstance(source, str):
        module, _, attribute = source.partition(":")
        source = _KINDS[name] = getattr(importlib.import_module(module), attribute)
    return source
