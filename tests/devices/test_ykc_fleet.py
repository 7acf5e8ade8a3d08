"""Acceptance: 50 simulated YKC piles against one gateway with the database, over real sockets.

Login, billing model push, heartbeats, remote start from the command bus, real-time data, remote stop,
transaction record and ack — all visible through the admin API; a connection killed mid-charge
reconnects and uploads the record the pile stored meanwhile, exactly once.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from chargehub.assets.car_models import Gun, GunState, Pile
from chargehub.billing.services.ykc import billing_settings
from chargehub.devices import commands
from chargehub.devices.models import ConnectionState, DeviceOnlineRecord, GunLive, PileTransactionRecord
from chargehub.devices.gateway import start_in_thread
from chargehub.extensions import db
from chargehub.testing.helpers import wait_until
from chargehub.testing.network import seed_pile_network
from chargehub_ykc.simulator import Fleet, FleetThread, PileConfig

pytestmark = pytest.mark.timeout(240)

PILES = 50
FAST = {"guns": 2, "heartbeat_interval": 1.0, "charging_status_interval": 0.5, "idle_status_interval": 30.0,
        "bms_interval": 1.0, "record_delay": 0.2, "record_retry_interval": 2.0, "reconnect_delay": 0.5,
        "login_retry_interval": 2.0, "power_kw": Decimal("120"), "keep_frames": 50}


def trade_no(code: str, gun: int, n: int) -> str:
    return f"{code}{gun:02d}261124103000{n:04d}"


def fresh(statement):
    db.session.expire_all()
    return db.session.execute(statement).scalars().all()


@pytest.fixture()
def fleet_world(make_app):
    import chargehub_billing_standard.plugin as billing_standard
    import chargehub_ykc.plugin as ykc

    app = make_app(plugins=[billing_standard, ykc], PUBLIC_URL="https://charge.example.com", COMMAND_TIMEOUT=10.0)
    with app.app_context():
        network = seed_pile_network(PILES, guns=2, prefix="5504")
        gateway = start_in_thread(app, listen="ykc=127.0.0.1:0")
        host, port = gateway.addresses["ykc"]
        sim = FleetThread(Fleet(host, port, configs=[PileConfig(code, **FAST) for code in network.pile_codes],
                                ramp=200.0)).start()
        try:
            yield app, network, sim
        finally:
            sim.stop()
            gateway.stop()


def test_fifty_piles_end_to_end(fleet_world, admin_token):
    app, network, sim = fleet_world
    with app.app_context():  # admin_token's fixture pushed a plain app of its own; use the platform's
        _end_to_end(app.test_client(), admin_token, network, sim)


def _end_to_end(client, admin_token, network, sim):
    codes = network.pile_codes
    sim.run(sim.fleet.wait_logged_in(timeout=60))

    # login → online records, piles online, billing model pushed and confirmed by every pile
    expected_model = billing_settings(network.area_id)["model_code"]
    sim.wait_until(lambda: all(p.model_code == expected_model for p in sim.fleet.piles), timeout=30)
    wait_until(lambda: len(fresh(sa.select(Pile).where(Pile.online.is_(True), Pile.station_id == network.station_id)))
               == PILES, timeout=30)
    wait_until(lambda: all(p.billing_model_code == expected_model and p.last_heartbeat_at is not None
                           for p in fresh(sa.select(Pile).where(Pile.station_id == network.station_id))), timeout=30)
    online = fresh(sa.select(DeviceOnlineRecord).where(DeviceOnlineRecord.state == ConnectionState.ONLINE))
    assert {r.factory_id for r in online} == set(codes)

    # remote start on 5 guns through the command bus, with real-time data flowing in
    starts = [(codes[i], 1 + i % 2, trade_no(codes[i], 1 + i % 2, i)) for i in range(5)]
    for code, gun, trade in starts:
        result = commands.start_charging(code, gun, trade, Decimal("200.00"))
        assert result.ok, result
    wait_until(lambda: len(fresh(sa.select(GunLive).where(GunLive.energy_kwh > 0, GunLive.trade_no.is_not(None))))
               == 5, timeout=30)
    charging = fresh(sa.select(Gun).where(Gun.state == GunState.CHARGING))
    assert len(charging) == 5
    pile_id = fresh(sa.select(Pile.id).where(Pile.factory_id == codes[0]))[0]
    status = client.get(f"/api/v1/admin/piles/{pile_id}/status", headers=admin_token).get_json()
    assert status["online"] is True
    gun_one = next(g for g in status["guns"] if g["number"] == 1)
    assert gun_one["state"] == "charging" and Decimal(gun_one["energy_kwh"]) > 0

    # remote stop on 4: the piles stop, send their records, get them acknowledged
    for code, gun, _trade in starts[:4]:
        assert commands.stop_charging(code, gun).ok
    wait_until(lambda: len(fresh(sa.select(PileTransactionRecord))) == 4, timeout=30)
    sim.wait_until(lambda: sum(len(sim.fleet.pile(c).unsent) for c, _, _ in starts[:4]) == 0, timeout=30)
    records = {r.trade_no: r for r in fresh(sa.select(PileTransactionRecord))}
    assert set(records) == {t for _, _, t in starts[:4]}
    for code, gun, trade in starts[:4]:
        made = sim.run(lambda c=code: list(sim.fleet.pile(c).records))
        [sent] = [r for r in made if r.trade_no == trade]
        stored = records[trade]
        assert (stored.energy_kwh, stored.amount) == (sent.total_energy_kwh, sent.total_amount)
        assert stored.energy_kwh > 0 and stored.trade_flag == "app" and stored.stop_reason_code == 0x40
    listed = client.get("/api/v1/admin/pile-transaction-records", headers=admin_token).get_json()
    assert listed["total"] == 4

    # kill the 5th pile's connection mid-charge; it stops while offline and uploads after reconnecting
    code, gun, trade = starts[4]
    sim.run(lambda: sim.fleet.pile(code).drop_connection(reconnect_after=2.0))
    sim.run(lambda: sim.fleet.pile(code).stop_at_pile(gun))
    assert sim.run(lambda: trade in sim.fleet.pile(code).unsent)
    wait_until(lambda: not fresh(sa.select(Pile).where(Pile.factory_id == code))[0].online, timeout=30)
    sim.wait_until(lambda: sim.fleet.pile(code).logged_in and not sim.fleet.pile(code).unsent, timeout=30)
    rows = fresh(sa.select(PileTransactionRecord).where(PileTransactionRecord.trade_no == trade))
    assert len(rows) == 1 and rows[0].energy_kwh > 0
    states = [r.state for r in fresh(sa.select(DeviceOnlineRecord).where(DeviceOnlineRecord.factory_id == code)
                                     .order_by(DeviceOnlineRecord.id))]
    assert states == [ConnectionState.ONLINE, ConnectionState.OFFLINE, ConnectionState.ONLINE]
    stats = sim.stats()
    assert stats["decode_errors"] == 0 and stats["login_refusals"] == 0
