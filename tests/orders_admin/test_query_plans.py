"""The order lists stay fast: the statements the list and totals endpoints really run (captured from the
engine) are EXPLAINed on the test database — PostgreSQL or SQLite — over 10,000 orders, and must search
through the created-at indexes, never scan the whole order table. The list selects plain columns (no
joins) and runs exactly two statements per page (rows, count); the totals one."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from chargehub.assets.car_models import CarArea, CarStation, Gun, Pile
from chargehub.charging.models import CarOrder, OrderState, PayMethod
from chargehub.extensions import db
from chargehub.tenancy.models import Property
from tests.orders_admin.conftest import day, local_utc

LIST = "/api/v1/admin/car-orders"
ORDERS, STATIONS, DAYS = 10_000, 20, 60
INDEXES = {"ix_car_order_station_created", "ix_car_order_provider_created", "ix_car_order_created"}


def _stations(provider_id: int, count: int) -> list[dict]:
    prop = Property(name=f"物业{provider_id}", phone=f"1370000{provider_id:04d}", provider_id=provider_id)
    db.session.add(prop)
    db.session.flush()
    owner = {"provider_id": provider_id, "property_id": prop.id}
    out = []
    for n in range(count):
        station = CarStation(name=f"电站{provider_id}-{n}", **owner)
        db.session.add(station)
        db.session.flush()
        area = CarArea(station_id=station.id, code=f"Q{provider_id}-{n}", name="默认区域", **owner)
        db.session.add(area)
        db.session.flush()
        pile = Pile(station_id=station.id, area_id=area.id, code=f"Q{provider_id}P{n:03d}",
                    factory_id=f"Q{provider_id}F{n:03d}", name=f"{n}号桩", **owner)
        db.session.add(pile)
        db.session.flush()
        gun = Gun(station_id=station.id, area_id=area.id, pile_id=pile.id, number=1, name="1号枪", **owner)
        db.session.add(gun)
        db.session.flush()
        out.append({**owner, "station_id": station.id, "area_id": area.id, "pile_id": pile.id, "gun_id": gun.id,
                    "station_name": station.name, "device_code": pile.code, "factory_id": pile.factory_id})
    return out


@pytest.fixture
def many_orders(make_provider, admin_token, auth_headers):
    """10,000 car orders of two providers over 20 stations and 60 days; ANALYZEd."""
    (first, owner), (second, _) = make_provider("服务商甲"), make_provider("服务商乙")
    places = _stations(first.id, STATIONS // 2) + _stations(second.id, STATIONS // 2)
    rows = [{**places[i % STATIONS], "trade_no": f"Q{i:031d}", "gun_number": 1, "state": OrderState.COMPLETED,
             "pay_method": PayMethod.BALANCE, "prepaid": Decimal("50.00"), "amount": Decimal("12.30"),
             "phone": f"139{i % 1000:08d}", "created_at": local_utc(i % DAYS, (i * 7) % 24, i % 60)}
            for i in range(ORDERS)]
    for start in range(0, ORDERS, 2000):
        db.session.execute(sa.insert(CarOrder), rows[start:start + 2000])
    db.session.commit()
    with db.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE car_order" if db.engine.dialect.name == "postgresql" else "ANALYZE")
        connection.commit()
    return {"provider": auth_headers(owner), "admin": admin_token, "station_id": places[3]["station_id"]}


@contextmanager
def captured():
    """Collect ``(sql, parameters)`` of every statement on ``car_order`` run inside the block."""
    seen: list[tuple[str, object]] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        if "car_order" in statement:
            seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)


def plan(statement: str, parameters) -> str:
    """The database's plan of ``statement`` as one text."""
    postgres = db.engine.dialect.name == "postgresql"
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + statement, parameters)
        text = "\n".join(str(row[0] if postgres else row[-1]) for row in rows)
        connection.rollback()
    return text


def full_scan(text: str) -> bool:
    if db.engine.dialect.name == "postgresql":
        return "Seq Scan on car_order" in text
    return any(line.strip().startswith("SCAN car_order") and "INDEX" not in line for line in text.splitlines())


#: (who asks, list arguments, the index the rows query must use); ``station_id`` True: one of the stations,
#: dates in days ago.
CASES = (
    ("provider", {"station_id": True}, "ix_car_order_station_created"),
    ("provider", {"station_id": True, "page": 6}, "ix_car_order_station_created"),
    ("provider", {}, None),
    ("admin", {}, None),
    ("admin", {"created_from": 20, "created_to": 14, "page": 30}, None),
)


def _check(client, many_orders, who, args, index) -> None:
    query = {"page_size": 20, **args}
    if args.get("station_id"):
        query["station_id"] = many_orders["station_id"]
    for name in ("created_from", "created_to"):
        if name in args:
            query[name] = day(args[name])
    headers = many_orders[who]
    with captured() as statements:
        page = client.get(LIST, headers=headers, query_string=query)
    assert page.status_code == 200, page.json
    assert len(page.json["items"]) == min(20, page.json["total"] - (query.get("page", 1) - 1) * 20) > 0
    assert len(statements) == 2  # the page's rows and its count: nothing per row
    rows_sql = statements[0][0]
    assert " JOIN " not in rows_sql.upper() and "car_order.samples" not in rows_sql and "car_order.bill" not in rows_sql
    with captured() as totals:
        response = client.get(f"{LIST}/totals", headers=headers, query_string={k: v for k, v in query.items()
                                                                             if k not in ("page", "page_size")})
    assert response.status_code == 200 and response.json["count"] == page.json["total"]
    assert len(totals) == 1
    for sql, parameters in statements + totals:
        text = plan(sql, parameters)
        assert not full_scan(text), f"full scan of car_order:\n{sql}\n{text}"
        assert any(name in text for name in INDEXES), f"no created-at index:\n{sql}\n{text}"
    if index:
        assert index in plan(*statements[0])


def test_list_and_totals_use_the_created_at_indexes(client, many_orders):
    for who, args, index in CASES:  # one dataset for every case: seeding 10,000 orders is the slow part
        try:
            _check(client, many_orders, who, args, index)
        except AssertionError as exc:
            raise AssertionError(f"case {who} {args}: {exc}") from exc


def test_default_window_counts_only_the_last_seven_days(client, many_orders):
    page = client.get(LIST, headers=many_orders["admin"], query_string={"page_size": 1}).json
    cutoff = local_utc(6)
    expected = db.session.execute(sa.select(sa.func.count()).select_from(CarOrder)
                                  .where(CarOrder.created_at >= cutoff,
                                         CarOrder.created_at < local_utc(0) + timedelta(days=1))).scalar_one()
    assert page["total"] == expected
    assert 0 < expected < ORDERS // 5
