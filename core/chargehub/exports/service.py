"""Starting an export and the job that writes it (the ONE export helper of ChargeHub).

``start_export(kind, filters, user)`` validates the filters, records an :class:`ExportFile` and
enqueues :func:`run_export` on the ``exports`` queue. The job builds the kind's statement with the
requesting user's scope (computed again when it runs), compiles it into an :class:`ExportPlan` and has
the writer process (:mod:`chargehub.exports.writer`) write the .xlsx under ``<instance>/exports/``; it reports
progress both on the row (``progress``, ``rows``: what the API shows, in any process) and through
:func:`chargehub.jobs.set_progress`, and ends ``done`` or ``failed``. Running it again after ``done``
does nothing, so at-least-once delivery is harmless.
"""
from __future__ import annotations

import json
import logging
import os
import pickle
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import current_app

from chargehub.config import settings
from chargehub.db import utcnow
from chargehub.errors import ValidationFailed
from chargehub.exports import writer
from chargehub.exports.kinds import get_source, kind_names
from chargehub.exports.models import ExportFile, ExportState
from chargehub.exports.plan import ExportPlan
from chargehub.exports.query import chunk_query, count_rows
from chargehub.extensions import db, jobs
from chargehub.jobs import set_progress
from chargehub.jobs.base import describe_error
from chargehub.qrcodes.links import base_url
from chargehub.tenancy.models import User
from chargehub.tenancy.scope import scope_of

log = logging.getLogger(__name__)

EXPORT_DIR = "exports"
QUEUE = "exports"
#: Rows per read of the writer (one keyset-paged query each, progress reported after each).
CHUNK = 1000
#: Finished exports (rows and files) are kept this many days, then purged by the daily job.
RETENTION_DAYS = 7


class ExportWriterFailed(RuntimeError):
    """The export writer process ended with an error (its stderr is in the message)."""


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


def _write(plan: ExportPlan, progress: Callable[[int], None]) -> tuple[int, float | None]:
    """Run the writer on ``plan``: in a process of its own (see :mod:`chargehub.exports.writer`), or here
    for an in-memory SQLite database, which no other process can open.

    :returns: ``(rows written, the writer process's peak RSS in MB or None when run here)``.
    :raises ExportWriterFailed: the writer process failed; the message ends with its stderr.
    """
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        with db.engine.connect() as connection:
            return writer.write(plan, connection, progress), None
    written, peak = 0, None
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a chatty writer can never block on it
        process = subprocess.Popen([sys.executable, "-m", "chargehub.exports.writer"],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors)
        process.stdin.write(pickle.dumps(plan))
        process.stdin.close()
        for line in process.stdout:
            message = json.loads(line)
            if "rows" in message:
                progress(message["rows"])
            if "done" in message:
                written, peak = message["done"], message["peak_rss_mb"]
        process.stdout.close()
        status = process.wait()
        if status != 0:
            errors.seek(0)
            detail = errors.read().decode("utf-8", "replace").strip().splitlines()[-5:]
            raise ExportWriterFailed(f"导出进程失败 (writer exited with {status}): " + " | ".join(detail))
    return written, peak


def run_export(export_id: int, base: str) -> dict[str, Any] | None:
    """Job body: write export ``export_id`` with QR links under ``base``; see the module docstring.

    :returns: ``{"rows", "seconds", "writer_peak_rss_mb"}`` (also the job's final ``set_progress`` meta)
        when it wrote the file; ``None`` when there was nothing to do (unknown or already done).
    """
    export = db.session.get(ExportFile, export_id)
    if export is None or export.state is ExportState.DONE:
        return None
    started = time.monotonic()
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
        plan = ExportPlan(database_url=db.engine.url.render_as_string(hide_password=False),
                          query=chunk_query(statement, source.key, CHUNK, db.engine.dialect), chunk=CHUNK,
                          row=source.row, base=base, path=str(partial), title=source.title,
                          headers=source.headers, widths=source.widths, image_column=source.image_column,
                          total=total, embed_images=total <= limit, image_limit=limit)

        def progress(written: int) -> None:
            fraction = min(0.99, written / total) if total else 0.99
            export.progress, export.rows = fraction, written
            db.session.commit()
            set_progress(fraction, export_id=export_id, rows=written)

        db.session.commit()  # the writer reads on its own connection: hold no transaction meanwhile
        written, peak = _write(plan, progress)
        os.replace(partial, directory / name)
        export.path = f"{EXPORT_DIR}/{name}"
        export.filename = _download_name(source.title)
        export.state, export.progress, export.rows, export.finished_at = ExportState.DONE, 1.0, written, utcnow()
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        if partial is not None:
            partial.unlink(missing_ok=True)
        failed = db.session.get(ExportFile, export_id)
        failed.state, failed.error, failed.finished_at = ExportState.FAILED, describe_error(exc)[:2000], utcnow()
        db.session.commit()
        raise
    summary = {"rows": written, "seconds": round(time.monotonic() - started, 2), "writer_peak_rss_mb": peak}
    set_progress(1.0, export_id=export_id, **summary)
    log.info("export written", extra={"export_id": export_id, **summary})
    return summary


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
