"""Device actions of the asset pages, end to end: admin API → command bus → gateway → simulated YKC pile.

Reboot, clock sync, QR prefix, billing model, hotline (refused by the protocol, with the reason shown),
refresh state, enable / disable (work parameters), the ground lock of a 地锁（桩控） space, and the
periodic push of a new billing model to idle piles.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from chargehub.assets.car_models import Gun, LockType, ParkingSpace, Pile
from chargehub.billing.services.ykc import billing_settings
from chargehub.devices import commands
from chargehub.devices.billing_push import push_billing_models
from chargehub.devices.gateway import start_in_thread
from chargehub.extensions import db
from chargehub.testing.helpers import wait_until
from chargehub.testing.network import seed_pile_network
from chargehub_ykc.simulator import Fleet, FleetThread, PileConfig

pytestmark = pytest.mark.timeout(180)

FAST = {"guns": 2, "heartbeat_interval": 1.0, "charging_status_interval": 0.5, "record_delay": 0.2,
        "reconnect_delay": 0.3, "login_retry_interval": 1.0, "power_kw": Decimal("60")}


@pytest.fixture()
def world(make_app, admin_user, auth_headers):
    import chargehub_billing_standard.plugin as billing_standard
    import chargehub_ykc.plugin as ykc

    app = make_app(plugins=[billing_standard, ykc], PUBLIC_URL="https://charge.example.com", COMMAND_TIMEOUT=5.0)
    headers = auth_headers(admin_user)
    with app.app_context():
        network = seed_pile_network(2, guns=2, prefix="5505")
        gateway = start_in_thread(app, listen="ykc=127.0.0.1:0")
        sim = FleetThread(Fleet(*gateway.addresses["ykc"], configs=[PileConfig(c, **FAST) for c in network.pile_codes]))
        sim.start()
        try:
            sim.run(sim.fleet.wait_logged_in(timeout=30))
            yield app, app.test_client(), headers, network, sim
        finally:
            sim.stop()
            gateway.stop()


def _pile(code: str) -> Pile:
    db.session.expire_all()
    return db.session.execute(sa.select(Pile).where(Pile.factory_id == code)).scalar_one()


def test_pile_actions_reach_the_pile(world):
    app, client, headers, network, sim = world
    code = network.pile_codes[0]
    pile_id = _pile(code).id
    sim_pile = sim.fleet.pile(code)
    wait_until(lambda: _pile(code).online)

    def action(name):
        response = client.post(f"/api/v1/admin/piles/{pile_id}/commands/{name}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    reboots = sim.run(lambda: sim_pile.reboots)
    assert action("reboot")["status"] == "accepted"
    sim.wait_until(lambda: sim_pile.reboots == reboots + 1)
    sim.run(sim_pile.wait_logged_in(timeout=20, count=2))  # a rebooted pile logs in again

    syncs = sim.run(lambda: sim_pile.clock_syncs)
    assert action("sync_clock")["status"] == "accepted"
    assert sim.run(lambda: sim_pile.clock_syncs) > syncs

    assert action("sync_qrcode")["status"] == "accepted"
    assert sim.run(lambda: sim_pile.qr_prefix) == "https://charge.example.com/h5/charge/p/"
    qr = client.get(f"/h5/charge/p/{code}02")
    assert qr.status_code == 302 and "/h5/charge/g/" in qr.headers["Location"]

    assert action("sync_billing")["status"] == "accepted"
    assert sim.run(lambda: sim_pile.model_code) == billing_settings(network.area_id)["model_code"]

    hotline = action("sync_hotline")
    assert hotline["status"] == "rejected" and "热线" in hotline["reason"]

    assert action("refresh_state")["status"] == "accepted"

    # 禁用: the pile is told to stop working (0x52) and refuses remote starts; 启用 undoes it
    assert client.post(f"/api/v1/admin/piles/{pile_id}/disable", headers=headers).status_code == 200
    sim.wait_until(lambda: sim_pile.enabled is False)
    refused = commands.start_charging(code, 1, f"{code}01261124120000{1:04d}", Decimal("50.00"))
    assert not refused.ok and refused.reason
    assert client.post(f"/api/v1/admin/piles/{pile_id}/enable", headers=headers).status_code == 200
    sim.wait_until(lambda: sim_pile.enabled is True)


def test_ground_lock_of_a_pile_controlled_space(world):
    app, client, headers, network, sim = world
    code = network.pile_codes[1]
    pile = _pile(code)
    gun = db.session.execute(sa.select(Gun).where(Gun.pile_id == pile.id, Gun.number == 2)).scalar_one()
    space = ParkingSpace(provider_id=pile.provider_id, property_id=pile.property_id, station_id=pile.station_id,
                         area_id=pile.area_id, code="SP-LOCK-1", name="地锁车位")
    db.session.add(space)
    db.session.commit()
    response = client.put(f"/api/v1/admin/spaces/{space.id}", headers=headers,
                          json={"lock_type": LockType.GROUND_LOCK.value, "gun_id": gun.id})
    assert response.status_code == 200, response.get_json()
    down = client.post(f"/api/v1/admin/spaces/{space.id}/unlock", headers=headers).get_json()
    assert down["status"] == "accepted"
    sim.wait_until(lambda: sim.fleet.pile(code).gun(2).lock_state is not None)
    up = client.post(f"/api/v1/admin/spaces/{space.id}/lock", headers=headers).get_json()
    assert up["status"] == "accepted"
    # the pile reports its lock (0x61): the space's lock state follows
    wait_until(lambda: (db.session.expire_all(), db.session.get(ParkingSpace, space.id).lock_state.value)[1] == "up")


def test_new_billing_model_is_pushed_to_idle_piles_only(world):
    app, client, headers, network, sim = world
    idle, busy = network.pile_codes
    expected = billing_settings(network.area_id)["model_code"]
    wait_until(lambda: _pile(idle).billing_model_code == expected and _pile(busy).billing_model_code == expected)
    assert commands.start_charging(busy, 1, f"{busy}01261124120000{2:04d}", Decimal("50.00")).ok
    wait_until(lambda: db.session.execute(sa.select(sa.func.count()).select_from(Gun).where(
        Gun.pile_id == _pile(busy).id, Gun.state == "charging")).scalar_one() == 1)
    # a balance update reaches the running session (0x42 → 0x41)
    assert commands.update_balance(busy, 1, Decimal("80.00")).ok
    # the piles hold an older model (as after a new rule version took effect at 24:00)
    db.session.execute(sa.update(Pile).where(Pile.factory_id.in_([idle, busy])).values(billing_model_code="0001"))
    db.session.commit()
    counts = push_billing_models()
    assert counts["pushed"] == 1 and counts["accepted"] == 1
    assert (_pile(idle).billing_model_code, _pile(busy).billing_model_code) == (expected, "0001")
    assert sim.run(lambda: sim.fleet.pile(idle).model_code) == expected
