"""Part 2 of bench/orders.py: a driver's remote start, from the API call to the order 充电中.

``chargehub gateway`` (its own process, the Redis command bus, a YKC port) with ``--starts / 2``
simulated YKC piles of two guns (``chargehub_ykc.simulator`` in this process: guns plugged, a start
answered at once), on a station of its own (``seed_pile_network``, with its billing rule); one driver
per start with 500 yuan at that provider and an app token; the web server (the first ``--web``
configuration) on the same Redis. The client process sends ``POST /api/v1/app/orders`` (a distinct idle
gun each, prepaid 50.00 from the balance, an ``Idempotency-Key``) open loop at ``--rate`` per second and
follows each order to ``charging`` (bench/_orders_client.py).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from bench._common import status_mb, stop_process
from bench._orders_procs import free_port, load_average, process_env, run_client, start_web, stop_web, web_name

PREPAID = "50.00"


def seed_starts(app, starts: int, prefix: str) -> tuple[int, list[dict]]:
    """The start network and its drivers: ``(station id, [{"token", "gun_id"}, ...])``, one gun each."""
    import sqlalchemy as sa  # noqa: PLC0415

    from chargehub.assets.car_models import Gun  # noqa: PLC0415
    from chargehub.extensions import db  # noqa: PLC0415
    from chargehub.members.auth import issue_driver_token  # noqa: PLC0415
    from chargehub.members.balance import top_up  # noqa: PLC0415
    from chargehub.members.models import Driver  # noqa: PLC0415
    from chargehub.testing.network import seed_pile_network  # noqa: PLC0415

    with app.app_context():
        network = seed_pile_network(-(-starts // 2), guns=2, prefix=prefix, name=f"启动基准{prefix}")
        guns = db.session.execute(sa.select(Gun.id).where(Gun.station_id == network.station_id)
                                  .order_by(Gun.pile_id, Gun.number)).scalars().all()[:starts]
        items = []
        for n, gun_id in enumerate(guns):
            driver = Driver(phone=f"158{os.getpid() % 1000:03d}{n:05d}", nickname=f"基准车主{n}", verified=True)
            db.session.add(driver)
            db.session.commit()
            top_up(driver.id, network.provider_id, Decimal("500.00"), commit=True)
            items.append({"token": issue_driver_token(driver, "bench-orders"), "gun_id": gun_id})
        db.session.remove()
    return network.station_id, items


def wait_plugged(app, station_id: int, guns: int, log: Path) -> None:
    """Until every gun of the station is online, plugged in and idle in the database (or fail)."""
    import sqlalchemy as sa  # noqa: PLC0415

    from chargehub.assets.car_models import Gun, GunState  # noqa: PLC0415
    from chargehub.extensions import db  # noqa: PLC0415

    ready = sa.select(sa.func.count()).select_from(Gun).where(Gun.station_id == station_id,
                                                             Gun.state == GunState.PLUGGED)
    deadline = time.monotonic() + 60
    with app.app_context():
        while db.session.execute(ready).scalar_one() < guns:
            assert time.monotonic() < deadline, "the guns did not all report plugged: " + log.read_text()[-3000:]
            db.session.rollback()
            time.sleep(0.5)
        db.session.remove()


def bench_start(app, url: str, tmp: Path, args) -> dict:
    """Part 2 (see the module docstring)."""
    import sqlalchemy as sa  # noqa: PLC0415

    from chargehub.charging.models import CarOrder  # noqa: PLC0415
    from chargehub.extensions import db  # noqa: PLC0415
    from chargehub.testing.helpers import delete_namespace  # noqa: PLC0415
    from chargehub_ykc.simulator import Fleet, FleetThread  # noqa: PLC0415

    prefix = f"66{os.getpid() % 100:02d}"
    piles = -(-args.starts // 2)
    namespace = f"bench-orders-{os.getpid()}"
    station_id, starts = seed_starts(app, args.starts, prefix)
    port = free_port()
    env = process_env(url, str(tmp), args.redis, namespace) | {"CHARGEHUB_GATEWAY_NODE": "bench-orders"}
    with open(tmp / "gateway.log", "wb") as log:
        gateway = subprocess.Popen([sys.executable, "-m", "chargehub", "gateway", "--listen",
                                    f"ykc=127.0.0.1:{port}"], env=env, cwd=str(tmp), stdout=log,
                                   stderr=subprocess.STDOUT)
    sim = servers = None
    try:
        time.sleep(4)
        assert gateway.poll() is None, (tmp / "gateway.log").read_text()[-3000:]
        fleet = Fleet("127.0.0.1", port, count=piles, prefix=prefix, guns=2, ramp=500.0)
        sim = FleetThread(fleet).start()
        sim.run(fleet.wait_logged_in(timeout=120), timeout=130)
        wait_plugged(app, station_id, len(starts), tmp / "gateway.log")
        servers = start_web(env, tmp, args.web[0])
        load = load_average()
        figures = run_client({"mode": "start", "bases": [f"127.0.0.1:{p}" for _, p in servers], "rate": args.rate,
                              "starts": starts, "prepaid": PREPAID, "poll": 0.02, "timeout": 60,
                              "pids": {"web": [p.pid for p, _ in servers], "gateway": [gateway.pid]}},
                             timeout=args.starts / args.rate + 300)
        with app.app_context():
            states = db.session.execute(sa.select(CarOrder.state, sa.func.count()).where(
                CarOrder.station_id == station_id).group_by(CarOrder.state)).all()
            db.session.remove()
        figures |= {"orders_by_state": {state.value: count for state, count in states},
                    "guns_charging_at_piles": sim.stats()["charging_guns"], "gateway_rss_mb": status_mb(gateway.pid),
                    "load_average_before": load}
    finally:
        if servers:
            stop_web(servers)
        if sim is not None:
            sim.stop(timeout=60)
        stop_process(gateway)
        delete_namespace(args.redis, namespace)
    figures |= {"web": web_name(args.web[0]), "rate_per_second": args.rate, "piles": piles, "guns": len(starts),
                "prepaid": PREPAID}
    print("start", json.dumps(figures), flush=True)
    return figures
