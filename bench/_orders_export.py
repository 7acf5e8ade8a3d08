"""Part 3 of bench/orders.py: the ``car_order`` export of ~100,000 orders.

As bench/qr_export.py runs exports: the big provider's owner starts the export of a created range ending
today that holds about ``--export-rows`` of its orders, as an eager job in a fresh child process (this
file run as a script) standing in for a worker. The job runs the export writer in a process of its own;
reported are the job's wall time, the writer's peak RSS (its own ``VmHWM``, sent back by the writer),
how much the worker grew, the CPU of worker + writer against the whole machine's while they ran (other
work on the machine shows there), and the file's size and data rows (read back here, outside the
measurement).

    .venv/bin/python bench/_orders_export.py URL INSTANCE USER_ID FILTERS_JSON   (the child)
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import proc_status_kb  # noqa: E402
from bench._orders_procs import app_settings, load_average, machine_busy_seconds  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")


def export_filters(app, network: dict, rows: int) -> dict:
    """A created range ending today that holds about ``rows`` of the big provider's orders."""
    import sqlalchemy as sa  # noqa: PLC0415

    from chargehub.charging.models import CarOrder  # noqa: PLC0415
    from chargehub.extensions import db  # noqa: PLC0415

    today = datetime.now(ZONE).date()
    with app.app_context():
        newest_first = sa.select(CarOrder.created_at).where(CarOrder.provider_id == network["provider_id"]) \
            .order_by(CarOrder.created_at.desc())
        oldest = db.session.execute(newest_first.offset(rows - 1).limit(1)).scalar_one()
        first: date = oldest.astimezone(ZONE).date() + timedelta(days=1)
        count = db.session.execute(sa.select(sa.func.count()).select_from(CarOrder).where(
            CarOrder.provider_id == network["provider_id"],
            CarOrder.created_at >= datetime.combine(first, datetime.min.time(), ZONE))).scalar_one()
        db.session.remove()
    return {"filters": {"created_from": first.isoformat(), "created_to": today.isoformat()}, "matching_rows": count}


def child(url: str, instance: str, user_id: int, filters: str) -> None:
    """Child process body: create the app, then time one eager export job; print one JSON line."""
    from chargehub.app import create_app  # noqa: PLC0415
    from chargehub.exports import ExportFile, start_export  # noqa: PLC0415
    from chargehub.exports.kinds import get_source  # noqa: PLC0415
    from chargehub.extensions import db, jobs  # noqa: PLC0415
    from chargehub.tenancy.models import User  # noqa: PLC0415

    app = create_app(app_settings(url, instance, JOBS_EAGER=True, PUBLIC_URL="https://charge.example.com"))
    with app.app_context():
        get_source("car_order")  # import cost outside the measurement
        user = db.session.get(User, user_id)
        db.session.execute(db.select(ExportFile.id).limit(1)).all()  # warm the pool like a worker would be
        before_kb = proc_status_kb("VmHWM")
        started = time.perf_counter()
        export = start_export("car_order", json.loads(filters), user)
        seconds = time.perf_counter() - started
        peak_kb = proc_status_kb("VmHWM")
        summary = jobs.status(export.job_id).result_meta or {}
        result = {"seconds": round(seconds, 2), "rows": export.rows, "state": export.state.value,
                  "error": export.error, "writer_peak_rss_mb": summary.get("writer_peak_rss_mb"),
                  "worker_rss_before_job_mb": round(before_kb / 1024, 1),
                  "worker_rss_growth_mb": round((peak_kb - before_kb) / 1024, 1), "path": export.path}
    print(json.dumps(result))


def bench_export(app, url: str, tmp: Path, network: dict, args) -> dict:
    """Part 3 (see the module docstring)."""
    from openpyxl import load_workbook  # noqa: PLC0415

    chosen = export_filters(app, network, args.export_rows)
    load = load_average()
    busy, children, started = machine_busy_seconds(), resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    output = subprocess.run([sys.executable, __file__, url, str(tmp), str(network["owner_id"]),
                             json.dumps(chosen["filters"])], capture_output=True, text=True)
    elapsed, after = time.monotonic() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    if output.returncode != 0:
        raise RuntimeError(f"export child failed: {output.stderr[-3000:]}")
    result = json.loads(output.stdout.strip().splitlines()[-1])
    # the worker and the writer (which the worker waits for) vs the whole machine while they ran
    result["worker_and_writer_cpu_seconds"] = round(after.ru_utime + after.ru_stime - children.ru_utime
                                                    - children.ru_stime, 1)
    result["machine_busy_cpu_percent_of_one_core"] = round((machine_busy_seconds() - busy) / elapsed * 100, 1)
    path = result.pop("path")
    if path:
        file = tmp / path
        workbook = load_workbook(file, read_only=True)
        result["file_rows"] = sum(1 for _ in workbook.worksheets[0].iter_rows(min_row=2, values_only=True))
        workbook.close()
        result["file_mb"] = round(file.stat().st_size / 2**20, 2)
    result |= chosen | {"load_average_before": load}
    print("export", json.dumps(result, ensure_ascii=False), flush=True)
    return result


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
