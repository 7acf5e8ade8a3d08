"""The one list pattern of the admin API: search filters, sorting and paging.

Every list endpoint takes ``page`` (from 1), ``page_size`` (1–100, default 20) and ``sort``
(a whitelisted field, ``-field`` for descending) next to its own search fields, and answers
``{"items": [...], "total": N, "page": P, "page_size": S}``. ``total`` counts every row matching the
search, so pages can show it.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import marshmallow as ma
import sqlalchemy as sa

from chargehub.config import settings
from chargehub.extensions import db

MAX_PAGE_SIZE = 100


class PageArgs(ma.Schema):
    """Paging and sorting query arguments; list endpoints subclass it with their search fields."""

    class Meta:
        unknown = ma.EXCLUDE

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1), metadata={"description": "页码"})
    page_size = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=MAX_PAGE_SIZE),
                                  metadata={"description": "每页条数"})
    sort = ma.fields.String(load_default=None, metadata={"description": "排序字段，前加 - 为倒序"})


class CreatedRangeArgs(PageArgs):
    """Adds the manual's 创建时间 search: a date range in the operators' time zone (inclusive)."""

    created_from = ma.fields.Date(load_default=None, metadata={"description": "创建时间起 (YYYY-MM-DD)"})
    created_to = ma.fields.Date(load_default=None, metadata={"description": "创建时间止 (YYYY-MM-DD)"})

    @ma.validates_schema
    def _range(self, data, **kwargs):
        if data.get("created_from") and data.get("created_to") and data["created_from"] > data["created_to"]:
            raise ma.ValidationError("开始日期不能晚于结束日期 (start after end)", "created_to")


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A response schema ``{items, total, page, page_size}`` around ``item_schema``."""
    return type(name, (ma.Schema,), {
        "items": ma.fields.List(ma.fields.Nested(item_schema)),
        "total": ma.fields.Integer(),
        "page": ma.fields.Integer(),
        "page_size": ma.fields.Integer(),
    })


def contains(column, value: str | None):
    """Case-insensitive substring condition, or ``None`` when the search field is empty."""
    if value in (None, ""):
        return None
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def equals(column, value: Any):
    """Equality condition, or ``None`` when the search field is empty."""
    return None if value in (None, "") else column == value


def created_between(column, args: Mapping[str, Any]):
    """Conditions for ``created_from`` / ``created_to`` (local dates, inclusive)."""
    zone = ZoneInfo(settings()["TIMEZONE"])
    parts = []
    if args.get("created_from"):
        parts.append(column >= datetime.combine(args["created_from"], time.min, zone))
    if args.get("created_to"):
        parts.append(column < datetime.combine(args["created_to"] + timedelta(days=1), time.min, zone))
    return sa.and_(*parts) if parts else None


def paginate(model, statement: sa.Select, args: Mapping[str, Any], sortable: Mapping[str, Any],
             default_sort: str, filters: list | tuple = ()) -> dict[str, Any]:
    """Apply ``filters`` (``None`` entries are skipped), sorting and paging to a ``select(model)``.

    :param sortable: allowed sort keys -> columns; an unknown key answers 422.
    :param default_sort: the sort used when none is given (``"-created_at"``).
    """
    from flask_smorest import abort  # noqa: PLC0415

    for condition in filters:
        if condition is not None:
            statement = statement.where(condition)
    sort = args.get("sort") or default_sort
    key = sort.lstrip("-")
    if key not in sortable:
        abort(422, message="排序字段无效 (unknown sort field)",
              errors={"query": {"sort": [f"可选: {', '.join(sorted(sortable))}"]}})
    column = sortable[key]
    order = [column.desc() if sort.startswith("-") else column.asc(), model.id.desc()]  # stable pages
    total = db.session.execute(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())).scalar_one()
    page, size = args.get("page", 1), args.get("page_size", 20)
    rows = db.session.execute(statement.order_by(*order).limit(size).offset((page - 1) * size)).scalars().all()
    return {"items": rows, "total": total, "page": page, "page_size": size}
