"""``chargehub.db.locking``: a read-then-write under it never loses a concurrent change, on PostgreSQL
(row locks) and on the embedded SQLite (no row locks: the database write lock is taken first)."""
from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from chargehub.db import locking
from chargehub.extensions import db
from chargehub.members.models import Driver

pytestmark = pytest.mark.smoke


def _driver(phone: str) -> int:
    row = Driver(phone=phone, nickname="")
    db.session.add(row)
    db.session.commit()
    return row.id


def test_concurrent_read_then_write_loses_nothing(app):
    """Six threads, each with its own session, read the row under ``locking``, wait, then append their
    letter: all six letters end up there (without the lock the last writer would overwrite the others)."""
    driver_id = _driver("13700000001")
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def worker(letter: str) -> None:
        with app.app_context():
            try:
                barrier.wait()
                row = db.session.execute(locking(db.session, sa.select(Driver).where(Driver.id == driver_id))).scalar_one()
                seen = row.nickname
                time.sleep(0.05)  # a slow service between the read and the write
                row.nickname = seen + letter
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(letter,)) for letter in "abcdef"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    db.session.expire_all()
    assert sorted(db.session.get(Driver, driver_id).nickname) == list("abcdef")


def test_the_lock_itself_changes_nothing(app):
    """Taking the lock (on SQLite a no-op UPDATE) leaves every column as it was, the audit time too."""
    driver_id = _driver("13700000002")
    before = db.session.execute(sa.select(Driver.__table__).where(Driver.id == driver_id)).one()
    db.session.expire_all()
    locked = db.session.execute(locking(db.session, sa.select(Driver).where(Driver.id == driver_id))).scalar_one()
    assert locked.id == driver_id
    db.session.commit()
    after = db.session.execute(sa.select(Driver.__table__).where(Driver.id == driver_id)).one()
    assert after == before


def test_a_locking_read_of_no_rows_is_empty(app):
    statement = locking(db.session, sa.select(Driver).where(Driver.phone == "13700000404"))
    assert db.session.execute(statement).scalars().all() == []
    db.session.rollback()
