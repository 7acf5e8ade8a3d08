"""QR-code export of 100,000 guns on PostgreSQL: wall time and peak memory of the export job.

Seeds one provider with two car stations — ``--rows - --image-rows`` guns in the first and
``--image-rows`` in the second (8 guns per pile, bulk inserts) — then runs two exports as eager jobs,
each in a fresh child process standing in for a worker. The job compiles the query and runs the export
writer in a process of its own (docs/decisions/0006-qr-exports.md); reported are the job's wall time,
the writer's peak RSS (its own ``VmHWM``, sent back by the writer) and how much the worker grew:

* ``all``: every gun (over the image limit: the URL-only sheet, see docs/decisions/0006-qr-exports.md);
* ``with_images``: the second station only, ``--image-rows`` rows with an embedded QR image each.

Acceptance: ``all`` under 20 s, the writer under 100 MB.

    .venv/bin/python bench/qr_export.py [--database postgresql://postgres@127.0.0.1:5432/postgres] [--rows 100000]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import proc_status_kb, write_result  # noqa: E402

GUNS_PER_PILE = 8


def _settings(url: str, instance: str, image_limit: int) -> dict:
    return {"DATABASE_URL": url, "INSTANCE_PATH": instance, "PLUGIN_AUTOLOAD": False, "LOG_LEVEL": "WARNING",
            "JOBS_EAGER": True, "PUBLIC_URL": "https://charge.example.com", "EXPORT_IMAGE_LIMIT": image_limit}


def seed(app, rows: int, image_rows: int) -> dict:
    """Bulk-insert the minimal parents and ``rows`` guns; return the ids the exports need."""
    import sqlalchemy as sa  # noqa: PLC0415

    from chargehub.assets.car_models import CarArea, CarStation, Gun, Pile  # noqa: PLC0415
    from chargehub.extensions import db  # noqa: PLC0415
    from chargehub.tenancy.models import AuditState, Property, ServiceProvider, User, UserType  # noqa: PLC0415

    with app.app_context():
        provider = ServiceProvider(name="基准服务商", phone="13700000000", audit_state=AuditState.APPROVED)
        db.session.add(provider)
        db.session.flush()
        owner = {"provider_id": provider.id}
        prop = Property(name="基准物业", phone="13700000001", **owner)
        admin = User(phone="13800000000", name="admin", password_hash="x", user_type=UserType.SYSTEM, is_owner=True)
        db.session.add_all([prop, admin])
        db.session.flush()
        owner["property_id"] = prop.id
        stations = []
        for index, count in enumerate((rows - image_rows, image_rows)):
            station = CarStation(name=f"基准汽车充电站{index + 1}", **owner)
            db.session.add(station)
            db.session.flush()
            area = CarArea(station_id=station.id, code=f"BA{index}", name="默认区域", is_default=True, **owner)
            db.session.add(area)
            db.session.flush()
            pile_count = -(-count // GUNS_PER_PILE)
            first = db.session.execute(sa.select(sa.func.coalesce(sa.func.max(Pile.id), 0))).scalar_one()
            db.session.execute(sa.insert(Pile), [
                {"station_id": station.id, "area_id": area.id, "code": f"S{index}P{p:07d}",
                 "factory_id": f"FAC-{index}-{p:07d}", "name": f"{p + 1}号桩", "gun_count": GUNS_PER_PILE, **owner}
                for p in range(pile_count)])
            pile_ids = db.session.execute(sa.select(Pile.id).where(Pile.id > first, Pile.station_id == station.id)
                                          .order_by(Pile.id)).scalars().all()
            batch = []
            for n in range(count):
                batch.append({"station_id": station.id, "area_id": area.id, "pile_id": pile_ids[n // GUNS_PER_PILE],
                              "number": n % GUNS_PER_PILE + 1, "name": f"{n % GUNS_PER_PILE + 1}号枪", **owner})
                if len(batch) == 10_000:
                    db.session.execute(sa.insert(Gun), batch)
                    batch = []
            if batch:
                db.session.execute(sa.insert(Gun), batch)
            stations.append(station.id)
        db.session.commit()
        return {"user_id": admin.id, "stations": stations}


def child(url: str, instance: str, image_limit: int, user_id: int, filters: str) -> None:
    """Child process body: create the app, then time one eager export job; print one JSON line."""
    from chargehub.app import create_app  # noqa: PLC0415
    from chargehub.exports import ExportFile, start_export  # noqa: PLC0415
    from chargehub.extensions import db, jobs  # noqa: PLC0415
    from chargehub.qrcodes.sources import GUN_QR  # noqa: F401,PLC0415 - import cost outside the measurement
    from chargehub.tenancy.models import User  # noqa: PLC0415

    app = create_app(_settings(url, instance, image_limit))
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.execute(db.select(ExportFile.id).limit(1)).all()  # warm the pool like a worker would be
        before_kb = proc_status_kb("VmHWM")
        started = time.perf_counter()
        export = start_export("gun", json.loads(filters), user, base="https://charge.example.com")
        seconds = time.perf_counter() - started
        peak_kb = proc_status_kb("VmHWM")
        summary = jobs.status(export.job_id).result_meta
        result = {"seconds": round(seconds, 2), "rows": export.rows, "state": export.state.value,
                  "writer_peak_rss_mb": summary["writer_peak_rss_mb"],
                  "worker_rss_before_job_mb": round(before_kb / 1024, 1),
                  "worker_rss_growth_mb": round((peak_kb - before_kb) / 1024, 1), "path": export.path}
    print(json.dumps(result))


def run_child(url: str, instance: str, image_limit: int, user_id: int, filters: dict) -> dict:
    command = [sys.executable, __file__, "--child", url, instance, str(image_limit), str(user_id), json.dumps(filters)]
    output = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def check_file(instance: str, result: dict) -> dict:
    """Count data rows and embedded images of the written file (outside the measured child)."""
    from openpyxl import load_workbook  # noqa: PLC0415

    path = Path(instance) / result.pop("path")
    workbook = load_workbook(path, read_only=True)
    rows = sum(1 for _ in workbook.worksheets[0].iter_rows(min_row=2, values_only=True))
    with __import__("zipfile").ZipFile(path) as archive:
        images = sum(1 for name in archive.namelist() if name.startswith("xl/media/"))
    return {"file_mb": round(path.stat().st_size / 2**20, 2), "file_rows": rows, "file_images": images}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--image-rows", type=int, default=2_000)
    args = parser.parse_args()

    from flask_migrate import upgrade  # noqa: PLC0415

    from chargehub.app import create_app  # noqa: PLC0415
    from chargehub.extensions import MIGRATIONS_DIR, db  # noqa: PLC0415
    from chargehub.testing.database import temporary_database  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp, temporary_database(args.database, Path(tmp)) as url:
        app = create_app(_settings(url, tmp, args.image_rows))
        with app.app_context():
            upgrade(directory=MIGRATIONS_DIR)
        started = time.perf_counter()
        ids = seed(app, args.rows, args.image_rows)
        seed_seconds = round(time.perf_counter() - started, 1)
        with app.app_context():
            db.engine.dispose()
        every = run_child(url, tmp, args.image_rows, ids["user_id"], {})
        every.update(check_file(tmp, every))
        images = run_child(url, tmp, args.image_rows, ids["user_id"], {"station_id": ids["stations"][1]})
        images.update(check_file(tmp, images))
    result = {
        "params": {"database": "postgresql", "rows": args.rows, "image_rows": args.image_rows,
                   "export_image_limit": args.image_rows, "seed_seconds": seed_seconds},
        "all": every,
        "with_images": images,
        "acceptance": {"seconds_under_20": every["seconds"] < 20,
                       "writer_peak_rss_under_100_mb": every["writer_peak_rss_mb"] < 100,
                       "with_images_writer_peak_rss_under_100_mb": images["writer_peak_rss_mb"] < 100},
    }
    write_result("qr_export", result)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:4], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    else:
        main()
