"""Plugin host cost on the request path, on real PostgreSQL and Redis.

Measures, with 3 plugins installed and 100 tenants of which half switched the sample payment plugin on:
``providers("payment_providers", tenant)`` (enablement lookup, settings decryption and validation,
instantiation), ``hooks_for(tenant)`` and ``notify()`` (listener jobs enqueued on rq).

    .venv/bin/python bench/plugin_host.py [--database postgresql://postgres@127.0.0.1:5432/postgres] [--calls 2000]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import percentiles, write_result  # noqa: E402
from chargehub.testing.helpers import delete_namespace  # noqa: E402


def timed(fn, calls: int) -> tuple[dict, float]:
    samples = []
    started = time.perf_counter()
    for i in range(calls):
        t0 = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t0) * 1000)
    return percentiles(samples), round(calls / (time.perf_counter() - started), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()

    import chargehub_sample.plugin as sample
    from flask_migrate import upgrade

    from chargehub.app import create_app
    from chargehub.contracts.events import OrderEvent
    from chargehub.extensions import MIGRATIONS_DIR, db, plugin_host
    from chargehub.tenancy.models import AuditState, ServiceProvider
    from chargehub.testing.database import temporary_database
    from tests import plugins_support as ps

    namespace = f"chbench-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp, temporary_database(args.database, Path(tmp)) as url:
        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": tmp, "PLUGIN_AUTOLOAD": False, "REDIS_URL": args.redis,
                          "REDIS_NAMESPACE": namespace, "LOG_LEVEL": "WARNING",
                          "PLUGINS_EXTRA": [sample, ps.RelayPlugin(), ps.PlatformListenerPlugin()]})
        with app.app_context():
            upgrade(directory=MIGRATIONS_DIR)
            tenants = []
            for i in range(100):
                provider = ServiceProvider(name=f"T{i}", phone=f"1370000{i:04d}", audit_state=AuditState.APPROVED)
                db.session.add(provider)
                db.session.flush()
                tenants.append(provider.id)
            db.session.commit()
            for tenant in tenants[::2]:
                plugin_host.configure("sample", tenant, enabled=True,
                                      settings={"merchant_no": f"M-{tenant:06d}", "api_key": "k" * 24, "fee_rate": "0.006"})
            order = OrderEvent(order_no="B-1", vehicle="car", station_id=1, state="charging", amount=Decimal("1.00"))

            def providers(i):
                registry = plugin_host.providers("payment_providers", tenants[i % 100])
                assert len(registry) == (1 if i % 2 == 0 else 0)
                db.session.remove()

            def hooks(i):
                plugin_host.hooks_for(tenants[i % 100]).order_started
                db.session.remove()

            def notify(i):
                plugin_host.notify("order_started", tenants[i % 100], order=order)
                db.session.remove()

            providers_stats, providers_rate = timed(providers, args.calls)
            hooks_stats, hooks_rate = timed(hooks, args.calls)
            notify_stats, notify_rate = timed(notify, args.calls)
            db.engine.dispose()
        write_result("plugin_host", {
            "params": {"database": "postgresql" if args.database.startswith("postgres") else args.database,
                       "calls": args.calls, "tenants": 100, "plugins": 3},
            "providers_payment": providers_stats | {"per_s": providers_rate},
            "hooks_for": hooks_stats | {"per_s": hooks_rate},
            "notify_enqueue_rq": notify_stats | {"per_s": notify_rate},
        })
    delete_namespace(args.redis, namespace)


if __name__ == "__main__":
    main()
