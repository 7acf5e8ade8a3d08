"""Seeding for bench/orders.py: a charging network of several providers and a year of car orders.

:func:`seed_network` inserts (bulk, SQLAlchemy core) ``PROVIDERS`` approved providers, two properties
each, a provider-owner user each and a platform administrator, car stations with a default area and
4–20 YKC piles of two guns each (busy and quiet stations), and ``drivers`` drivers.

:func:`seed_orders` then writes the ``car_order`` rows with ``INSERT … SELECT`` over ``generate_series``
on the server (no rows travel through Python; batches of 100,000 on two connections): every NOT NULL
column is filled the way the order module fills it — names, codes and the phone copied from the gun,
pile, station, area and driver; a unique 32-digit YKC trade number (pile code, gun, local start time, counter);
96.5 % 订单完成 (settled by the device, a few by an operator) and 3.5 % 订单异常 (refused or not
confirmed, prepaid returned); prepaid 30/50/100/200 yuan and the amounts of a ~1.40 yuan/kWh rule
(2-decimal numerics); the itemized bill; meter samples one a minute (taken from a pool of 60 series of
2–120 samples by the order's duration, so the rows and their TOAST have the real size). Orders are
spread evenly over the last ``days`` days, ids rising with ``created_at`` like real inserts, and
uniformly over the guns (so stations with more piles are busier).

:func:`seed` does both on a freshly migrated database and ends with ``VACUUM ANALYZE`` (the state
autovacuum brings a table to: statistics and the visibility map); :func:`load_network` reads back what
the benchmark's parts need, also from a database seeded by an earlier run.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass

import sqlalchemy as sa

#: (stations, properties) per provider: the first provider is the big one the benchmark signs in as.
PROVIDERS = (12, 10, 8, 6, 4)
GUNS_PER_PILE = 2
#: The rule every seeded order was billed by (yuan per kWh: electricity, service).
ELECTRICITY_PRICE, SERVICE_PRICE = "0.75000", "0.65000"
RULE_TEXT = "电费 0.75 元/度，服务费 0.65 元/度"


@dataclass(frozen=True)
class OrderNetwork:
    """Ids of the seeded network: providers in order, their owner users, every car station by provider."""

    provider_ids: tuple[int, ...]
    owner_ids: tuple[int, ...]
    admin_id: int
    stations: dict[int, tuple[int, ...]]
    first_driver_id: int
    drivers: int


def seed_network(connection: sa.Connection, drivers: int, seed: int = 1) -> OrderNetwork:
    """Insert the network described in the module docstring on ``connection`` (caller commits)."""
    from chargehub.assets.car_models import CarArea, CarStation, Gun, Pile  # noqa: PLC0415
    from chargehub.members.models import Driver  # noqa: PLC0415
    from chargehub.tenancy.models import AuditState, Property, ServiceProvider, User, UserType  # noqa: PLC0415

    rng = random.Random(seed)
    admin_id = connection.execute(sa.insert(User).returning(User.id), {
        "phone": "13800000000", "name": "平台管理员", "password_hash": "x", "user_type": UserType.SYSTEM,
        "is_owner": True}).scalar_one()
    provider_ids, owner_ids, stations = [], [], {}
    pile_serial = 0
    for p, station_count in enumerate(PROVIDERS):
        provider_id = connection.execute(sa.insert(ServiceProvider).returning(ServiceProvider.id), {
            "name": f"基准充电服务商{p + 1}", "phone": f"1370000{p:04d}", "audit_state": AuditState.APPROVED,
            "contact": f"联系人{p + 1}"}).scalar_one()
        property_ids = connection.execute(sa.insert(Property).returning(Property.id), [
            {"provider_id": provider_id, "name": f"基准物业{p + 1}-{k + 1}", "phone": f"1360000{p:02d}{k:02d}",
             "city": "深圳市"} for k in range(2)]).scalars().all()
        owner_ids.append(connection.execute(sa.insert(User).returning(User.id), {
            "phone": f"1371000{p:04d}", "name": f"服务商{p + 1}负责人", "password_hash": "x",
            "user_type": UserType.PROVIDER, "provider_id": provider_id, "is_owner": True}).scalar_one())
        provider_ids.append(provider_id)
        own = []
        for s in range(station_count):
            owner = {"provider_id": provider_id, "property_id": property_ids[s % 2]}
            station_id = connection.execute(sa.insert(CarStation).returning(CarStation.id), {
                "name": f"基准{p + 1}号服务商第{s + 1}充电站", "audit_state": AuditState.APPROVED, "city": "深圳市",
                "address": f"南山区科技路{p * 100 + s + 1}号", "hotline": "4008001234", **owner}).scalar_one()
            area_id = connection.execute(sa.insert(CarArea).returning(CarArea.id), {
                "station_id": station_id, "code": f"OA{p:02d}{s:03d}", "name": "默认区域", "is_default": True,
                **owner}).scalar_one()
            piles = rng.randint(4, 20)
            pile_ids = connection.execute(sa.insert(Pile).returning(Pile.id, sort_by_parameter_order=True), [
                {"station_id": station_id, "area_id": area_id, "code": f"OP{pile_serial + n:08d}",
                 "factory_id": f"7701{pile_serial + n:010d}", "name": f"{n + 1}号桩", "gun_count": GUNS_PER_PILE,
                 "protocol": "ykc", **owner} for n in range(piles)]).scalars().all()
            pile_serial += piles
            connection.execute(sa.insert(Gun), [
                {"station_id": station_id, "area_id": area_id, "pile_id": pile_id, "number": g,
                 "name": f"{g}号枪", "qr_token": f"o{pile_id:011d}{g:02d}", **owner}
                for pile_id in pile_ids for g in range(1, GUNS_PER_PILE + 1)])
            own.append(station_id)
        stations[provider_id] = tuple(own)
    connection.execute(sa.text(
        "INSERT INTO driver (phone, nickname, name, gender, plate, enabled, verified, last_login_at, created_at,"
        " updated_at) SELECT '139' || lpad(i::text, 8, '0'), '车主' || i, '', 'unknown',"
        " '粤B' || lpad(((i * 7919) % 100000)::text, 5, '0'), true, true, now() - interval '1 day',"
        " now() - interval '400 days', now() FROM generate_series(1, :n) AS i ORDER BY i"), {"n": drivers})
    # ids are consecutive from the first driver's (one statement, ordered): orders pick drivers by offset
    first = connection.execute(sa.select(Driver.id).where(Driver.phone == "13900000001")).scalar_one()
    return OrderNetwork(tuple(provider_ids), tuple(owner_ids), admin_id, stations, first, drivers)


_SAMPLE_POOL = """
CREATE TEMP TABLE bench_samples ON COMMIT DROP AS
SELECT k, (SELECT jsonb_agg(jsonb_build_array(1700000000 + m * 60, m * 9000 + (k * 37) % 900, 52000 + (m * 131) % 8000))
           FROM generate_series(0, 2 * k + 1) AS m) AS samples
