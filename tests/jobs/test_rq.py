"""rq backend against the real Redis: forking burst workers, the in-thread worker, plain `rq worker`,
the `worker` CLI command."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chargehub.jobs import JobNotFound
from chargehub.jobs.cli import worker_command

from chargehub.testing.helpers import wait_until
from .helpers import REDIS_URL, build_app, connection, entries, ref

REPO = Path(__file__).resolve().parents[2]


def _jobs(app):
    return app.extensions["chargehub-jobs"].queue


@pytest.fixture()
def app(namespace, tmp_path):
    return build_app(namespace, str(tmp_path))


@pytest.mark.timeout(60)
def test_enqueue_and_run_in_forked_worker_with_app_context(app, namespace):
    key = f"{namespace}:out"
    jobs = _jobs(app)
    job_id = jobs.enqueue(ref("record"), key, value="x", description="record x")
    info = jobs.status(job_id)
    assert (info.state, info.attempts) == ("queued", 0)
    assert connection().llen(f"rq:queue:{namespace}:default") == 1
    assert jobs.run_worker(app, burst=True) is True
    [entry] = entries(key)
    assert entry["value"] == "x" and entry["app"] == f"app-{namespace}" and entry["attempt"] == 1
    assert entry["pid"] != os.getpid(), "the forking worker runs jobs in a work horse"
    assert jobs.status(job_id).state == "finished"


@pytest.mark.timeout(60)
def test_retries_show_attempt_numbers(app, namespace):
    key = f"{namespace}:out"
    jobs = _jobs(app)
    job_id = jobs.enqueue(ref("flaky"), key, 2, retries=3, retry_intervals=(0,))
    jobs.run_worker(app, burst=True)
    assert [e["attempt"] for e in entries(key)] == [1, 2, 3]
    info = jobs.status(job_id)
    assert (info.state, info.attempts, info.error) == ("finished", 3, None)


@pytest.mark.timeout(60)
def test_failed_after_retries_exhausted(app, namespace):
    key = f"{namespace}:out"
    jobs = _jobs(app)
    job_id = jobs.enqueue(ref("always_fails"), key, queue="listeners", retries=1, retry_intervals=(0,))
    jobs.run_worker(app, queues=["listeners"], burst=True)
    info = jobs.status(job_id)
    assert (info.state, info.attempts, info.error) == ("failed", 2, "ValueError: always fails")
    assert [e["attempt"] for e in entries(key)] == [1, 2]
    health = jobs.health()
    assert health["backend"] == "rq" and health["ok"] is True and health["namespace"] == namespace
    assert health["failed"] == 1 and health["queues"] == {"default": 0, "listeners": 0, "exports": 0, "periodic": 0}


@pytest.mark.timeout(60)
def test_delayed_retry_is_promoted_by_the_scheduler_check(app, namespace):
    key = f"{namespace}:out"
    jobs = _jobs(app)
    job_id = jobs.enqueue(ref("flaky"), key, 1, retries=1, retry_intervals=(1,))
    jobs.run_worker(app, burst=True)
    info = jobs.status(job_id)
    assert (info.state, info.attempts, info.error) == ("retrying", 1, "RuntimeError: flaky attempt 1")
    assert jobs.health()["scheduled"] == 1
    time.sleep(1.2)
    jobs.run_worker(app, burst=True)
    info = jobs.status(job_id)
    assert (info.state, info.attempts) == ("finished", 2)


@pytest.mark.timeout(60)
def test_progress_reported(app, namespace):
    jobs = _jobs(app)
    job_id = jobs.enqueue(ref("with_progress"), f"{namespace}:out", queue="exports")
    assert jobs.health()["queues"]["exports"] == 1
    jobs.run_worker(app, queues=["exports"], burst=True)
    info = jobs.status(job_id)
    assert info.progress == 1.0 and info.result_meta == {"rows": 20, "file": "export.xlsx"}


@pytest.mark.timeout(60)
def test_background_thread_worker_runs_jobs_and_stops(app, namespace):
    jobs = _jobs(app)
    jobs.start_background(app)
    try:
        job_id = jobs.enqueue(ref("record"), f"{namespace}:out", value=1)
        wait_until(lambda: jobs.status(job_id).state == "finished", timeout=15)
        [entry] = entries(f"{namespace}:out")
        assert entry["pid"] == os.getpid() and entry["app"] == f"app-{namespace}"
        assert jobs.health()["ticker_running"] is True
    finally:
        started = time.monotonic()
        jobs.stop_background(app)
    assert time.monotonic() - started < 5
    assert jobs.health()["ticker_running"] is False


@pytest.mark.timeout(60)
def test_plain_rq_worker_process_builds_app_from_factory(app, namespace, tmp_path):
    jobs = _jobs(app)
    job_id = jobs.enqueue(ref("record"), f"{namespace}:out", value="sub")
    env = dict(os.environ, CHJOBS_TEST_NAMESPACE=namespace, CHJOBS_TEST_INSTANCE=str(tmp_path),
               PYTHONPATH=os.pathsep.join([str(REPO / "core"), str(REPO), str(REPO / "tests")]))
    subprocess.run([sys.executable, "-m", "rq.cli", "worker", "--burst", "--url", REDIS_URL,
                    f"{namespace}:default"], env=env, check=True, timeout=45, capture_output=True)
    [entry] = entries(f"{namespace}:out")
    assert entry["app"] == f"app-{namespace}" and entry["value"] == "sub"
    assert jobs.status(job_id).state == "finished"


@pytest.mark.timeout(60)
def test_worker_cli_burst(app, namespace):
    jobs = _jobs(app)
    job_id = jobs.enqueue(ref("record"), f"{namespace}:out", queue="periodic", value="cli")
    result = app.test_cli_runner().invoke(worker_command, ["--burst", "-q", "periodic", "--no-scheduler"])
    assert result.exit_code == 0, result.output
    assert jobs.status(job_id).state == "finished"


@pytest.mark.timeout(30)
def test_unknown_job(app):
    with pytest.raises(JobNotFound):
        _jobs(app).status("no-such-job")
