"""The device gateway under 10,000 simulated YKC piles, on PostgreSQL and Redis.

One ``chargehub gateway`` process (the production command, its own OS process) against a fleet of
``--piles`` simulated piles (``chargehub_ykc.simulator``, real TCP, one event loop in this process),
with the database listener storing everything. Phases:

1. **ramp**: every pile connects and logs in (billing model pushed, online records written);
2. **hold**: 10 % of the piles charging (remote starts through the Redis command bus), everything
   held for ``--hold`` seconds at the real timings (heartbeat 10 s, 0x13 every 15 s charging): no drops
   allowed; the gateway's RSS is sampled (``VmRSS``/``VmHWM`` of its process) and the heartbeat round
   trip (0x03 → 0x04) measured;
3. **throughput**: heartbeats every ``--fast-heartbeat`` s for ``--burst`` seconds (≈ 3,000+ frames/s),
   all persisted by the gateway's writer (checked: every pile's ``last_heartbeat_at`` advances); the
   charging piles are stopped remotely in this phase, so 0x3B → 0x40 (commit before ack) is measured
   under the same load;
4. **reconnect storm**: charging restarted on 10 %, then every connection is dropped at once; while
   disconnected the charging piles stop locally (records kept unsent); measured is the time until all
   piles are logged in again, and the database must hold every record exactly once.

Targets (issue 6): 10,000 piles held 10 min with no drops and gateway RSS ≤ 300 MB; ≥ 3,000 frames/s
with ack p99 ≤ 50 ms; 10,000 piles back within 30 s with no lost or duplicated transaction record.

    .venv/bin/python bench/gateway.py [--piles 10000 --hold 600 --burst 60]
"""
from __future__ import annotations

import argparse
import gc
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import status_mb, stop_process, write_result  # noqa: E402

PREFIX = "6601"
REPO = Path(__file__).resolve().parents[1]


def _ms(summary: dict) -> dict:
    return {k: (round(v * 1000, 2) if isinstance(v, float) else v) for k, v in summary.items()}


