"""The gateway's MQTT side under 5,000 simulated e-bike sockets reporting every 15 s, on PostgreSQL.

One ``chargehub gateway`` process (the production command, its own OS process) subscribed to a
Mosquitto of the benchmark's own, with the database listener storing everything, and a fleet of
``--devices`` × ``--sockets`` simulated chargers (``chargehub_bike_mqtt.simulator``: real MQTT clients,
one event loop in this process). Phases:

1. **ramp**: every charger connects, announces itself and is recorded online;
2. **start**: every socket is started through the Redis command bus (``start_socket``, a 2-hour
   order), so every socket sends a ``meter`` report every 15 s;
3. **hold** ``--hold`` s: reports published and stored per second (stored: how far the sockets'
   ``bike_socket_live.elapsed_s`` moved on, in report intervals), the latency from a report's publish to its row in the database for a sample of
   ``--sample`` sockets (their rows polled every ``--poll`` s; the publish time is taken by the
   simulator when it hands the message to its client), the gateway's RSS (``VmRSS``/``VmHWM``) and
   CPU time, and that no charger dropped;
4. **stop**: every socket stopped through the bus; every end-of-charge record must be stored once.

    .venv/bin/python bench/bike.py [--devices 500 --sockets 10 --hold 300]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import percentiles, status_mb, stop_process, write_result  # noqa: E402

PREFIX = "BB"


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class PublishLog:
    """When the simulator published each socket's meter report: ``(sn, socket, elapsed_s)`` → time."""

    def __init__(self, sampled: set[str]) -> None:
        self.sampled = sampled
        self.times: dict[tuple[str, int, int], float] = {}
        self.lock = threading.Lock()

    def __call__(self, sn: str, message: dict) -> None:
        if message.get("type") != "meter" or sn not in self.sampled:
            return
        now = time.monotonic()
        with self.lock:
            for entry in message.get("sockets", ()):
                self.times[(sn, entry["no"], entry["elapsed_s"])] = now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--sockets", type=int, default=10)
    parser.add_argument("--hold", type=float, default=300.0)
    parser.add_argument("--meter", type=float, default=15.0, help="seconds between a charging socket's reports")
    parser.add_argument("--sample", type=int, default=20, help="devices whose sockets' latency is measured")
    parser.add_argument("--poll", type=float, default=0.02, help="seconds between polls of the sampled rows")
    parser.add_argument("--database", default=os.environ.get("CHARGEHUB_TEST_DATABASE",
                                                             "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()

    import chargehub_bike_mqtt.plugin as bike_mqtt  # noqa: PLC0415
    import sqlalchemy as sa  # noqa: PLC0415
    from flask_migrate import upgrade  # noqa: PLC0415

    from chargehub.app import create_app  # noqa: PLC0415
    from chargehub.assets.bike_models import BikeDevice  # noqa: PLC0415
    from chargehub.devices.bike_models import BikeChargeRecord, SocketLive  # noqa: PLC0415
    from chargehub.devices.commands import start_socket, stop_socket  # noqa: PLC0415
    from chargehub.extensions import MIGRATIONS_DIR, db  # noqa: PLC0415
    from chargehub.testing.database import temporary_database  # noqa: PLC0415
    from chargehub.testing.helpers import delete_namespace  # noqa: PLC0415
    from chargehub.testing.mosquitto import PrivateMosquitto  # noqa: PLC0415
    from chargehub.testing.network import seed_bike_network  # noqa: PLC0415
    from chargehub_bike_mqtt.simulator import BikeFleet, BikeFleetThread, device_sns  # noqa: PLC0415

    namespace = f"bench-bike-{os.getpid()}"
    tmp = Path(tempfile.mkdtemp(prefix="bench-bike-"))
    sockets_total = args.devices * args.sockets
    result: dict = {"parameters": vars(args) | {"database": args.database.split("@")[-1],
                                                "sockets_total": sockets_total}}
    sns = device_sns(PREFIX, args.devices)
    sampled = set(sns[:args.sample])
    broker = PrivateMosquitto().start()
    with temporary_database(args.database, tmp) as url:
        settings = {"DATABASE_URL": url, "INSTANCE_PATH": str(tmp), "PLUGIN_AUTOLOAD": False,
                    "PLUGINS_EXTRA": [bike_mqtt], "REDIS_URL": args.redis, "REDIS_NAMESPACE": namespace,
                    "MQTT_URL": broker.url, "LOG_LEVEL": "WARNING", "LOG_FORMAT": "text", "COMMAND_TIMEOUT": 30.0}
        app = create_app(settings)
        ctx = app.app_context()
        ctx.push()
        upgrade(directory=MIGRATIONS_DIR)
        started = time.perf_counter()
        network = seed_bike_network(args.devices, sockets=args.sockets, prefix=PREFIX, factory_ids=sns)
        result["seed_seconds"] = round(time.perf_counter() - started, 1)
        env = dict(os.environ, CHARGEHUB_DATABASE_URL=url, CHARGEHUB_INSTANCE_PATH=str(tmp),
                   CHARGEHUB_PLUGIN_AUTOLOAD="0", CHARGEHUB_PLUGINS="chargehub_bike_mqtt.plugin",
                   CHARGEHUB_REDIS_URL=args.redis, CHARGEHUB_REDIS_NAMESPACE=namespace,
                   CHARGEHUB_MQTT_URL=broker.url, CHARGEHUB_LOG_LEVEL="WARNING", CHARGEHUB_LOG_FORMAT="text",
                   CHARGEHUB_GATEWAY_NODE="bench-bike")
        log = open(tmp / "gateway.log", "wb")
        gateway = subprocess.Popen([sys.executable, "-m", "chargehub", "gateway"], env=env, cwd=str(tmp),
                                   stdout=log, stderr=subprocess.STDOUT)
        publish_log = PublishLog(sampled)
        sim = None
        try:
            time.sleep(4)
            assert gateway.poll() is None, (tmp / "gateway.log").read_text()[-3000:]
            rss_idle = status_mb(gateway.pid)
            # 2-hour orders on big packs: nothing ends by itself during the hold
            fleet = BikeFleet(broker.url, count=args.devices, prefix=PREFIX, sockets=args.sockets, meter_s=args.meter,
                              heartbeat_s=60, ramp=200.0, on_publish=publish_log)
            sim = BikeFleetThread(fleet).start()

            # 1. ramp
            started = time.perf_counter()
            online = sa.select(sa.func.count()).select_from(BikeDevice).where(BikeDevice.online.is_(True))

            def count(statement) -> int:
                db.session.expire_all()
                return db.session.execute(statement).scalar_one()

            while count(online) < args.devices:
                assert time.perf_counter() - started < 300, f"{count(online)} of {args.devices} online"
                time.sleep(0.2)
            result["ramp"] = {"devices": args.devices, "all_online_seconds": round(time.perf_counter() - started, 1),
                              "gateway_rss_idle_mb": rss_idle, "gateway_rss_mb": status_mb(gateway.pid)}
            print("ramp", result["ramp"], flush=True)

            # 2. start every socket through the bus
            orders = {(sn, n): f"{sn}{n:02d}{os.getpid() % 100000:05d}" for sn in sns
                      for n in range(1, args.sockets + 1)}

            def in_app(fn):
                def call(item):
                    with app.app_context():
                        return fn(item)
                return call

            def start(item):
                (sn, n), trade_no = item
                return start_socket(sn, n, trade_no, mode="duration", duration_s=7200, timeout=30).ok

            with ThreadPoolExecutor(16) as pool:
                started = time.perf_counter()
                accepted = sum(pool.map(in_app(start), orders.items()))
            result["remote_starts"] = {"sent": len(orders), "accepted": accepted,
                                       "seconds": round(time.perf_counter() - started, 1),
                                       "per_second": round(len(orders) / (time.perf_counter() - started), 1)}
            print("starts", result["remote_starts"], flush=True)

            # 3. hold: stored reports, publish → database latency of the sampled sockets, gateway memory
            time.sleep(args.meter + 2)  # every socket has reported once
            socket_ids = {socket_id: (sn, number) for sn in sampled
                          for number, socket_id in network.sockets[sn].items()}
            sample_query = sa.select(SocketLive.socket_id, SocketLive.elapsed_s).where(
                SocketLive.socket_id.in_(list(socket_ids)))
            stored_query = sa.select(sa.func.coalesce(sa.func.sum(SocketLive.elapsed_s), 0))
            with publish_log.lock:
                publish_log.times.clear()
            seen: dict[int, int] = {}
            latencies: list[float] = []
            before_stats, cpu_before = sim.stats(), _cpu_seconds(gateway.pid)
            elapsed_before = count(stored_query)
            mem_samples = []
            started = last_mem = time.monotonic()
            while time.monotonic() - started < args.hold:
                now_rows = db.session.execute(sample_query).all()
                db.session.rollback()
                now = time.monotonic()
                for socket_id, elapsed in now_rows:
                    if seen.get(socket_id) != elapsed:
                        seen[socket_id] = elapsed
                        sn, number = socket_ids[socket_id]
                        with publish_log.lock:
                            published = publish_log.times.pop((sn, number, elapsed), None)
                        if published is not None:
                            latencies.append((now - published) * 1000)
                if now - last_mem > 10:
                    last_mem = now
                    mem_samples.append({"t": round(now - started), "connected": sim.stats()["connected"],
                                        **status_mb(gateway.pid)})
                    print("hold", mem_samples[-1], len(latencies), flush=True)
                time.sleep(args.poll)
            held = time.monotonic() - started
            mem_samples.append({"t": round(held), "connected": sim.stats()["connected"], **status_mb(gateway.pid)})
            after_stats, cpu_after = sim.stats(), _cpu_seconds(gateway.pid)
            meter_published = (after_stats["published_by_type"].get("meter", 0)
                               - before_stats["published_by_type"].get("meter", 0))
            reports = meter_published * args.sockets  # one meter message carries every charging socket
            result["hold"] = {
                "seconds": round(held, 1), "charging_sockets": after_stats["charging_sockets"],
                "min_connected": min(s["connected"] for s in mem_samples),
                "reconnects": after_stats["reconnects"] - before_stats["reconnects"],
                "meter_messages_per_second": round(meter_published / held, 1),
                "socket_reports_per_second": round(reports / held, 1),
                # every stored report moves its socket's elapsed_s on by one report interval
                "socket_reports_stored_per_second": round(
                    (count(stored_query) - elapsed_before) / args.meter / held, 1),
                "publish_to_database": percentiles(latencies) | {"samples": len(latencies),
                                                                 "poll_resolution_ms": args.poll * 1000},
                "gateway_cpu_percent_of_one_core": round((cpu_after - cpu_before) / held * 100, 1),
                "gateway_rss_max_mb": max(s["VmRSS"] for s in mem_samples),
                "gateway_rss_peak_hwm_mb": mem_samples[-1]["VmHWM"],
            }
            print("hold", result["hold"], flush=True)

            # 4. stop everything through the bus; every record stored exactly once
            def stop(item):
                (sn, n), trade_no = item
                return stop_socket(sn, n, trade_no, timeout=30).ok

            with ThreadPoolExecutor(16) as pool:
                started = time.perf_counter()
                stopped = sum(pool.map(in_app(stop), orders.items()))
            stop_seconds = time.perf_counter() - started
            records = sa.select(sa.func.count()).select_from(BikeChargeRecord)
            deadline = time.monotonic() + 120
            while count(records) < len(orders) and time.monotonic() < deadline:
                time.sleep(0.5)
            sim.wait_until(lambda: fleet.stats()["records_pending"] == 0, timeout=120)
            stored = db.session.execute(sa.select(BikeChargeRecord.trade_no)).scalars().all()
            result["stop"] = {"sent": len(orders), "accepted": stopped, "seconds": round(stop_seconds, 1),
                              "records_stored": len(stored), "records_missing": len(set(orders.values()) - set(stored)),
                              "duplicate_rows": len(stored) - len(set(stored)),
                              "gateway_rss_mb": status_mb(gateway.pid)}
            print("stop", result["stop"], flush=True)
            result["simulator"] = {k: v for k, v in sim.stats().items() if not isinstance(v, dict)}
        finally:
            if sim is not None:
                sim.stop(timeout=60)
            stop_process(gateway)
            log.close()
            db.session.remove()
            db.engine.dispose()
            ctx.pop()
            delete_namespace(args.redis, namespace)
            broker.close()
    hold, stop = result["hold"], result["stop"]
    result["checks"] = {
        "every_socket_reporting": hold["charging_sockets"] == sockets_total,
        "no_reconnects": hold["reconnects"] == 0,
        "reports_keep_up": hold["socket_reports_per_second"] >= 0.95 * sockets_total / args.meter,
        "every_record_once": stop["records_missing"] == 0 and stop["duplicate_rows"] == 0,
    }
    write_result("bike", result)


if __name__ == "__main__":
    main()
