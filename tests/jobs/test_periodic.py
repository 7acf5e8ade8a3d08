"""Periodic jobs: pure due-time rules, the missed-tick rule, claims across tickers, firing in rq mode."""
from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest

from chargehub.jobs.periodic import LocalTickClaimer, PeriodicJob, Ticker, due_tick, next_due, tick_epoch
from chargehub.jobs.worker import make_ticker

from .helpers import build_app, connection, entries, ref

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.timezone.utc


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("daily_at", "now", "due", "following"),
    [
        # 00:30 Shanghai is 16:30 UTC the previous day
        (dt.time(0, 30), utc(2024, 3, 1, 16, 20), local(2024, 3, 1, 0, 30), local(2024, 3, 2, 0, 30)),
        (dt.time(0, 30), utc(2024, 3, 1, 16, 30), local(2024, 3, 2, 0, 30), local(2024, 3, 3, 0, 30)),
        (dt.time(0, 30), utc(2024, 3, 1, 16, 31), local(2024, 3, 2, 0, 30), local(2024, 3, 3, 0, 30)),
        # 23:50 Shanghai, just before and just after local midnight (15:55 / 16:05 UTC)
        (dt.time(23, 50), utc(2024, 3, 1, 15, 55), local(2024, 3, 1, 23, 50), local(2024, 3, 2, 23, 50)),
        (dt.time(23, 50), utc(2024, 3, 1, 16, 5), local(2024, 3, 1, 23, 50), local(2024, 3, 2, 23, 50)),
        # local midnight itself, across a month and year boundary
        (dt.time(0, 0), utc(2024, 12, 31, 15, 59, 59), local(2024, 12, 31), local(2025, 1, 1)),
        (dt.time(0, 0), utc(2024, 12, 31, 16, 0, 0), local(2025, 1, 1), local(2025, 1, 2)),
    ],
)
def test_daily_at_due_times_across_shanghai_midnight(daily_at, now, due, following):
    job = PeriodicJob("daily", ref("periodic_hit"), daily_at=daily_at)
    assert due_tick(job, now, SHANGHAI) == due
    assert next_due(job, now, SHANGHAI) == following
    assert due_tick(job, now, SHANGHAI).tzinfo is SHANGHAI


def test_every_is_aligned_to_the_epoch():
    job = PeriodicJob("quarter", ref("periodic_hit"), every=dt.timedelta(minutes=15))
    now = utc(2024, 5, 6, 10, 7, 30)
    assert due_tick(job, now, SHANGHAI) == utc(2024, 5, 6, 10, 0)
    assert next_due(job, now, SHANGHAI) == utc(2024, 5, 6, 10, 15)
    assert tick_epoch(due_tick(job, now, SHANGHAI)) % 900 == 0
    assert due_tick(job, utc(2024, 5, 6, 10, 15), SHANGHAI) == utc(2024, 5, 6, 10, 15)


def test_periodic_job_validation():
    with pytest.raises(ValueError, match="exactly one"):
        PeriodicJob("x", "m:f")
    with pytest.raises(ValueError, match="exactly one"):
        PeriodicJob("x", "m:f", every=dt.timedelta(minutes=1), daily_at=dt.time(1))
    with pytest.raises(ValueError, match="naive"):
        PeriodicJob("x", "m:f", daily_at=dt.time(1, tzinfo=UTC))
    job = PeriodicJob("x", "m:f", every=dt.timedelta(minutes=1))
    with pytest.raises(ValueError, match="aware"):
        due_tick(job, dt.datetime(2024, 1, 1), SHANGHAI)


def test_missed_ticks_run_once_and_are_not_replayed_after_restart(tmp_path):
    job = PeriodicJob("sweep", ref("periodic_hit"), every=dt.timedelta(minutes=10))
    clock = [utc(2024, 1, 1, 12, 34)]
    enqueued: list[dt.datetime] = []

    def ticker() -> Ticker:
        return Ticker(lambda: [job], LocalTickClaimer(tmp_path / "ticks.json"), SHANGHAI,
                      lambda _job, tick: enqueued.append(tick), now=lambda: clock[0])

    first = ticker()
    assert first.check() == ["sweep"]  # the most recent (missed) tick runs once at start
    assert enqueued == [utc(2024, 1, 1, 12, 30)]
    assert first.check() == []
    clock[0] = utc(2024, 1, 1, 13, 5)  # 3 ticks passed while "down": only the latest runs
    assert first.check() == ["sweep"]
    assert enqueued[-1] == utc(2024, 1, 1, 13, 0) and len(enqueued) == 2
    restarted = ticker()  # a restart within the same tick does not run it again
    assert restarted.check() == []
    clock[0] = utc(2024, 1, 1, 13, 10)
    assert restarted.check() == ["sweep"] and len(enqueued) == 3


@pytest.mark.timeout(60)
def test_two_tickers_claim_each_tick_once(namespace, tmp_path):
    apps = [build_app(namespace, str(tmp_path / name)) for name in ("a", "b")]
    tickers = []
    clock = [utc(2024, 1, 1, 0, 0, 0)]
    for app in apps:
        state = app.extensions["chargehub-jobs"]
        state.queue.register_periodic("hit", ref("periodic_hit"), every=dt.timedelta(seconds=5))
        ticker = make_ticker(state)
        ticker.now = lambda: clock[0]
        tickers.append(ticker)
    for step in range(5):
        clock[0] = utc(2024, 1, 1, 0, 0, 5 * step + 2)
        barrier = threading.Barrier(len(tickers))
        results: list[list[str]] = []

        def check(ticker: Ticker) -> None:
            barrier.wait()
            results.append(ticker.check())

        threads = [threading.Thread(target=check, args=(t,)) for t in tickers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert sorted(results) == [[], ["hit"]], f"tick {step} enqueued {results}"
        key = f"{namespace}:periodic:hit:{tick_epoch(utc(2024, 1, 1, 0, 0, 5 * step))}"
        assert 0 < connection().ttl(key) <= 60
    assert connection().llen(f"rq:queue:{namespace}:periodic") == 5
    late_starter = make_ticker(apps[0].extensions["chargehub-jobs"])  # e.g. a worker (re)started now
    late_starter.now = lambda: clock[0]
    assert late_starter.check() == []


@pytest.mark.timeout(60)
def test_periodic_every_fires_in_rq_worker(namespace, tmp_path):
    app = build_app(namespace, str(tmp_path))
    jobs = app.extensions["chargehub-jobs"].queue
    jobs.register_periodic("hit", ref("periodic_hit"), every=dt.timedelta(seconds=30))
    jobs.register_periodic("nightly", ref("periodic_hit"), daily_at=dt.time(3, 0))
    assert [job.name for job in jobs.periodic_jobs()] == ["hit", "nightly"]
    jobs.run_worker(app, burst=True)  # one scheduler check: both most recent ticks, then work them
    hits = entries(f"{namespace}:hits")
    assert len(hits) == 2 and all(hit["app"] == f"app-{namespace}" for hit in hits)
    assert len(list(connection().scan_iter(f"{namespace}:periodic:*"))) == 2
