"""Turning a kind's scoped, filtered statement into the writer's :class:`ChunkQuery` (inside the app).

The statement is compiled for the database's own dialect with SQLAlchemy's public
``construct_expanded_state``: ``IN`` lists are expanded and every parameter goes through its column
type's bind processor here (enums to their stored values, aware datetimes to what the column keeps), so
the writer passes SQL and values straight to the driver without the models.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from chargehub.exports.plan import FIRST_KEY, LAST_KEY, ChunkQuery
from chargehub.extensions import db


def count_rows(statement: sa.Select) -> int:
    """How many rows ``statement`` yields."""
    return db.session.execute(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())).scalar_one()


def chunk_query(statement: sa.Select, key: Any, size: int, dialect: sa.Dialect) -> ChunkQuery:
    """``statement`` paged by ``key`` (descending, ``size`` rows per chunk), compiled for ``dialect``."""
    paged = (statement.where(key < sa.bindparam(LAST_KEY, FIRST_KEY, type_=sa.BigInteger))
             .order_by(key.desc()).limit(size))
    compiled = paged.compile(dialect=dialect)
    state = compiled.construct_expanded_state()
    params = {name: _processor(compiled, state, name, dialect)(value) for name, value in state.parameters.items()}
    positiontup = tuple(state.positiontup) if state.positiontup is not None else None
    return ChunkQuery(sql=state.statement, params=params, positiontup=positiontup)


def _processor(compiled, state, name: str, dialect: sa.Dialect):
    """The bind processor of parameter ``name``: an expanded ``IN`` element's from ``state``, any other
    parameter's from its type (``state.processors`` holds only the expanded ones, so dates, aware times and
    enums would otherwise reach the driver unprocessed)."""
    if name in state.processors:
        return state.processors[name]
    bind = compiled.binds.get(name)
    processor = bind.type.dialect_impl(dialect).bind_processor(dialect) if bind is not None else None
    return processor or (lambda value: value)
