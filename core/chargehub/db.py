"""Database base classes: the declarative base, the audit mixin, and column types used everywhere.

Every business table inherits :class:`AuditMixin` (created/updated at and by). The ``*_by`` columns are
filled from the signed-in user of the current request or job (see :func:`set_actor`) by one
``before_flush`` listener, so no service has to remember to set them.
"""
from __future__ import annotations

import contextvars
from datetime import datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

#: Naming convention so Alembic autogenerate yields stable, portable constraint names.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: JSON that is JSONB on PostgreSQL and JSON text elsewhere.
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def Money(**kwargs) -> Mapped[Decimal]:  # noqa: N802 - reads like a column type
    """A money column in yuan: ``Numeric(14, 2)``, never a float."""
    return mapped_column(sa.Numeric(14, 2, asdecimal=True), **kwargs)


def utcnow() -> datetime:
    """Timezone-aware now in UTC; the only clock business code should read."""
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC timestamp on every backend (SQLite keeps no zone, so we restore it)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use chargehub.db.utcnow()")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    """Declarative base of every ChargeHub model."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


_actor: contextvars.ContextVar[int | None] = contextvars.ContextVar("chargehub_actor", default=None)


def set_actor(user_id: int | None) -> contextvars.Token:
    """Make ``user_id`` the author of rows created or changed from now on in this context."""
    return _actor.set(user_id)


def reset_actor(token: contextvars.Token) -> None:
    """Undo the :func:`set_actor` call that returned ``token``."""
    _actor.reset(token)


def current_actor() -> int | None:
    """The user id that audit columns are being filled with, or ``None`` (system)."""
    return _actor.get()


class AuditMixin:
    """创建/修改信息: created and updated time and author on every business table."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)
    created_by: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    updated_by: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)


@sa.event.listens_for(Session, "before_flush")
def _fill_audit_authors(session: Session, flush_context, instances) -> None:
    actor = _actor.get()
    if actor is None:
        return
    for obj in session.new:
        if isinstance(obj, AuditMixin):
            if obj.created_by is None:
                obj.created_by = actor
            obj.updated_by = actor
    for obj in session.dirty:
        if isinstance(obj, AuditMixin) and session.is_modified(obj, include_collections=False):
            obj.updated_by = actor


def locking(session: Session, statement: sa.Select) -> sa.Select:
    """``statement`` (a SELECT of one mapped entity) as a locking read, for a read-then-write that must not
    race: ``FOR UPDATE``, and the rows re-read into the session even when it already holds them.

    PostgreSQL locks the rows until the transaction ends; a concurrent locker waits and then sees the
    committed change. SQLite has no row locks and ignores ``FOR UPDATE``, and two of its transactions can
    both read a row before either writes (both would then act on the old state). There this first runs a
    no-op ``UPDATE`` of the same rows, which takes the database's write lock: other writers wait until this
    transaction ends, and the rows read are the latest committed. Columns with an ``onupdate`` (the audit
    ``updated_at``) are set to themselves, so nothing changes.
    """
    entity = statement.column_descriptions[0]["entity"]
    if session.get_bind().dialect.name == "sqlite":
        table = sa.inspect(entity).local_table
        keep = {column: column for column in table.columns if column.primary_key or column.onupdate is not None}
        noop = sa.update(table).values(keep)
        if statement.whereclause is not None:
            noop = noop.where(statement.whereclause)
        session.execute(noop, execution_options={"synchronize_session": False})
    return statement.with_for_update().execution_options(populate_existing=True)
