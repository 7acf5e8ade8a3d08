"""In-process backend: eager and threaded execution, retries, failures, progress, health."""
from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path

import pytest

from chargehub.jobs import JobInfo, JobNotFound, current_attempt, set_progress

from chargehub.testing.helpers import wait_until
from .helpers import build_app, entries, flaky, ref


def _jobs(app):
    return app.extensions["chargehub-jobs"].queue


@pytest.fixture()
def eager_app(namespace, tmp_path):
    return build_app(namespace, str(tmp_path), use_redis=False, eager=True)


@pytest.fixture()
def threaded_app(namespace, tmp_path):
    app = build_app(namespace, str(tmp_path), use_redis=False)
    yield app
    _jobs(app).stop_background(app)


@pytest.mark.timeout(20)
def test_eager_runs_synchronously_inside_app_context(eager_app, namespace):
    key = f"{namespace}:out"
    job_id = _jobs(eager_app).enqueue(ref("record"), key, value=42)
    assert entries(key) == [{"value": 42, "attempt": 1, "app": f"app-{namespace}", "pid": entries(key)[0]["pid"]}]
    assert _jobs(eager_app).status(job_id) == JobInfo(job_id, "finished", 1, 0.0, {}, None)


@pytest.mark.timeout(20)
def test_eager_retries_immediately_with_attempt_numbers(eager_app, namespace):
    key = f"{namespace}:out"
    started = time.monotonic()
    job_id = _jobs(eager_app).enqueue(flaky, key, 2, retries=3)
    assert time.monotonic() - started < 2, "eager retries must not wait for the intervals"
    assert [e["attempt"] for e in entries(key)] == [1, 2, 3]
    info = _jobs(eager_app).status(job_id)
    assert (info.state, info.attempts, info.error) == ("finished", 3, None)


@pytest.mark.timeout(20)
def test_eager_failure_never_reaches_caller_and_is_logged(eager_app, namespace, caplog):
    key = f"{namespace}:out"
    with caplog.at_level(logging.WARNING, logger="chargehub.jobs"):
        job_id = _jobs(eager_app).enqueue(ref("always_fails"), key, retries=2, job_id="fixed-id")
    assert job_id == "fixed-id"
    assert [e["attempt"] for e in entries(key)] == [1, 2, 3]
    info = _jobs(eager_app).status(job_id)
    assert (info.state, info.attempts, info.error) == ("failed", 3, "ValueError: always fails")
    errors = [r for r in caplog.records if r.name == "chargehub.jobs" and r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is not None and "fixed-id" in errors[0].getMessage()
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2


@pytest.mark.timeout(20)
def test_progress_and_result_meta(eager_app, namespace):
    job_id = _jobs(eager_app).enqueue(ref("with_progress"), f"{namespace}:out", queue="exports")
    info = _jobs(eager_app).status(job_id)
    assert info.progress == 1.0
    assert info.result_meta == {"rows": 20, "file": "export.xlsx"}


def test_helpers_outside_a_job():
    assert current_attempt() == 1
    set_progress(0.3, ignored=True)  # a no-op outside a job, must not raise


def test_bad_function_and_queue_are_rejected(eager_app):
    jobs = _jobs(eager_app)
    with pytest.raises(ValueError, match="module-level"):
        jobs.enqueue(lambda: None)
    with pytest.raises(ValueError, match="cannot import"):
        jobs.enqueue(ref("no_such_function"))
    with pytest.raises(ValueError, match="unknown job queue"):
        jobs.enqueue(ref("record"), "k", queue="nope")
    with pytest.raises(JobNotFound):
        jobs.status("never-enqueued")


@pytest.mark.timeout(30)
def test_threaded_run_retries_with_intervals(threaded_app, namespace):
    key = f"{namespace}:out"
    jobs = _jobs(threaded_app)
    caller_before = current_attempt()
    job_id = jobs.enqueue(ref("flaky"), key, 2, retries=2, retry_intervals=(0.2, 0.3))
    assert current_attempt() == caller_before
    info = wait_until(lambda: (i := jobs.status(job_id)).state == "finished" and i)
    assert info.attempts == 3
    assert [e["attempt"] for e in entries(key)] == [1, 2, 3]
    assert all(e["app"] == f"app-{namespace}" for e in entries(key))


@pytest.mark.timeout(30)
def test_threaded_failure_after_retries(threaded_app, namespace):
    jobs = _jobs(threaded_app)
    job_id = jobs.enqueue(ref("always_fails"), f"{namespace}:out", retries=1, retry_intervals=(0,))
    info = wait_until(lambda: (i := jobs.status(job_id)).state == "failed" and i)
    assert (info.attempts, info.error) == (2, "ValueError: always fails")
    health = jobs.health()
    assert health["backend"] == "inprocess" and health["failed"] == 1 and health["pending"] == 0
    assert health["ok"] is True and health["eager"] is False


@pytest.mark.timeout(30)
def test_periodic_every_fires_in_process(threaded_app, namespace):
    jobs = _jobs(threaded_app)
    jobs.register_periodic("hit", ref("periodic_hit"), every=dt.timedelta(seconds=1))
    jobs.start_background(threaded_app)
    health = jobs.health()
    assert health["ticker_running"] is True and health["periodic"] == ["hit"]
    # the most recent tick runs at start, then one per second
    wait_until(lambda: len(entries(f"{namespace}:hits")) >= 3, timeout=10)
    jobs.stop_background(threaded_app)
    assert jobs.health()["ticker_running"] is False
    assert (Path(threaded_app.instance_path) / "periodic-ticks.json").exists()


@pytest.mark.timeout(30)
def test_worker_cli_in_embedded_mode_runs_in_process(threaded_app, namespace):
    from chargehub.jobs.cli import worker_command

    jobs = _jobs(threaded_app)
    jobs.register_periodic("nightly", ref("periodic_hit"), daily_at=dt.time(2, 0))
    result = threaded_app.test_cli_runner().invoke(worker_command, ["--burst"])
    assert result.exit_code == 0, result.output
    assert "jobs normally run inside `chargehub run`" in result.output
    assert len(entries(f"{namespace}:hits")) == 1  # the most recent 02:00 tick, once
