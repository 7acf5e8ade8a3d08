"""Starting an export and the job that writes it (the ONE export helper of ChargeHub).

``start_export(kind, filters, user)`` validates the filters, records an :class:`ExportFile` and
enqueues :func:`run_export` on the ``exports`` queue. The job reads the rows with the requesting
user's scope (computed again when it runs), writes the .xlsx under ``<instance>/exports/``, reports
progress both on the row (``progress``, ``rows``: what the API shows, in any process) and through
:func:`chargehub.jobs.set_progress`, and ends ``done`` or ``failed``. Running it again after ``done``
does nothing, so at-least-once delivery is harmless.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import current_app

from chargehub.config import settings
from chargehub.db import utcnow
from chargehub.errors import ValidationFailed
from chargehub.exports.kinds import get_source, kind_names
from chargehub.exports.models import ExportFile, ExportState
from chargehub.extensions import db, jobs
from chargehub.jobs import set_progress
from chargehub.jobs.base import describe_error
from chargehub.qrcodes.links import base_url
from chargehub.tenancy.models import User
from chargehub.tenancy.scope import scope_of

EXPORT_DIR = "exports"
QUEUE = "exports"
#: Finished exports (rows and files) are kept this many days, then purged by the daily job.
RETENTION_DAYS = 7


def clean_filters(kind: str, filters: Mapping[str, Any] | None) -> dict[str, Any]:
    """``filters`` validated by the kind's schema, as JSON-friendly values.

    :raises ValidationFailed: unknown kind (on ``kind``) or invalid filters (on ``filters.<field>``).
    """
    try:
        source = get_source(kind)
    except KeyError:
        raise ValidationFailed(f"导出类型无效，可选: {', '.join(kind_names())} (unknown export kind)", "kind") from None
    schema = source.filters_schema()
    try:
        return schema.dump(schema.load(dict(filters or {})))
    except ma.ValidationError as exc:
        raise ValidationFailed({"filters": exc.messages}) from None


def start_export(kind: str, filters: Mapping[str, Any] | None, user: User, base: str | None = None) -> ExportFile:
    """Record and enqueue an export of ``kind`` rows matching ``filters``, as seen by ``user``.

    ``base`` is the public URL QR links start with (default :func:`chargehub.qrcodes.base_url`, taken
    now because the job runs outside the request). Permission checks are the caller's.
    """
    cleaned = clean_filters(kind, filters)
    export = ExportFile(provider_id=user.provider_id, property_id=user.property_id,
                        collective_id=user.collective_id, user_id=user.id, kind=kind, filters=cleaned,
                        state=ExportState.QUEUED, job_id=f"export-{secrets.token_hex(8)}")
    db.session.add(export)
    db.session.commit()
    jobs.enqueue(run_export, export.id, base or base_url(), queue=QUEUE, job_id=export.job_id,
                 description=f"export {kind} #{export.id}")
    db.session.refresh(export)  # an eager job has already changed it from its own session
    return export


def file_path(export: ExportFile) -> Path | None:
    """Absolute path of a finished export's file, or ``None`` when it has none (yet)."""
    if not export.path:
        return None
    return Path(current_app.instance_path) / export.path


def _download_name(title: str) -> str:
    local = utcnow().astimezone(ZoneInfo(settings()["TIMEZONE"]))
    return f"{title}_{local:%Y%m%d_%H%M%S}.xlsx"


def run_export(export_id: int, base: str) -> None:
    """Job body: write export ``export_id`` with QR links under ``base``; see the module docstring."""
    # openpyxl costs ~20 MB of RSS to import: only processes that run exports pay for it.
    from chargehub.exports.workbook import count_rows, write_workbook  # noqa: PLC0415

    export = db.session.get(ExportFile, export_id)
    if export is None or export.state is ExportState.DONE:
        return
    export.state, export.progress, export.rows, export.error = ExportState.RUNNING, 0.0, 0, None
    db.session.commit()
    partial: Path | None = None
    try:
        source = get_source(export.kind)
        scope = scope_of(db.session.get(User, export.user_id))
        statement = source.statement(source.filters_schema().load(export.filters), scope)
        total = count_rows(statement)
        limit = int(settings()["EXPORT_IMAGE_LIMIT"])
        directory = Path(current_app.instance_path) / EXPORT_DIR
        directory.mkdir(parents=True, exist_ok=True)
        name = f"{export.id}-{secrets.token_hex(8)}.xlsx"
        partial = directory / f"{name}.part"

        def progress(written: int, expected: int) -> None:
            fraction = min(0.99, written / expected) if expected else 0.99
            export.progress, export.rows = fraction, written
            db.session.commit()
            set_progress(fraction, export_id=export_id, rows=written)

        written = write_workbook(partial, source, statement, base, total, total <= limit, progress, limit)
        os.replace(partial, directory / name)
        export.path = f"{EXPORT_DIR}/{name}"
        export.filename = _download_name(source.title)
        export.state, export.progress, export.rows, export.finished_at = ExportState.DONE, 1.0, written, utcnow()
        db.session.commit()
        set_progress(1.0, export_id=export_id, rows=written)
    except Exception as exc:
        db.session.rollback()
        if partial is not None:
            partial.unlink(missing_ok=True)
        failed = db.session.get(ExportFile, export_id)
        failed.state, failed.error, failed.finished_at = ExportState.FAILED, describe_error(exc)[:2000], utcnow()
        db.session.commit()
        raise


def purge_expired(now=None) -> int:
    """Periodic job: delete exports older than :data:`RETENTION_DAYS` (row and file); return how many.

    Registered to run daily at 03:30 local time (see :func:`register_periodic_jobs`). A file already gone
    is not an error.
    """
    from datetime import timedelta  # noqa: PLC0415

    cutoff = (now or utcnow()) - timedelta(days=RETENTION_DAYS)
    expired = db.session.execute(db.select(ExportFile).where(ExportFile.created_at < cutoff)).scalars().all()
    for export in expired:
        path = file_path(export)
        if path is not None:
            path.unlink(missing_ok=True)
        db.session.delete(export)
    db.session.commit()
    return len(expired)


def register_periodic_jobs() -> None:
    """Register the exports' periodic jobs with the job queue (once per process)."""
    from datetime import time  # noqa: PLC0415

    jobs.register_periodic("exports.purge_expired", purge_expired, daily_at=time(3, 30))
