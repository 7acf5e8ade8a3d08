"""创建 / 修改 information on every API item: times and the names of who created and changed it."""
from __future__ import annotations

from typing import Iterable

import marshmallow as ma
import sqlalchemy as sa

from chargehub.extensions import db


class AuditFieldsSchema(ma.Schema):
    """Mixed into item schemas of rows that use :class:`chargehub.db.AuditMixin`."""

    created_at = ma.fields.DateTime(dump_only=True, metadata={"description": "创建时间 (UTC)"})
    updated_at = ma.fields.DateTime(dump_only=True, metadata={"description": "修改时间 (UTC)"})
    created_by = ma.fields.Integer(dump_only=True, allow_none=True)
    updated_by = ma.fields.Integer(dump_only=True, allow_none=True)
    created_by_name = ma.fields.String(dump_only=True, allow_none=True, metadata={"description": "创建人"})
    updated_by_name = ma.fields.String(dump_only=True, allow_none=True, metadata={"description": "修改人"})


def annotate_actor_names(rows: Iterable) -> list:
    """Set ``created_by_name`` / ``updated_by_name`` on ``rows`` with one query; return the rows."""
    from chargehub.tenancy.models import User  # noqa: PLC0415

    rows = list(rows)
    ids = {i for r in rows for i in (r.created_by, r.updated_by) if i}
    names = dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    for row in rows:
        row.created_by_name = names.get(row.created_by)
        row.updated_by_name = names.get(row.updated_by)
    return rows


def annotate_names(rows: Iterable, **targets) -> list:
    """Set display names of related rows with one query per relation.

    ``annotate_names(users, provider_name=("provider_id", ServiceProvider))`` sets ``provider_name``
    on each row from its ``provider_id``.
    """
    rows = list(rows)
    for target, (fk, model) in targets.items():
        ids = {getattr(r, fk) for r in rows if getattr(r, fk)}
        names = dict(db.session.execute(sa.select(model.id, model.name).where(model.id.in_(ids))).all()) if ids else {}
        for row in rows:
            setattr(row, target, names.get(getattr(row, fk)))
    return rows


def annotate_columns(rows: Iterable, fk: str, model, **targets: str) -> list:
    """Copy columns of related rows onto ``rows`` with one query (``None`` where the related row is gone).

    ``annotate_columns(records, "pile_id", Pile, pile_code="code", pile_name="name")`` sets ``pile_code``
    and ``pile_name`` on each record from the pile its ``pile_id`` names.
    """
    rows = list(rows)
    ids = {getattr(r, fk) for r in rows if getattr(r, fk)}
    columns = [getattr(model, column) for column in targets.values()]
    found = {row[0]: row[1:] for row in db.session.execute(
        sa.select(model.id, *columns).where(model.id.in_(ids)))} if ids else {}
    for row in rows:
        values = found.get(getattr(row, fk)) or (None,) * len(targets)
        for target, value in zip(targets, values):
            setattr(row, target, value)
    return rows
