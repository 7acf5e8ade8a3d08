"""Seeding and the vendor's notifications for bench/payments.py.

:func:`seed` migrates the fresh database, seeds one provider and car station with ``piles`` YKC piles of
two guns (:func:`chargehub.testing.network.seed_pile_network`), switches the ``wechatpay`` plugin on for
the provider and the station with a :class:`~chargehub_wechatpay.testing.WechatPaySandbox`'s settings
(what ``tests/payments/conftest.configure_payment`` does), and bulk-inserts (SQLAlchemy core, model
defaults) ``payments`` car orders 启动中 / 待支付 (``starting``, ``unpaid``, pay method ``wechat``, from the
app, spread round-robin over the guns, ``active_key`` NULL so that many orders share a gun), each with a
PENDING ``wechatpay`` payment of a random amount from 10.00 to 99.99 yuan (the order's prepaid amount).

:func:`notifications` builds each payment's ``TRANSACTION.SUCCESS`` notification with the sandbox
(:meth:`~chargehub_wechatpay.testing.WechatPaySandbox.notification`: the resource is the sandbox's own
transaction document, encrypted with the APIv3 key, the envelope signed with the platform key).

:func:`schedule` lays out every delivery (see its docstring).
"""
from __future__ import annotations

import random
import secrets
import time
from decimal import Decimal
from types import SimpleNamespace

import sqlalchemy as sa

PLUGIN = "wechatpay"
PILES = 50


def seed(app, sandbox, payments: int, seed_value: int) -> tuple[dict, dict]:
    """Seed the database (see the module docstring); ``(figures, world)`` where ``world`` holds the station
    id and each payment's ``out_trade_no`` and amount (Decimal) in insertion order."""
    from flask_migrate import upgrade  # noqa: PLC0415

    from chargehub.assets.car_models import CarArea, CarStation, Gun, Pile  # noqa: PLC0415
    from chargehub.assets.services.stations_config import save_payment_config  # noqa: PLC0415
    from chargehub.charging.models import CarOrder, OrderState, PayMethod, PayState, StartMethod  # noqa: PLC0415
    from chargehub.extensions import MIGRATIONS_DIR, db, plugin_host  # noqa: PLC0415
    from chargehub.members.models import Driver  # noqa: PLC0415
    from chargehub.payments.models import Payment, PaymentState  # noqa: PLC0415
    from chargehub.payments.service import record_columns  # noqa: PLC0415
    from chargehub.testing.network import seed_pile_network  # noqa: PLC0415

    rng = random.Random(seed_value)
    started = time.perf_counter()
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        network = seed_pile_network(PILES, guns=2, prefix="7301", name="支付基准")
        plugin_host.configure(PLUGIN, network.provider_id, enabled=True, settings=sandbox.tenant_settings())
        station = db.session.get(CarStation, network.station_id)
        save_payment_config("car", station, PLUGIN, True, sandbox.station_settings())
        network_seconds = time.perf_counter() - started

        started = time.perf_counter()
        guns = db.session.execute(
            sa.select(Gun.id, Gun.number, Gun.pile_id, Pile.code, Pile.factory_id, CarArea.name.label("area_name"))
            .join(Pile, Pile.id == Gun.pile_id).join(CarArea, CarArea.id == Gun.area_id)
            .where(Gun.station_id == station.id).order_by(Gun.id)).all()
        drivers = db.session.execute(sa.insert(Driver).returning(Driver.id, sort_by_parameter_order=True), [
            {"phone": f"1591{n:07d}", "nickname": f"支付基准车主{n}", "verified": True}
            for n in range(min(payments, 1000))]).scalars().all()
        stamp = time.strftime("%y%m%d%H%M%S")
        amounts = [Decimal(rng.randint(1000, 9999)).scaleb(-2) for _ in range(payments)]
        orders = []
        for n in range(payments):
            gun = guns[n % len(guns)]
            orders.append({
                "station_id": station.id, "area_id": network.area_id, "pile_id": gun.pile_id,
                "gun_id": gun.id, "gun_number": gun.number, "trade_no": f"{gun.factory_id}{gun.number:02d}{n:016d}",
                "provider_id": station.provider_id, "property_id": station.property_id,
                "driver_id": drivers[n % len(drivers)], "phone": f"1591{n % len(drivers):07d}",
                "station_name": station.name, "area_name": gun.area_name, "device_code": gun.code,
                "factory_id": gun.factory_id, "start_method": StartMethod.APP, "state": OrderState.STARTING,
                "active_key": None, "pay_method": PayMethod.WECHAT, "pay_state": PayState.UNPAID,
                "prepaid": amounts[n], "rule_id": network.rule_id or None, "rule_name": "支付基准分时计费"})
        order_ids = []
        for lo in range(0, payments, 5000):
            order_ids += db.session.execute(sa.insert(CarOrder).returning(CarOrder.id, sort_by_parameter_order=True),
                                            orders[lo:lo + 5000]).scalars().all()
        numbers = [f"P{stamp}{n:012d}" for n in range(payments)]
        rows = []
        for n, (order, order_id) in enumerate(zip(orders, order_ids)):
            copy = SimpleNamespace(**order, id=order_id, kind="car")
            rows.append({**record_columns(copy), "out_trade_no": numbers[n], "plugin": PLUGIN, "amount": amounts[n],
                         "state": PaymentState.PENDING, "payer_id": f"o{secrets.token_hex(13)}", "split": False,
                         "raw": {}, "client_params": {}})
        for lo in range(0, payments, 5000):
            db.session.execute(sa.insert(Payment), rows[lo:lo + 5000])
        db.session.commit()
        insert_seconds = time.perf_counter() - started
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM (ANALYZE) car_order, payment, payment_notification, refund"))
        station_id = station.id
        db.session.remove()
    world = {"station_id": station_id, "numbers": numbers, "amounts": amounts,
             "openids": [r["payer_id"] for r in rows]}
    return {"payments": payments, "guns": len(guns), "drivers": len(drivers),
            "network_seconds": round(network_seconds, 1), "orders_and_payments_insert_seconds": round(insert_seconds, 1),
            "seeded_amount_total": str(sum(amounts, Decimal("0.00")))}, world


