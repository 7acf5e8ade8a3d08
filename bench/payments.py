"""Payment callbacks on PostgreSQL: 10,000 WeChat Pay payments, each notification delivered five times.

The acceptance of the payments issue: ``--payments`` payments, each callback (the vendor's payment
notification) delivered ``--copies`` times concurrently and out of order, give exactly ``--payments``
confirmed payments and a balanced ledger; callbacks/s and latency percentiles.

1. **seed** (bench/_payments_seed.py): a fresh database, migrated; one provider and car station with 50
   YKC piles of two guns (``seed_pile_network``); the ``wechatpay`` plugin switched on for the provider
   and the station with a :class:`~chargehub_wechatpay.testing.WechatPaySandbox`'s settings (the
   sandbox's server gets no traffic: its keys sign and encrypt the notifications); ``--payments`` car
   orders 启动中 / 待支付 (``active_key`` NULL: they share the guns), each with a PENDING ``wechatpay``
   payment of 10.00–99.99 yuan, bulk-inserted.
2. **notifications**: each payment's ``TRANSACTION.SUCCESS`` notification built by the sandbox exactly as
   WeChat sends it (the sandbox's transaction document — ``out_trade_no``, ``transaction_id``,
   ``trade_state`` SUCCESS, ``amount.total`` in fen, ``success_time``, ``payer.openid``, ``mchid``,
   ``appid`` — AES-256-GCM encrypted with the APIv3 key, the envelope signed with the platform key).
3. **schedule**: each payment's copies split into a burst of *k* copies (*k* uniform in 2..``--copies``)
   sent together — the *k* client threads that take them wait at a barrier and send at once, to
   different web processes, so they race for the payment's row lock — and ``--copies`` − *k* lone
   copies; all bursts and lone copies of all payments shuffled together, so a payment's copies arrive
   at different times, before and after each other, interleaved with every other payment's.
4. **deliver**: ``chargehub web`` (``--web PxT``: P processes of T waitress threads, own ports; Redis
   configured, so each paid order's start job goes to rq and waits there — no worker runs, nothing is
   sent to a device) and a separate client process (bench/_payments_client.py) whose ``--clients``
   threads POST the deliveries back to back over keep-alive connections to
   ``/api/v1/payments/notify/wechatpay/car/<station>``: duration, callbacks/s, latency p50/p95/p99/max
   (all, burst copies, lone copies), answers by status, CPU of web, PostgreSQL, client and machine.
   Headers older than ``--resign-after`` s are signed anew for the later copies (the plugin refuses
   timestamps 5 minutes away; WeChat signs every retry when it sends it).
5. **checks**: exactly ``--payments`` payments PAID, each with the vendor's ``transaction_id`` and the
   payer's openid; exactly ``--payments`` orders paid; the ledger — paid payments' sum = the seeded sum =
   the paid orders' prepaid sum; ``payments x copies`` stored notifications, every one ``applied``,
   exactly one ``paid`` per payment and the rest ``duplicate``; no refund (no late payment); exactly one
   start job per paid order queued on rq; every delivery acknowledged (HTTP 204); no traceback in the
   web logs.

    .venv/bin/python bench/payments.py [--payments 10000 --copies 5 --clients 32 --web 2x8]

A run at the acceptance size (``--payments 10000 --copies 5``) whose checks all pass writes
bench/results/payments.json; any other run prints its JSON. Exits 1 when a check fails.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import write_result  # noqa: E402
from bench._orders_procs import (  # noqa: E402
    PLUGINS,
    app_settings,
    load_average,
    parse_web,
    process_env,
    start_web,
    stop_web,
    web_name,
)

HERE = Path(__file__).resolve().parent
FULL = {"payments": 10_000, "copies": 5}


def parse_args() -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=FULL["payments"])
    parser.add_argument("--copies", type=int, default=FULL["copies"], help="deliveries of each notification")
    parser.add_argument("--clients", type=int, default=32, help="client threads (keep-alive connections)")
    parser.add_argument("--web", default="2x8", help="web configuration PxT (processes x threads)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the amounts and the schedule")
    parser.add_argument("--resign-after", type=float, default=240.0,
                        help="seconds after which a copy's headers are signed anew")
    parser.add_argument("--database", default=os.environ.get("CHARGEHUB_TEST_DATABASE",
                                                             "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    parse_web(args.web)
    if args.clients < args.copies:
        parser.error("--clients must be at least --copies (a burst needs a thread per copy)")
    return args


def run_client(job: dict, timeout: float) -> dict:
    """Run bench/_payments_client.py with ``job`` (its own process); return its JSON answer."""
    output = subprocess.run([sys.executable, str(HERE / "_payments_client.py")], input=json.dumps(job),
                            capture_output=True, text=True, timeout=timeout)
    if output.returncode != 0:
        raise RuntimeError(f"client failed: {output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def queued_starts(redis_url: str, namespace: str) -> list[tuple[str, int]]:
    """``(kind, order id)`` of every ``start_paid_order`` job waiting on the namespace's rq queues."""
    import redis  # noqa: PLC0415
    from rq import Queue  # noqa: PLC0415
    from rq.job import Job  # noqa: PLC0415

    from chargehub.jobs import QUEUES  # noqa: PLC0415

    conn = redis.Redis.from_url(redis_url)
    starts = []
    try:
        for name in QUEUES:
            ids = Queue(f"{namespace}:{name}", connection=conn).job_ids
            for lo in range(0, len(ids), 1000):
                for job in Job.fetch_many(ids[lo:lo + 1000], connection=conn):
                    if job is not None and job.args and job.args[0] == "chargehub.payments.service:start_paid_order":
                        starts.append((job.args[1][0], int(job.args[1][1])))
    finally:
        conn.close()
    return starts