def _trade(code: str, gun: int, n: int) -> str:
    return f"{code}{gun:02d}{datetime.now():%y%m%d%H%M%S}{n % 10000:04d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--piles", type=int, default=10_000)
    parser.add_argument("--hold", type=float, default=600.0)
    parser.add_argument("--burst", type=float, default=60.0)
    parser.add_argument("--fast-heartbeat", type=float, default=3.0)
    parser.add_argument("--charging", type=float, default=0.10)
    parser.add_argument("--port", type=int, default=0, help="gateway port (default: a free one)")
    parser.add_argument("--database", default=os.environ.get("CHARGEHUB_TEST_DATABASE",
                                                             "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]

    import chargehub_billing_standard.plugin as billing_standard  # noqa: PLC0415
    import chargehub_ykc.plugin as ykc  # noqa: PLC0415
    import sqlalchemy as sa  # noqa: PLC0415
    from flask_migrate import upgrade  # noqa: PLC0415

    from chargehub.app import create_app  # noqa: PLC0415
    from chargehub.assets.car_models import Pile  # noqa: PLC0415
    from chargehub.devices import commands  # noqa: PLC0415
    from chargehub.devices.models import ConnectionState, DeviceOnlineRecord, PileTransactionRecord  # noqa: PLC0415
    from chargehub.extensions import MIGRATIONS_DIR, db  # noqa: PLC0415
    from chargehub.testing.database import temporary_database  # noqa: PLC0415
    from chargehub.testing.helpers import delete_namespace  # noqa: PLC0415
    from chargehub.testing.network import seed_pile_network  # noqa: PLC0415
    from chargehub_ykc.simulator import Fleet, FleetThread  # noqa: PLC0415

    namespace = f"bench-gw-{os.getpid()}"
    tmp = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    result: dict = {"parameters": vars(args) | {"database": args.database.split("@")[-1]}}
    with temporary_database(args.database, tmp) as url:
        settings = {"DATABASE_URL": url, "INSTANCE_PATH": str(tmp), "PLUGIN_AUTOLOAD": False,
                    "PLUGINS_EXTRA": [billing_standard, ykc], "REDIS_URL": args.redis, "REDIS_NAMESPACE": namespace,
                    "LOG_LEVEL": "WARNING", "LOG_FORMAT": "text", "COMMAND_TIMEOUT": 30.0}
        app = create_app(settings)
        ctx = app.app_context()
        ctx.push()
        upgrade(directory=MIGRATIONS_DIR)
        started = time.perf_counter()
        network = seed_pile_network(args.piles, guns=2, prefix=PREFIX)
        result["seed_seconds"] = round(time.perf_counter() - started, 1)
        env = dict(os.environ, CHARGEHUB_DATABASE_URL=url, CHARGEHUB_INSTANCE_PATH=str(tmp),
                   CHARGEHUB_PLUGIN_AUTOLOAD="0", CHARGEHUB_PLUGINS="chargehub_billing_standard.plugin,chargehub_ykc.plugin",
                   CHARGEHUB_REDIS_URL=args.redis, CHARGEHUB_REDIS_NAMESPACE=namespace, CHARGEHUB_LOG_LEVEL="WARNING",
                   CHARGEHUB_LOG_FORMAT="text", CHARGEHUB_GATEWAY_NODE="bench-gw")
        log = open(tmp / "gateway.log", "wb")
        gateway = subprocess.Popen([sys.executable, "-m", "chargehub", "gateway", "--listen",
                                    f"ykc=127.0.0.1:{args.port}"], env=env, cwd=str(tmp), stdout=log,
                                   stderr=subprocess.STDOUT)
        sim = None
        try:
            time.sleep(4)
            assert gateway.poll() is None, (tmp / "gateway.log").read_text()[-3000:]
            rss_idle = status_mb(gateway.pid)
            fleet = Fleet("127.0.0.1", args.port, count=args.piles, prefix=PREFIX, ramp=1000.0, guns=2)
            gc.collect()
            gc.freeze()  # like the gateway: 10,000 long-lived piles out of the collector's full passes
            gc.set_threshold(50_000, 20, 100)
            sim = FleetThread(fleet).start()

            # 1. ramp
            started = time.perf_counter()
            sim.run(fleet.wait_logged_in(timeout=300), timeout=320)
            result["ramp"] = {"piles": args.piles, "all_logged_in_seconds": round(time.perf_counter() - started, 1),
                              "gateway_rss_idle_mb": rss_idle, "gateway_rss_mb": status_mb(gateway.pid)}
            print("ramp", result["ramp"], flush=True)

            # 2. hold with 10 % charging
            charging = [(code, 1) for code in network.pile_codes[:int(args.piles * args.charging)]]

            def start(item):
                index, (code, gun) = item
                return commands.start_charging(code, gun, _trade(code, gun, index), Decimal("500.00"), timeout=30).ok

            def in_app(fn):
                def call(item):
                    with app.app_context():
                        return fn(item)
                return call

            with ThreadPoolExecutor(16) as pool:
                started = time.perf_counter()
                accepted = sum(pool.map(in_app(start), enumerate(charging)))
            result["remote_starts"] = {"sent": len(charging), "accepted": accepted,
                                       "seconds": round(time.perf_counter() - started, 1)}
            print("starts", result["remote_starts"], flush=True)
            sim.run(fleet.reset_latency)
            before = sim.stats()
            samples = []
            started = time.monotonic()
            while time.monotonic() - started < args.hold:
                time.sleep(min(10.0, max(0.1, args.hold - (time.monotonic() - started))))
                stats = sim.stats()
                samples.append({"t": round(time.monotonic() - started), "logged_in": stats["logged_in"],
                                "charging_guns": stats["charging_guns"], **status_mb(gateway.pid)})
                print("hold", samples[-1], flush=True)
            after = sim.stats()
            db.session.expire_all()
            offline_records = db.session.execute(sa.select(sa.func.count()).select_from(DeviceOnlineRecord).where(
                DeviceOnlineRecord.state == ConnectionState.OFFLINE)).scalar_one()
            frames = after["frames_sent"] - before["frames_sent"]
            result["hold"] = {
                "seconds": args.hold, "min_logged_in": min(s["logged_in"] for s in samples),
                "disconnects": after["disconnects"] - before["disconnects"],
                "gateway_offline_records": offline_records,
                "charging_guns_at_end": after["charging_guns"],
                "frames_per_second": round(frames / args.hold, 1),
                "heartbeat_rtt_ms": _ms(after["heartbeat_latency"]),
                "gateway_rss_max_mb": max(s["VmRSS"] for s in samples), "gateway_rss_peak_hwm_mb": samples[-1]["VmHWM"],
            }
            print("hold", result["hold"], flush=True)

            # 3. throughput: faster heartbeats, persisted; stop the charging piles under that load
            for pile in fleet.piles:
                pile.config.heartbeat_interval = args.fast_heartbeat
            time.sleep(args.fast_heartbeat + 1)
            sim.run(fleet.reset_latency)
            before = sim.stats()
            mark = db.session.execute(sa.select(sa.func.now())).scalar_one()
            started = time.monotonic()

            def stop(item):
                code, gun = item
                return commands.stop_charging(code, gun, timeout=30).ok

            with ThreadPoolExecutor(8) as pool:
                time.sleep(args.burst / 3)
                stopped = sum(pool.map(in_app(stop), charging))
            time.sleep(max(0.0, args.burst - (time.monotonic() - started)))
            after = sim.stats()
            elapsed = time.monotonic() - started
            db.session.expire_all()
            persisted = db.session.execute(sa.select(sa.func.count()).select_from(Pile).where(
                Pile.station_id == network.station_id, Pile.last_heartbeat_at > mark)).scalar_one()
            records = db.session.execute(sa.select(sa.func.count()).select_from(PileTransactionRecord)).scalar_one()
            result["throughput"] = {
                "seconds": round(elapsed, 1), "heartbeat_interval_s": args.fast_heartbeat,
                "frames_sent_per_second": round((after["frames_sent"] - before["frames_sent"]) / elapsed, 1),
                "frames_answered_per_second": round((after["frames_received"] - before["frames_received"]) / elapsed, 1),
                "piles_heartbeat_persisted": persisted,
                "heartbeat_ack_ms": _ms(after["heartbeat_latency"]),
                "remote_stops_accepted": stopped, "records_stored": records,
                "record_ack_ms": _ms(after["record_latency"]),
                "gateway_rss_mb": status_mb(gateway.pid),
            }
            print("throughput", result["throughput"], flush=True)
            for pile in fleet.piles:
                pile.config.heartbeat_interval = 10.0

            # 4. reconnect storm with records stored while disconnected
            sim.wait_until(lambda: sum(len(p.unsent) for p in fleet.piles) == 0, timeout=120)
            with ThreadPoolExecutor(16) as pool:
                restarted = sum(pool.map(in_app(start), enumerate(charging, start=5000)))
            sim.wait_until(lambda: fleet.stats()["charging_guns"] >= restarted, timeout=60)
            time.sleep(3)

            def drop_all():
                for pile in fleet.piles:
                    pile.drop_connection(reconnect_after=1.0)
                for code, gun in charging:
                    fleet.pile(code).stop_at_pile(gun)

            started = time.perf_counter()
            sim.run(drop_all, timeout=120)
            sim.wait_until(lambda: fleet.logged_in < args.piles, timeout=30)
            sim.run(fleet.wait_logged_in(timeout=300), timeout=320)
            back = time.perf_counter() - started
            sim.wait_until(lambda: sum(len(p.unsent) for p in fleet.piles) == 0, timeout=300)
            uploaded = time.perf_counter() - started
            made = sim.run(lambda: {r.trade_no for p in fleet.piles for r in p.records})
            db.session.expire_all()
            stored = db.session.execute(sa.select(PileTransactionRecord.trade_no)).scalars().all()
            result["reconnect_storm"] = {
                "piles": args.piles, "all_logged_in_seconds": round(back, 1),
                "all_records_acknowledged_seconds": round(uploaded, 1),
                "records_created_by_piles": len(made), "records_stored": len(stored),
                "records_lost": len(made - set(stored)), "duplicate_rows": len(stored) - len(set(stored)),
                "resends_counted": int(db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(
                    PileTransactionRecord.duplicates), 0))).scalar_one()),
                "gateway_rss_mb": status_mb(gateway.pid),
            }
            print("storm", result["reconnect_storm"], flush=True)
            result["simulator"] = {k: v for k, v in sim.stats().items() if k not in ("sent_by_code", "received_by_code",
                                                                                    "heartbeat_latency", "record_latency")}
        finally:
            if sim is not None:
                sim.stop(timeout=60)
            stop_process(gateway)
            log.close()
            db.session.remove()
            db.engine.dispose()
            ctx.pop()
            delete_namespace(args.redis, namespace)
    hold, thr, storm = result["hold"], result["throughput"], result["reconnect_storm"]
    result["targets"] = {
        "hold_no_drops": hold["disconnects"] == 0 and hold["min_logged_in"] == args.piles,
        "gateway_rss_le_300mb": hold["gateway_rss_peak_hwm_mb"] <= 300,
        "frames_ge_3000_per_s": thr["frames_answered_per_second"] >= 3000,
        "ack_p99_le_50ms": (thr["heartbeat_ack_ms"].get("p99") or 1e9) <= 50,
        "storm_le_30s": storm["all_logged_in_seconds"] <= 30,
        "no_lost_or_duplicated_records": storm["records_lost"] == 0 and storm["duplicate_rows"] == 0,
    }
    write_result("gateway", result)


if __name__ == "__main__":
    main()