FROM generate_series(0, 59) AS k
"""

_GUNS = """
CREATE TEMP TABLE bench_gun ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY g.id)::int AS n, g.id AS gun_id, g.number AS gun_number, g.pile_id,
       p.code AS device_code, p.factory_id, g.station_id, s.name AS station_name, g.area_id, a.name AS area_name,
       g.provider_id, g.property_id
FROM gun g JOIN pile p ON p.id = g.pile_id JOIN car_station s ON s.id = g.station_id
     JOIN car_area a ON a.id = g.area_id
WHERE g.provider_id = ANY(:providers)
"""

# r1..r8: independent uniform draws per order; the CASEs below turn them into the order's story. The
# MATERIALIZED steps compute each derived value once per row (inlined, they would be recomputed per use).
_ORDERS = """
WITH src AS (
  SELECT i, 1 + floor(random() * CAST(:guns AS integer))::int AS gn,
         CAST(:start_at AS timestamptz) + (i - 1) * CAST(:step AS double precision) * interval '1 second'
           + floor(random() * 59) * interval '1 second' AS created,
         random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6,
         random() AS r7, random() AS r8,
         :first_driver + floor(random() * :drivers)::int AS drv
  FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS i
), a AS (
  SELECT src.*, g.*,
         r1 < 0.965 AS ok,
         CASE WHEN r2 < 0.55 THEN 'balance' WHEN r2 < 0.92 THEN 'wechat' WHEN r2 < 0.99 THEN 'card' ELSE 'free' END
           AS pay,
         CASE WHEN r3 < 0.85 THEN 'app' WHEN r3 < 0.95 THEN 'card' WHEN r3 < 0.98 THEN 'vin' ELSE 'admin' END
           AS method,
         (ARRAY[30, 50, 50, 100, 100, 200])[1 + floor(r4 * 6)::int]::numeric(14, 2) AS pre,
         18000 + floor(r6 * 102000)::int AS avg_w
  FROM src JOIN bench_gun g ON g.n = src.gn
), b AS MATERIALIZED (
  SELECT a.*,
         CASE WHEN pay = 'free' THEN 0::numeric(14, 2) ELSE pre END AS prepaid,
         CASE WHEN ok THEN round(pre / 1.4 * (0.12 + 0.86 * r5::numeric), 4) ELSE 0 END AS kwh,
         created + (3 + floor(r6 * 12)::int) * interval '1 second' AS started
  FROM a
), c AS MATERIALIZED (
  SELECT b.*, round(kwh * 0.75, 2) AS efee, round(kwh * 0.65, 2) AS sfee,
         CASE WHEN ok THEN greatest(60, round(kwh * 3600000 / avg_w)::int) ELSE 0 END AS dur
  FROM b
), d AS MATERIALIZED (
  SELECT c.*, efee + sfee AS total,
         CASE WHEN ok THEN started + dur * interval '1 second' ELSE created + interval '90 seconds' END AS ended
  FROM c
)
INSERT INTO car_order (
  station_id, area_id, pile_id, gun_id, gun_number, plate, vin, soc, trade_no, provider_id, property_id, driver_id,
  phone, card_no, station_name, area_name, device_code, factory_id, order_type, start_method, reservation_id, state,
  state_changed_at, active_key, pay_method, pay_state, invoice_state, prepaid, electricity_fee, service_fee, amount,
  refunded, energy_kwh, duration_s, power_w, max_power_w, rule_id, rule_version_id, rule_name, rule_text, bill,
  samples, started_at, ended_at, settled_at, settled_by, last_report_at, stop_requested_at, end_reason,
  stop_reason_code, review, device_figures, created_at, updated_at, created_by, ended_by)
