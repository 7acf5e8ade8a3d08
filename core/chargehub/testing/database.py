"""Creating and cleaning the test database (PostgreSQL or SQLite)."""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import make_url


def _psycopg_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


@contextmanager
def temporary_database(server_url: str, tmp_dir: Path) -> Iterator[str]:
    """Yield the URL of a new empty database; drop it afterwards.

    :param server_url: ``sqlite`` or a PostgreSQL URL whose user may create databases.
    """
    if server_url == "sqlite":
        path = tmp_dir / f"chargehub-test-{uuid.uuid4().hex[:8]}.sqlite3"
        yield f"sqlite:///{path}"
        path.unlink(missing_ok=True)
        return
    url = make_url(_psycopg_url(server_url))
    name = f"chargehub_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def clear_tables(engine: sa.Engine, metadata: sa.MetaData) -> None:
    """Delete every row of every table in ``metadata`` (fast reset between tests)."""
    tables = [t.name for t in metadata.sorted_tables]
    if not tables:
        return
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(sa.text(f'DELETE FROM "{table}"'))


def server_description(url: str) -> str:
    """``PostgreSQL 15.19`` / ``SQLite 3.x`` for the pytest header."""
    engine = sa.create_engine(_psycopg_url(url))
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                return "PostgreSQL " + conn.execute(sa.text("SHOW server_version")).scalar().split()[0]
            return "SQLite " + conn.execute(sa.text("select sqlite_version()")).scalar()
    finally:
        engine.dispose()