def notifications(sandbox, world: dict) -> list[dict]:
    """One ``TRANSACTION.SUCCESS`` notification per payment: ``{"body", "headers", "transaction_id"}``."""
    from chargehub_wechatpay.sandbox_api import now_rfc3339  # noqa: PLC0415

    out = []
    for number, amount, openid in zip(world["numbers"], world["amounts"], world["openids"]):
        order = {"appid": sandbox.appid, "mchid": sandbox.mchid, "out_trade_no": number, "trade_state": "SUCCESS",
                 "trade_state_desc": "支付成功", "attach": "", "openid": openid, "total": int(amount * 100),
                 "transaction_id": f"4200{secrets.randbelow(10**24):024d}", "success_time": now_rfc3339()}
        body, headers = sandbox.notification("TRANSACTION.SUCCESS", sandbox.transaction_doc(order))
        out.append({"body": body.decode(), "headers": headers, "transaction_id": order["transaction_id"]})
    return out


def schedule(payments: int, copies: int, seed_value: int) -> tuple[list[list[int]], dict]:
    """Every delivery in sending order: ``[payment, group, size]`` (see bench/_payments_client.py).

    Each payment's ``copies`` copies: a burst of ``k`` of them, ``k`` uniform in 2..``copies``, sent
    together by ``k`` client threads (one group), and the other ``copies - k`` as lone copies. The bursts
    and lone copies of all payments are shuffled together, so a payment's lone copies come before or after
    its burst, anywhere in the run, interleaved with every other payment's."""
    rng = random.Random(seed_value)
    units: list[tuple[int, int]] = []
    for payment in range(payments):
        burst = rng.randint(min(2, copies), copies)
        units.append((payment, burst))
        units += [(payment, 1)] * (copies - burst)
    rng.shuffle(units)
    entries, group = [], 0
    for payment, size in units:
        group += 1
        entries += [[payment, group if size > 1 else 0, size]] * size
    sizes = [size for _, size in units if size > 1]
    return entries, {"bursts": len(sizes), "burst_sizes": {str(k): sizes.count(k) for k in sorted(set(sizes))},
                     "lone_copies": sum(1 for _, size in units if size == 1)}