SELECT
  station_id, area_id, pile_id, gun_id, gun_number,
  CASE WHEN method = 'admin' THEN '' ELSE '粤B' || lpad(((drv * 7919) % 100000)::text, 5, '0') END,
  CASE WHEN method = 'vin' THEN 'LSVAU2180N' || lpad(drv::text, 7, '0') ELSE '' END,
  CASE WHEN ok THEN 80 + floor(r5 * 21)::int END,
  factory_id || lpad(gun_number::text, 2, '0') || to_char(created AT TIME ZONE 'Asia/Shanghai', 'YYMMDDHH24MISS')
    || lpad((i % 10000)::text, 4, '0'),
  provider_id, property_id,
  CASE WHEN method = 'admin' THEN NULL ELSE drv END,
  CASE WHEN method = 'admin' THEN '' ELSE '139' || lpad((drv - :first_driver + 1)::text, 8, '0') END,
  CASE WHEN method = 'card' THEN '8860' || lpad(drv::text, 12, '0') ELSE '' END,
  station_name, area_name, device_code, factory_id,
  CASE WHEN r4 > 0.995 THEN 'reservation' ELSE 'normal' END, method, NULL,
  CASE WHEN ok THEN 'completed' ELSE 'failed' END,
  ended + interval '2 seconds', NULL, pay,
  CASE WHEN pay = 'free' THEN 'unpaid' WHEN NOT ok THEN 'refunded'
       WHEN prepaid > total THEN 'partially_refunded' ELSE 'paid' END,
  CASE WHEN ok AND r7 < 0.05 THEN 'invoiced' ELSE 'none' END,
  prepaid, efee, sfee, CASE WHEN pay = 'free' THEN 0 ELSE total END,
  CASE WHEN pay = 'free' THEN 0 WHEN ok THEN prepaid - total ELSE prepaid END,
  kwh, dur, CASE WHEN ok THEN avg_w / 4 ELSE 0 END, CASE WHEN ok THEN avg_w + avg_w / 10 ELSE 0 END,
  NULL, NULL, '基准分时计费', CAST(:rule_text AS text),
  CASE WHEN ok THEN jsonb_build_object(
    'mode', 'car_tou', 'free', false, 'stop_reason', NULL, 'energy_kwh', kwh::text,
    'electricity_fee', efee::text, 'service_fee', sfee::text, 'total', (efee + sfee)::text,
    'lines', jsonb_build_array(jsonb_build_object(
      'key', 'flat', 'label', '平', 'seconds', dur, 'units', 0, 'energy_kwh', kwh::text,
      'electricity_price', CAST(:eprice AS text), 'service_price', CAST(:sprice AS text), 'electricity_fee', efee::text,
      'service_fee', sfee::text, 'amount', (efee + sfee)::text)))
  ELSE '{}'::jsonb END,
  coalesce(pool.samples, '[]'::jsonb),
  CASE WHEN ok THEN started END, ended, ended + interval '2 seconds',
  CASE WHEN NOT ok THEN 'system' WHEN r1 > 0.96 THEN 'operator' ELSE 'device' END,
  CASE WHEN ok THEN ended END,
  CASE WHEN ok AND r8 < 0.4 THEN ended - interval '1 second' END,
  CASE WHEN NOT ok AND r5 < 0.5 THEN '启动超时，桩未确认 (start not confirmed)'
       WHEN NOT ok THEN '桩拒绝启动：枪未插好 (gun not plugged)'
       WHEN r8 < 0.4 THEN '用户主动结束 (stopped by the driver)'
       WHEN r5 > 0.9 THEN '余额不足自动结束 (prepaid balance below 1 yuan)'
       ELSE '充电完成：SOC 已满 (battery full)' END,
  CASE WHEN NOT ok THEN '' WHEN r8 < 0.4 THEN '40' WHEN r5 > 0.9 THEN '42' ELSE '41' END,
  'none', '{}'::jsonb, created, ended + interval '2 seconds',
  CASE WHEN method = 'admin' THEN CAST(:admin AS integer) END,
  CASE WHEN ok AND r1 > 0.96 THEN CAST(:admin AS integer) END
