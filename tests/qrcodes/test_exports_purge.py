"""Old exports are purged by the daily periodic job; recent ones stay."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from chargehub.db import utcnow
from chargehub.exports.models import ExportFile, ExportState
from chargehub.exports.service import RETENTION_DAYS, purge_expired
from chargehub.extensions import db, jobs

pytestmark = pytest.mark.smoke


def test_purge_removes_expired_rows_and_files_and_is_registered_daily(app, admin_user):
    folder = Path(app.instance_path) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for age, name in ((RETENTION_DAYS + 1, "old.xlsx"), (1, "new.xlsx")):
        (folder / name).write_bytes(b"PK")
        export = ExportFile(user_id=admin_user.id, kind="gun", filters={}, state=ExportState.DONE,
                            path=f"exports/{name}", created_at=utcnow() - timedelta(days=age))
        db.session.add(export)
        rows.append(export)
    db.session.commit()
    old_id, new_id = rows[0].id, rows[1].id
    assert purge_expired() == 1
    assert not (folder / "old.xlsx").exists() and (folder / "new.xlsx").exists()
    assert db.session.get(ExportFile, old_id) is None and db.session.get(ExportFile, new_id) is not None
    assert purge_expired() == 0  # nothing left to purge; a second run is harmless
    schedule = {job.name: job for job in jobs.periodic_jobs()}
    assert schedule["exports.purge_expired"].daily_at.hour == 3
