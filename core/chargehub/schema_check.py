"""Refuse to serve on a database whose schema is behind the code."""
from __future__ import annotations

import logging

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import Config

from chargehub.errors import SchemaOutdatedError
from chargehub.extensions import MIGRATIONS_DIR, db


def heads() -> set[str]:
    """The revisions the code expects."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    return set(ScriptDirectory.from_config(config).get_heads())


def current_revisions(app: Flask) -> set[str]:
    """The revisions the database is at (empty for an empty database)."""
    quiet = logging.getLogger("alembic.runtime.migration")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # the check runs at every start; its INFO lines are noise
    try:
        with app.app_context(), db.engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads())
    finally:
        quiet.setLevel(level)


def ensure_schema_current(app: Flask) -> None:
    """Raise :class:`SchemaOutdatedError` naming the command to run when the schema is not current."""
    if not app.config["CHARGEHUB"]["SCHEMA_CHECK"]:
        return
    current, expected = current_revisions(app), heads()
    if current != expected:
        where = "empty" if not current else "at " + ", ".join(sorted(current))
        raise SchemaOutdatedError(
            f"数据库结构不是最新 (the database schema is {where}, the code needs {', '.join(sorted(expected))}). "
            "Run `chargehub db upgrade` first.")


def require_current_schema() -> None:
    """For serving commands: stop with a :class:`click.ClickException` naming the upgrade command."""
    import click  # noqa: PLC0415
    from flask import current_app  # noqa: PLC0415

    try:
        ensure_schema_current(current_app._get_current_object())
    except SchemaOutdatedError as exc:
        raise click.ClickException(str(exc)) from None