FROM d LEFT JOIN bench_samples AS pool ON pool.k = CASE WHEN ok THEN least(59, dur / 120) END
"""


def seed_orders(engine: sa.Engine, network: OrderNetwork, orders: int, days: int = 365, *, batch: int = 100_000,
                workers: int = 2) -> None:
    """Insert ``orders`` car orders over the last ``days`` days (see the module docstring): batches of
    ``batch`` orders, each in its own transaction, ``workers`` of them at a time (one connection each;
    every batch seeds its own random sequence, so the data does not depend on the scheduling). The
    caller runs ``ANALYZE``."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    with engine.connect() as conn:
        guns = conn.execute(sa.text("SELECT count(*) FROM gun WHERE provider_id = ANY(:p)"),
                            {"p": list(network.provider_ids)}).scalar_one()
        start_at = conn.execute(sa.text(
            "SELECT date_trunc('minute', now()) - make_interval(days => :d)"), {"d": days}).scalar_one()
    params = {"guns": guns, "start_at": start_at, "step": (days * 86400.0 - 3600) / orders,
              "first_driver": network.first_driver_id, "drivers": network.drivers, "admin": network.admin_id,
              "rule_text": RULE_TEXT, "eprice": ELECTRICITY_PRICE, "sprice": SERVICE_PRICE}
    batches = [(n, lo, min(orders, lo + batch - 1)) for n, lo in enumerate(range(1, orders + 1, batch))]

    def insert(job: tuple[int, int, int]) -> None:
        number, lo, hi = job
        with engine.begin() as conn:
            # no JIT (it costs more than it saves here); the materialized CTEs stay in memory
            conn.execute(sa.text("SET LOCAL jit = off"))
            conn.execute(sa.text("SET LOCAL work_mem = '256MB'"))
            conn.execute(sa.text("SELECT setseed(:s)"), {"s": (number + 1) / (len(batches) + 1)})
            conn.execute(sa.text(_SAMPLE_POOL))
            conn.execute(sa.text(_GUNS), {"providers": list(network.provider_ids)})
            conn.execute(sa.text(_ORDERS), params | {"lo": lo, "hi": hi})

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(insert, batches))


def seed(app, orders: int, drivers: int) -> dict:
    """Migrate, seed the network and ``orders`` orders, ``VACUUM ANALYZE``; return the timings."""
    from flask_migrate import upgrade  # noqa: PLC0415

    from chargehub.extensions import MIGRATIONS_DIR, db  # noqa: PLC0415

    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        started = time.perf_counter()
        with db.engine.begin() as conn:
            network = seed_network(conn, drivers)
        network_seconds = time.perf_counter() - started
        started = time.perf_counter()
        seed_orders(db.engine, network, orders)
        insert_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM (ANALYZE) car_order, driver, gun, pile, car_station"))
            size = conn.execute(sa.text("SELECT pg_total_relation_size('car_order')")).scalar_one()
        vacuum_seconds = time.perf_counter() - started
        db.engine.dispose()
    return {"orders": orders, "drivers": drivers, "network_seconds": round(network_seconds, 1),
            "orders_insert_seconds": round(insert_seconds, 1), "vacuum_analyze_seconds": round(vacuum_seconds, 1),
            "car_order_total_mb": round(size / 2**20)}


def load_network(app) -> dict:
    """The seeded providers, their owners and stations (what the parts need), read back from the database."""
    from chargehub.assets.car_models import CarStation  # noqa: PLC0415
    from chargehub.extensions import db  # noqa: PLC0415
    from chargehub.tenancy.models import ServiceProvider, User, UserType  # noqa: PLC0415

    with app.app_context():
        provider_id = db.session.execute(sa.select(ServiceProvider.id).where(
            ServiceProvider.name == "基准充电服务商1")).scalar_one()
        owner_id = db.session.execute(sa.select(User.id).where(
            User.provider_id == provider_id, User.is_owner.is_(True), User.user_type == UserType.PROVIDER)).scalar_one()
        stations = db.session.execute(sa.select(CarStation.id).where(
            CarStation.provider_id == provider_id)).scalars().all()
        db.session.remove()
    return {"provider_id": provider_id, "owner_id": owner_id, "stations": stations}
