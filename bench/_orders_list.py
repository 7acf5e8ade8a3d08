"""Part 1 of bench/orders.py: the admin car-order list and its totals under concurrent clients.

The requests: ``GET /api/v1/admin/car-orders`` filtered by station and the last :data:`LIST_DAYS` local
dates, page 1 and a deep page (20 rows a page), and ``GET /api/v1/admin/car-orders/totals`` with the same
filters; the four busiest stations of the big provider in turn. Each is measured back to back and paced
(bench/_orders_client.py) against every ``--web`` configuration. Before that, one request of each is
checked and the SQL the endpoint runs for it is captured and ``EXPLAIN ANALYZE``-d (warm), so the result
says which plan PostgreSQL chose and how long it took on its own.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench._common import status_mb
from bench._orders_procs import load_average, process_env, run_client, start_web, stop_web, web_name

ZONE = ZoneInfo("Asia/Shanghai")
PAGE_SIZE = 20
LIST_DAYS = 90
BASE = "/api/v1/admin/car-orders"


def list_requests(app, network: dict, deep_page: int) -> dict:
    """The filter (stations with at least ``deep_page`` pages in the window) and the three variants."""
    import sqlalchemy as sa  # noqa: PLC0415

    from chargehub.charging.models import CarOrder  # noqa: PLC0415
    from chargehub.extensions import db  # noqa: PLC0415

    today = datetime.now(ZONE).date()
    first = today - timedelta(days=LIST_DAYS - 1)
    since = datetime.combine(first, datetime.min.time(), ZONE)
    with app.app_context():
        rows = db.session.execute(
            sa.select(CarOrder.station_id, sa.func.count()).where(
                CarOrder.station_id.in_(network["stations"]), CarOrder.created_at >= since)
            .group_by(CarOrder.station_id).order_by(sa.func.count().desc()).limit(4)).all()
        db.session.remove()
    stations = [station for station, count in rows if count >= deep_page * PAGE_SIZE]
    assert stations, f"no station has {deep_page * PAGE_SIZE} orders in {LIST_DAYS} days: seed more orders"
    query = f"created_from={first.isoformat()}&created_to={today.isoformat()}"

    def page(number: int) -> list[str]:
        return [f"{BASE}?station_id={s}&{query}&page={number}&page_size={PAGE_SIZE}" for s in stations]

    return {
        "filter": {"orders_in_window_by_station": dict(rows), "created_from": first.isoformat(),
                   "created_to": today.isoformat(), "page_size": PAGE_SIZE, "deep_page": deep_page},
        "variants": [{"name": "page_1", "paths": page(1)}, {"name": f"page_{deep_page}", "paths": page(deep_page)},
                     {"name": "totals", "paths": [f"{BASE}/totals?station_id={s}&{query}" for s in stations]}],
    }


def _plan_shape(node: dict) -> str:
    """A plan tree in one line: ``Limit <- (Index Scan Backward[ix_…])``."""
    name = node["Node Type"]
    if node.get("Scan Direction") == "Backward":
        name += " Backward"
    if node.get("Index Name"):
        name += f"[{node['Index Name']}]"
    children = node.get("Plans") or []
    return name + (" <- (" + ", ".join(_plan_shape(child) for child in children) + ")" if children else "")


def query_plans(app, token: str, requests: dict) -> dict:
    """The ``car_order`` statements each variant's first request runs, with their warm ``EXPLAIN ANALYZE``:
    plan shape, execution time and shared buffers touched."""
    import sqlalchemy as sa  # noqa: PLC0415

    from chargehub.extensions import db  # noqa: PLC0415

    with app.app_context():
        engine = db.engine
    captured: list[tuple[str, dict]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "car_order" in statement and not statement.lstrip().upper().startswith("EXPLAIN"):
            captured.append((statement, parameters))

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    plans = {}
    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        for variant in requests["variants"]:
            captured.clear()
            assert client.get(variant["paths"][0], headers=headers).status_code == 200
            statements = list(captured)
            found = []
            with engine.connect() as conn:
                for statement, parameters in statements:
                    for _ in range(2):  # the second run is the warm one
                        raw = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement,
                                                   parameters).scalar()
                    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]
                    kind = "count" if "count(" in statement.lower() and "sum(" not in statement.lower() else (
                        "sums" if "sum(" in statement.lower() else "rows")
                    found.append({"query": kind, "execution_ms": round(plan["Execution Time"], 2),
                                  "shared_blocks": plan["Plan"].get("Shared Hit Blocks", 0)
                                  + plan["Plan"].get("Shared Read Blocks", 0),
                                  "plan": _plan_shape(plan["Plan"])})
            plans[variant["name"]] = found
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
        with app.app_context():
            db.session.remove()
    return plans


def check_answers(app, token: str, requests: dict) -> dict:
    """One request of each variant through the app, checked: a full page, a total that reaches the deep
    page, ``page_totals``; what they answered (for the report)."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    seen = {}
    for variant in requests["variants"]:
        response = client.get(variant["paths"][0], headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        answer = response.get_json()
        if variant["name"] == "totals":
            seen["totals"] = answer
            continue
        assert len(answer["items"]) == PAGE_SIZE, answer
        assert answer["total"] >= requests["filter"]["deep_page"] * PAGE_SIZE, answer["total"]
        assert "page_totals" in answer, sorted(answer)
        seen[variant["name"]] = {"total": answer["total"], "page_totals": answer["page_totals"]}
    return seen


def _mode(rate: float | None) -> str:
    return f"paced_{rate:g}_per_s" if rate else "back_to_back"


def bench_list(app, url: str, tmp: Path, network: dict, args) -> dict:
    """Part 1 for every ``--web`` configuration (see the module docstring)."""
    from chargehub.extensions import db  # noqa: PLC0415
    from chargehub.tenancy.auth import issue_token  # noqa: PLC0415
    from chargehub.tenancy.models import User  # noqa: PLC0415

    with app.app_context():
        token = issue_token(db.session.get(User, network["owner_id"]), "bench-orders")
        db.session.remove()
    requests = list_requests(app, network, args.deep_page)
    result = {"filter": requests["filter"], "clients": args.clients, "seconds_per_measurement": args.duration,
              "answers": check_answers(app, token, requests), "query_plans": query_plans(app, token, requests),
              "configs": {}}
    print("list plans", json.dumps(result["query_plans"], ensure_ascii=False), flush=True)
    variants = [v | {"name": f"{v['name']}|{_mode(rate)}", "rate": rate}
                for v in requests["variants"] for rate in [None, *args.paced]]
    for config in args.web:
        load = load_average()
        servers = start_web(process_env(url, str(tmp)), tmp, config)
        try:
            measured = run_client({"mode": "list", "bases": [f"127.0.0.1:{port}" for _, port in servers],
                                   "pids": {"web": [p.pid for p, _ in servers]}, "token": token,
                                   "clients": args.clients, "duration": args.duration, "warmup": args.warmup,
                                   "variants": variants},
                                  timeout=len(variants) * (args.duration + args.warmup + 120))
            rss = [status_mb(p.pid) for p, _ in servers]
        finally:
            stop_web(servers)
        figures: dict = {"load_average_before": load, "web_rss_mb": rss}
        for name, values in measured.items():
            variant, mode = name.split("|")
            figures.setdefault(variant, {})[mode] = values
        result["configs"][web_name(config)] = figures
        print("list", config, json.dumps(figures), flush=True)
    return result