def drop_jobs(redis_url: str, namespace: str) -> int:
    """Delete the job hashes waiting on the namespace's rq queues, by id; the count. Done before
    :func:`~chargehub.testing.helpers.delete_namespace`, which scans the whole keyspace once per job it finds
    (10,000 queued jobs: ~10 million SCAN calls, a quarter of an hour)."""
    import redis  # noqa: PLC0415
    from rq import Queue  # noqa: PLC0415
    from rq.job import Job  # noqa: PLC0415

    from chargehub.jobs import QUEUES  # noqa: PLC0415

    conn = redis.Redis.from_url(redis_url)
    dropped = 0
    try:
        for name in QUEUES:
            ids = Queue(f"{namespace}:{name}", connection=conn).job_ids
            for lo in range(0, len(ids), 1000):
                dropped += conn.delete(*[Job.key_for(job_id) for job_id in ids[lo:lo + 1000]])
    finally:
        conn.close()
    return dropped


def ledger(app, station_id: int, world: dict, notes: list[dict]) -> dict:
    """What the database holds after the deliveries (the checks' figures)."""
    import sqlalchemy as sa  # noqa: PLC0415

    from chargehub.charging.models import CarOrder, PayState  # noqa: PLC0415
    from chargehub.extensions import db  # noqa: PLC0415
    from chargehub.payments.models import Payment, PaymentNotification, PaymentState, Refund  # noqa: PLC0415

    with app.app_context():
        run = db.session.execute
        payments = dict(run(sa.select(Payment.state, sa.func.count()).group_by(Payment.state)).all())
        paid_sum = run(sa.select(sa.func.coalesce(sa.func.sum(Payment.amount), 0))
                       .where(Payment.state == PaymentState.PAID)).scalar_one()
        orders = dict(run(sa.select(CarOrder.pay_state, sa.func.count()).where(CarOrder.station_id == station_id)
                          .group_by(CarOrder.pay_state)).all())
        prepaid_sum = run(sa.select(sa.func.coalesce(sa.func.sum(CarOrder.prepaid), 0)).where(
            CarOrder.station_id == station_id, CarOrder.pay_state == PayState.PAID)).scalar_one()
        stored = dict(run(sa.select(PaymentNotification.state, sa.func.count())
                          .group_by(PaymentNotification.state)).all())
        outcomes = dict(run(sa.select(PaymentNotification.reason, sa.func.count())
                            .group_by(PaymentNotification.reason)).all())
        paid_numbers = run(sa.select(sa.func.count(sa.distinct(PaymentNotification.out_no)))
                           .where(PaymentNotification.reason == "paid")).scalar_one()
        refunds = run(sa.select(sa.func.count()).select_from(Refund)).scalar_one()
        rows = {r.out_trade_no: r for r in run(sa.select(Payment.out_trade_no, Payment.vendor_trade_no,
                                                         Payment.payer_id, Payment.paid_at, Payment.notified_at))}
        order_ids = set(run(sa.select(CarOrder.id).where(CarOrder.station_id == station_id)).scalars())
        db.session.remove()
    wrong_vendor_no = sum(1 for number, note in zip(world["numbers"], notes)
                          if rows[number].vendor_trade_no != note["transaction_id"])
    wrong_payer = sum(1 for number, openid in zip(world["numbers"], world["openids"])
                      if rows[number].payer_id != openid)
    return {"payments_by_state": {k.value: v for k, v in payments.items()},
            "orders_by_pay_state": {k.value: v for k, v in orders.items()},
            "paid_payments_total": str(paid_sum), "seeded_total": str(sum(world["amounts"], Decimal("0.00"))),
            "paid_orders_prepaid_total": str(prepaid_sum),
            "notifications_by_state": {k.value: v for k, v in stored.items()},
            "notification_outcomes": outcomes, "payments_with_a_paid_notification": paid_numbers,
            "refunds": refunds, "vendor_trade_no_missing_or_wrong": wrong_vendor_no, "payer_id_wrong": wrong_payer,
            "paid_at_missing": sum(1 for r in rows.values() if r.paid_at is None),
            "notified_at_missing": sum(1 for r in rows.values() if r.notified_at is None),
            "_order_ids": order_ids}


