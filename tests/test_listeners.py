"""Listener hooks: one job per plugin, only for tenants that switched the plugin on, retried, recorded."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from chargehub.contracts.events import DeviceStatusEvent, OrderEvent, PlateEvent, RefundEvent
from chargehub.extensions import db, jobs, plugin_host
from chargehub.plugins.host import LISTENER_RETRIES
from chargehub.plugins.models import PluginListenerFailure
from tests import plugins_support as ps

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc)


def order(no: str, **extra) -> OrderEvent:
    return OrderEvent(order_no=no, vehicle="car", station_id=1, state="completed",
                      energy_kwh=Decimal("12.3456"), amount=Decimal("18.52"), extra=extra)


@pytest.fixture(autouse=True)
def _clear_calls():
    import chargehub_sample.plugin as sample

    ps.CALLS.clear()
    sample.RECEIVED.clear()
    yield


@pytest.fixture
def two_tenants(make_app, make_provider):
    app = make_app(plugins=[ps.RelayPlugin(), ps.PlatformListenerPlugin(), ps.BrokenPlugin()])
    with app.app_context():
        a, _ = make_provider("A")
        b, _ = make_provider("B")
        plugin_host.configure("relay_test", a.id, enabled=True,
                              settings={"endpoint": "https://relief.example.com/push", "token": "t" * 12})
        yield app, a.id, b.id


def test_hook_order_started_reaches_only_plugins_on_for_the_tenant(two_tenants):
    _, a, b = two_tenants
    assert len(plugin_host.notify("order_started", a, order=order("A-1"))) == 2
    assert len(plugin_host.notify("order_started", b, order=order("B-1"))) == 1
    assert sorted(ps.CALLS) == sorted([
        ("relay_test.order_started", "A-1", a),
        ("platform_listener.order_started", "A-1", a),
        ("platform_listener.order_started", "B-1", b),
    ])


def test_hook_device_status_changed_dispatch(two_tenants):
    _, a, b = two_tenants
    event = DeviceStatusEvent(device_id="32010600213533", device_type="pile", status="offline",
                              occurred_at=NOW, previous="online", reason="3 heartbeats missed")
    plugin_host.notify("device_status_changed", a, event=event)
    plugin_host.notify("device_status_changed", b, event=event)
    assert ps.CALLS == [("relay_test.device_status_changed", "32010600213533", a)]


def test_hook_order_refunded_and_hook_plate_recognized_dispatch(two_tenants):
    _, a, _ = two_tenants
    refund = RefundEvent(order_no="A-1", refund_no="R-1", amount=Decimal("5.00"), state="succeeded")
    plugin_host.notify("order_refunded", a, order=order("A-1"), refund=refund)
    plugin_host.notify("plate_recognized", a, event=PlateEvent(camera_id="C1", plate="沪A12345", occurred_at=NOW))
    assert ps.CALLS == [("platform_listener.order_refunded", "R-1", a),
                        ("platform_listener.plate_recognized", "沪A12345", a)]


def test_switching_off_stops_listener_calls(two_tenants):
    _, a, _ = two_tenants
    plugin_host.configure("relay_test", a, enabled=False)
    plugin_host.notify("order_started", a, order=order("A-2"))
    assert ps.CALLS == [("platform_listener.order_started", "A-2", a)]


def test_notify_refuses_non_listener_hooks(two_tenants):
    _, a, _ = two_tenants
    with pytest.raises(ValueError, match="not a listener hook"):
        plugin_host.notify("register_billing_modes", a)


@pytest.fixture
def sample_tenant(make_app, make_provider):
    import chargehub_sample.plugin as sample

    app = make_app(plugins=[sample], LISTENER_RETRY_INTERVALS=(0, 0, 0, 0, 0))
    with app.app_context():
        provider, _ = make_provider()
        plugin_host.configure("sample", provider.id, enabled=True,
                              settings={"merchant_no": "M-100001", "api_key": "k" * 20})
        yield provider.id, sample


def test_hook_order_finished_failing_listener_is_retried_and_each_failure_recorded(sample_tenant):
    tenant, sample = sample_tenant
    job_ids = plugin_host.notify("order_finished", tenant, order=order("F-1", fail_attempts=2))
    assert len(job_ids) == 1
    assert sample.RECEIVED == [(tenant, "F-1", 3)]
    failures = db.session.execute(sa.select(PluginListenerFailure).order_by(PluginListenerFailure.attempt)).scalars().all()
    assert [(f.plugin, f.hook, f.attempt, f.final, f.tenant_id) for f in failures] == [
        ("sample", "order_finished", 1, False, tenant), ("sample", "order_finished", 2, False, tenant)]
    assert "sample vendor unreachable" in failures[0].error and "Traceback" in failures[0].traceback
    assert jobs.status(job_ids[0]).state == "finished"


def test_listener_failing_every_attempt_leaves_caller_unaffected(sample_tenant):
    tenant, sample = sample_tenant
    job_ids = plugin_host.notify("order_finished", tenant, order=order("F-2", fail_attempts=99))  # no exception here
    failures = db.session.execute(sa.select(PluginListenerFailure)).scalars().all()
    assert len(failures) == LISTENER_RETRIES + 1
    assert [f.final for f in failures].count(True) == 1
    assert sample.RECEIVED == []
    assert jobs.status(job_ids[0]).state == "failed"


def test_listener_retries_through_real_rq_worker(make_app, make_provider):
    """Redis mode: notify enqueues on rq; a real (forking) rq worker runs, retries and records."""
    import chargehub_sample.plugin as sample

    app = make_app(plugins=[sample], redis=True, JOBS_EAGER=False, LISTENER_RETRY_INTERVALS=(0, 0, 0, 0, 0))
    with app.app_context():
        provider, _ = make_provider()
        plugin_host.configure("sample", provider.id, enabled=True,
                              settings={"merchant_no": "M-100001", "api_key": "k" * 20})
        job_ids = plugin_host.notify("order_finished", provider.id, order=order("RQ-1", fail_attempts=1))
        assert jobs.status(job_ids[0]).state == "queued"
        assert jobs.health()["queues"]["listeners"] == 1
        jobs.run_worker(app, queues=["listeners"], burst=True)
        assert jobs.status(job_ids[0]).state == "finished"
        failures = db.session.execute(sa.select(PluginListenerFailure)).scalars().all()
        assert [(f.attempt, f.final) for f in failures] == [(1, False)]


def test_failures_are_listed_for_review_per_tenant(make_app, make_provider, auth_headers):
    """Each failed attempt is visible in the admin API, to the tenant it belongs to only."""
    import chargehub_sample.plugin as sample

    app = make_app(plugins=[sample], LISTENER_RETRY_INTERVALS=(0, 0, 0, 0, 0))
    with app.app_context():
        (a, user_a), (b, user_b) = make_provider("A"), make_provider("B")
        plugin_host.configure("sample", a.id, enabled=True, settings={"merchant_no": "M-100001", "api_key": "k" * 20})
        plugin_host.notify("order_finished", a.id, order=order("F-9", fail_attempts=2))
        client = app.test_client()
        page = client.get("/api/v1/admin/plugin-failures", headers=auth_headers(user_a)).json
        assert page["total"] == 2 and {i["attempt"] for i in page["items"]} == {1, 2}
        assert "sample vendor unreachable" in page["items"][0]["error"] and "Traceback" in page["items"][0]["traceback"]
        assert client.get("/api/v1/admin/plugin-failures", headers=auth_headers(user_b)).json["total"] == 0
