"""Charging orders on PostgreSQL with 1,000,000 car orders: admin list latency, remote start, export.

Seeds a temporary database (bench/_orders_seed.py: 5 providers, 40 car stations, 50,000 drivers, a
year of ``--orders`` car orders in ~1 minute, ``VACUUM ANALYZE``), then runs three parts:

1. **list** (bench/_orders_list.py): ``chargehub web`` (waitress; each ``--web PxT`` configuration in
   turn: P processes of T threads on their own ports, the client threads spread evenly over them, no
   proxy) on the seeded database, signed in as the big provider's owner (API token); ``--clients``
   threads in a separate client process (bench/_orders_client.py, keep-alive connections) send
   ``GET /api/v1/admin/car-orders`` filtered by station and a 90-day created range, page 1 and page
   ``--deep-page`` (20 rows a page), and ``GET /api/v1/admin/car-orders/totals`` (搜索条件下总计) with the
   same filters: each for ``--duration`` s back to back, then paced at each ``--paced`` rate (requests/s
   in all, spread over the same clients). Also the SQL each request runs, with its warm plan and time.
2. **start** (bench/_orders_start.py): ``chargehub gateway`` (own process, Redis command bus, YKC port)
   with simulated YKC piles (guns plugged, a start answered at once), one driver with balance per start,
   a distinct idle gun each: open loop at ``--rate`` starts/s, ``POST /api/v1/app/orders`` until the order
   says 充电中 (``charging``).
3. **export** (bench/_orders_export.py): the ``car_order`` export of ~``--export-rows`` orders as an eager
   job in a fresh child process: wall time, the writer's peak RSS, the file's size and rows.

Targets (issue 8): list p95 ≤ 40 ms at 32 concurrent clients (page 1 and the deep page); start → 充电中
p95 ≤ 300 ms at 20 starts/s; the export of 100,000 orders within 20 s under 100 MB. Every part records
the machine's load average before it ran: other work on the machine skews the figures.

    .venv/bin/python bench/orders.py [--orders 1000000 --clients 32 --duration 30 --starts 400 --rate 20
                                      --export-rows 100000 --web 1x8,2x8 --paced 32,96 --parts list,start,export]

Only a full run on a freshly seeded database writes bench/results/orders.json; ``--parts`` (a subset)
prints its JSON instead. ``--keep`` keeps the seeded database (its URL is printed) and ``--seeded URL``
runs the parts on such a database.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import write_result  # noqa: E402
from bench._orders_procs import app_settings, load_average, parse_web  # noqa: E402

PARTS = ("list", "start", "export")


@contextmanager
def database(args, tmp: Path):
    """``(url, fresh)``: the ``--seeded`` database, a kept new one (``--keep``) or a temporary one."""
    import sqlalchemy as sa  # noqa: PLC0415
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    from chargehub.testing.database import temporary_database  # noqa: PLC0415

    if args.seeded:
        yield args.seeded, False
    elif args.keep:
        url = make_url(args.database.replace("postgresql://", "postgresql+psycopg://", 1))
        name = f"chargehub_bench_orders_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        kept = url.set(database=name).render_as_string(hide_password=False)
        print("kept database:", kept, flush=True)
        yield kept, True
    else:
        with temporary_database(args.database, tmp) as url:
            yield url, True


def targets(result: dict) -> dict:
    """The issue's acceptance figures, checked where the part ran."""
    checks = {}
    for name, figures in result.get("list", {}).get("configs", {}).items():
        for variant, modes in figures.items():
            if variant.startswith("page_"):
                for mode, values in modes.items():
                    checks[f"list {variant} {mode} p95 <= 40 ms ({name})"] = values.get("p95_ms", 1e9) <= 40
    start = result.get("start")
    if start:
        checks["start to charging p95 <= 300 ms, every start charging"] = (
            start["api_call_to_charging"].get("p95_ms", 1e9) <= 300 and start["charging"] == start["sent"])
    export = result.get("export")
    if export:
        checks["export done within 20 s"] = export["state"] == "done" and export["seconds"] <= 20
        checks["export writer under 100 MB"] = (export["writer_peak_rss_mb"] or 1e9) < 100
    return checks


def parse_args() -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--drivers", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds measured per list variant and mode")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before each list measurement")
    parser.add_argument("--deep-page", type=int, default=200)
    parser.add_argument("--paced", default="32,96",
                        help="list rates (requests/s in all) measured after back to back, comma-separated")
    parser.add_argument("--web", default="1x8,2x8",
                        help="web configurations PxT (processes x threads), comma-separated; start uses the first")
    parser.add_argument("--starts", type=int, default=400)
    parser.add_argument("--rate", type=float, default=20.0, help="remote starts per second (open loop)")
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument("--parts", default=",".join(PARTS), help="which of list,start,export to run")
    parser.add_argument("--database", default=os.environ.get("CHARGEHUB_TEST_DATABASE",
                                                             "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--keep", action="store_true", help="keep the seeded database (prints its URL)")
    parser.add_argument("--seeded", default=None, help="run on a database seeded by an earlier --keep run")
    args = parser.parse_args()
    args.web = [c.strip() for c in args.web.split(",") if c.strip()]
    for config in args.web:
        parse_web(config)
    args.paced = [float(r) for r in args.paced.split(",") if r.strip()]
    args.parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    if not set(args.parts) <= set(PARTS):
        parser.error(f"--parts takes {', '.join(PARTS)}")
    return args


def main() -> None:
    args = parse_args()

    from bench._orders_export import bench_export  # noqa: PLC0415
    from bench._orders_list import bench_list  # noqa: PLC0415
    from bench._orders_seed import load_network, seed  # noqa: PLC0415
    from bench._orders_start import bench_start  # noqa: PLC0415
    from chargehub.app import create_app  # noqa: PLC0415
    from chargehub.extensions import db  # noqa: PLC0415

    params = {k: v for k, v in vars(args).items() if k not in ("database", "redis", "keep", "seeded")}
    result: dict = {"params": params | {"database": "postgresql"}, "load_average_at_start": load_average()}
    with tempfile.TemporaryDirectory(prefix="bench-orders-") as tmp_name, \
            database(args, Path(tmp_name)) as (url, fresh):
        tmp = Path(tmp_name)
        app = create_app(app_settings(url, tmp_name))
        if fresh:
            result["seed"] = seed(app, args.orders, args.drivers)
            print("seed", json.dumps(result["seed"]), flush=True)
        network = load_network(app)
        if "list" in args.parts:
            result["list"] = bench_list(app, url, tmp, network, args)
        if "start" in args.parts:
            result["start"] = bench_start(app, url, tmp, args)
        if "export" in args.parts:
            result["export"] = bench_export(app, url, tmp, network, args)
        with app.app_context():
            db.engine.dispose()
    result["targets"] = targets(result)
    if args.parts == list(PARTS) and fresh:
        write_result("orders", result)
    else:
        print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