def checks(args, found: dict, starts: list[tuple[str, int]], delivery: dict, tracebacks: int) -> dict:
    """The acceptance checks (each ``True`` when it holds)."""
    n, deliveries = args.payments, args.payments * args.copies
    order_ids = found.pop("_order_ids")
    return {
        f"exactly {n} payments paid, none in another state": found["payments_by_state"] == {"paid": n},
        f"exactly {n} orders paid": found["orders_by_pay_state"] == {"paid": n},
        "ledger balanced: paid payments = seeded amounts = paid orders' prepaid":
            Decimal(found["paid_payments_total"]) == Decimal(found["seeded_total"])
            == Decimal(found["paid_orders_prepaid_total"]),
        f"{deliveries} notifications stored, all applied": found["notifications_by_state"] == {"applied": deliveries},
        "exactly one paid notification per payment, the rest duplicates":
            found["notification_outcomes"] == {"paid": n, **({"duplicate": deliveries - n} if deliveries > n else {})}
            and found["payments_with_a_paid_notification"] == n,
        "no refund (no late payment)": found["refunds"] == 0,
        "every payment has the vendor's transaction_id and the payer's openid":
            found["vendor_trade_no_missing_or_wrong"] == 0 and found["payer_id_wrong"] == 0
            and found["paid_at_missing"] == 0 and found["notified_at_missing"] == 0,
        "exactly one start job per paid order queued on rq":
            len(starts) == n and {(k, i) for k, i in starts} == {("car", i) for i in order_ids},
        f"every delivery acknowledged (HTTP 204), {deliveries} in all":
            delivery["status_counts"] == {"204": deliveries} and delivery["errors"] == 0,
        "every burst sent together (no broken barrier)": delivery["broken_barriers"] == 0,
        "no traceback in the web logs": tracebacks == 0,
    }


