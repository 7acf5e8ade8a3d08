"""What the export writer process is told: one picklable :class:`ExportPlan` (standard library only).

The plan is built inside the app (scope, filters, the kind's statement compiled for the database's own
driver) and handed to :mod:`chargehub.exports.writer`, which runs without the app. Everything in it is a
plain value, so pickling it needs none of ChargeHub's heavier modules.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: What a kind's row function returns: ``(cell values, URL whose QR image goes into the image column or None)``.
SheetRow = tuple[list[Any], "str | None"]
#: Name of the bind parameter that carries the keyset position (``WHERE key < :export_last_key``).
LAST_KEY = "export_last_key"
#: The keyset position of the first chunk: above every 64-bit integer key.
FIRST_KEY = 2**63 - 1


@dataclass(frozen=True)
class ChunkQuery:
    """One chunk of rows, as SQL for the database driver itself.

    :param sql: the kind's statement plus ``key < :export_last_key ORDER BY key DESC LIMIT n``, in the
        driver's own paramstyle, with every expanded (``IN``) parameter already rendered.
    :param params: the parameters after the column types' bind processing (what the driver receives).
    :param positiontup: the parameter names in order, for positional paramstyles (SQLite), else ``None``.
    """

    sql: str
    params: dict[str, Any]
    positiontup: tuple[str, ...] | None

    def parameters(self, last_key: int) -> dict[str, Any] | tuple[Any, ...]:
        """The driver parameters of the chunk after key ``last_key``."""
        values = {**self.params, LAST_KEY: last_key}
        if self.positiontup is None:
            return values
        return tuple(values[name] for name in self.positiontup)


@dataclass(frozen=True)
class ExportPlan:
    """Everything the writer needs to write one export.

    :param database_url: where to read the rows (the writer opens its own connection).
    :param query: the chunk query; its first column is the integer key the export pages by.
    :param chunk: rows per chunk (the ``LIMIT`` compiled into the query).
    :param row: ``"module:function"`` turning ``(result row, base)`` into ``(cell values, QR URL or None)``;
        its module must import without the app (no Flask, no models).
    :param base: the public base URL the QR links start with.
    :param path: the file to write (the caller renames it when the writer succeeds).
    :param total: how many rows the statement had when the export started (for progress).
    :param embed_images: put a QR PNG in ``image_column`` of every row.
    :param image_limit: quoted in the 说明 sheet written when images are left out.
    """

    database_url: str
    query: ChunkQuery
    chunk: int
    row: str
    base: str
    path: str
    title: str
    headers: tuple[str, ...]
    widths: tuple[float, ...] = ()
    image_column: int | None = None
    total: int = 0
    embed_images: bool = False
    image_limit: int = 0