def main() -> None:
    args = parse_args()
    begun = time.perf_counter()

    import chargehub_billing_standard.plugin as billing_standard  # noqa: PLC0415
    import chargehub_wechatpay.plugin as wechatpay  # noqa: PLC0415
    import chargehub_ykc.plugin as ykc  # noqa: PLC0415
    from chargehub_wechatpay import signing  # noqa: PLC0415
    from chargehub_wechatpay.testing import WechatPaySandbox  # noqa: PLC0415

    from bench._payments_seed import notifications, schedule, seed  # noqa: PLC0415
    from chargehub.app import create_app  # noqa: PLC0415
    from chargehub.extensions import db  # noqa: PLC0415
    from chargehub.testing.database import temporary_database  # noqa: PLC0415
    from chargehub.testing.helpers import delete_namespace  # noqa: PLC0415

    params = {k: v for k, v in vars(args).items() if k not in ("database", "redis")}
    result: dict = {"params": params | {"database": "postgresql", "web": web_name(args.web)},
                    "load_average_at_start": load_average()}
    namespace = f"bench-payments-{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="bench-payments-") as tmp_name, \
            temporary_database(args.database, Path(tmp_name)) as url, WechatPaySandbox() as sandbox:
        tmp = Path(tmp_name)
        app = create_app(app_settings(url, tmp_name, PLUGINS_EXTRA=[billing_standard, ykc, wechatpay]))
        result["seed"], world = seed(app, sandbox, args.payments, args.seed)
        print("seed", json.dumps(result["seed"]), flush=True)
        started = time.perf_counter()
        notes = notifications(sandbox, world)
        result["notifications_build_seconds"] = round(time.perf_counter() - started, 1)
        entries, result["schedule"] = schedule(args.payments, args.copies, args.seed)
        print("schedule", json.dumps(result["schedule"]), flush=True)
        env = process_env(url, tmp_name, args.redis, namespace) | {
            "CHARGEHUB_PLUGINS": f"{PLUGINS},chargehub_wechatpay.plugin"}
        servers = start_web(env, tmp, args.web)
        try:
            result["load_average_before_delivery"] = load_average()
            job = {"bases": [f"127.0.0.1:{port}" for _, port in servers], "clients": args.clients,
                   "path": f"/api/v1/payments/notify/wechatpay/car/{world['station_id']}",
                   "notifications": [{"body": n["body"], "headers": n["headers"]} for n in notes],
                   "schedule": entries, "platform_private_key": signing.private_key_pem(sandbox.platform_key),
                   "platform_key_id": sandbox.platform_key_id, "resign_after": args.resign_after,
                   "pids": {"web": [process.pid for process, _ in servers]}}
            result["delivery"] = delivery = run_client(job, timeout=3 * 3600)
            print("delivery", json.dumps(delivery), flush=True)
        finally:
            stop_web(servers)
        tracebacks = sum((tmp / f"web-{port}.log").read_text(errors="replace").count("Traceback")
                         for _, port in servers)
        try:
            starts = queued_starts(args.redis, namespace)
        finally:
            drop_jobs(args.redis, namespace)
            delete_namespace(args.redis, namespace)
        found = ledger(app, world["station_id"], world, notes)
        result["checks"] = checks(args, found, starts, delivery, tracebacks)
        result["found"] = found | {"start_jobs_queued": len(starts), "web_log_tracebacks": tracebacks}
        with app.app_context():
            db.engine.dispose()
    result["run_seconds"] = round(time.perf_counter() - begun, 1)
    passed = all(result["checks"].values())
    if passed and args.payments == FULL["payments"] and args.copies == FULL["copies"]:
        write_result("payments", result)
    else:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    if not passed:
        print("FAILED:", [name for name, ok in result["checks"].items() if not ok], file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
