"""100 simulated e-bike chargers on a real Mosquitto, the real gateway, the e-bike plugin and the database.

Start and stop go over the command bus, real-time data reaches the database, and every end-of-charge
record is stored exactly once and acknowledged even across a broker restart and a device reconnect.
"""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import sqlalchemy as sa

from chargehub.assets.bike_models import BikeDevice, Socket, SocketState
from chargehub.devices.bike_models import BikeChargeRecord, SocketLive
from chargehub.devices.commands import start_socket, stop_socket
from chargehub.devices.gateway import start_in_thread
from chargehub.devices.models import ConnectionState, DeviceKind, DeviceOnlineRecord
from chargehub.extensions import db
from chargehub.testing.helpers import wait_until
from chargehub.testing.mosquitto import PrivateMosquitto
from chargehub.testing.network import seed_bike_network
from chargehub_bike_mqtt.simulator import BikeFleet, BikeFleetThread, device_sns

DEVICES, SOCKETS = 100, 4
pytestmark = pytest.mark.timeout(300)


@pytest.fixture()
def broker():
    with PrivateMosquitto() as private:
        yield private


@pytest.fixture()
def fleet(make_app, broker):
    """``(app, sim, sns)``: 100 registered chargers connected through the gateway."""
    import chargehub_bike_mqtt.plugin as bike_mqtt

    prefix = f"F{uuid.uuid4().hex[:4].upper()}"
    sns = device_sns(prefix, DEVICES)
    app = make_app(plugins=[bike_mqtt], MQTT_URL=broker.url, COMMAND_TIMEOUT=10.0)
    with app.app_context():
        seed_bike_network(DEVICES, sockets=SOCKETS, prefix=prefix, factory_ids=sns)
        gateway = start_in_thread(app)
        sim = BikeFleetThread(BikeFleet(broker.url, count=DEVICES, prefix=prefix, sockets=SOCKETS, heartbeat_s=5,
                                        meter_s=1, speed=60, record_retry_s=2, reconnect_max_s=2))
        try:
            sim.start()
            yield app, sim, sns
        finally:
            sim.stop()
            gateway.stop()


def _count(statement) -> int:
    db.session.expire_all()
    return db.session.execute(statement).scalar_one()


def _parallel(calls):
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(lambda call: call(), calls))


def _charge(app, sn: str, trade_no: str, **limits):
    with app.app_context():
        return start_socket(sn, 1, trade_no, timeout=10, **limits)


def _stop(app, sn: str, trade_no: str):
    with app.app_context():
        return stop_socket(sn, 1, trade_no, timeout=10)


def _records() -> dict[str, BikeChargeRecord]:
    db.session.expire_all()
    return {r.trade_no: r for r in db.session.execute(sa.select(BikeChargeRecord)).scalars()}


def test_hundred_chargers_start_meter_stop_and_records_survive_a_broker_restart(fleet, broker):
    app, sim, sns = fleet
    online = sa.select(sa.func.count()).select_from(BikeDevice).where(BikeDevice.online.is_(True))
    wait_until(lambda: _count(online) == DEVICES, timeout=60)
    records_online = sa.select(sa.func.count()).select_from(DeviceOnlineRecord).where(
        DeviceOnlineRecord.device_kind == DeviceKind.BIKE_DEVICE, DeviceOnlineRecord.state == ConnectionState.ONLINE)
    assert _count(records_online) == DEVICES

    # start 40 charges over the bus: 20 to be stopped remotely, 20 that end by their energy limit
    remote = {sn: f"R{uuid.uuid4().hex[:20]}" for sn in sns[:20]}
    by_energy = {sn: f"E{uuid.uuid4().hex[:20]}" for sn in sns[20:40]}
    results = _parallel([lambda sn=sn, t=t: _charge(app, sn, t, mode="duration", duration_s=36000)
                         for sn, t in remote.items()] +
                        [lambda sn=sn, t=t: _charge(app, sn, t, mode="energy", energy_kwh=Decimal("0.02"))
                         for sn, t in by_energy.items()])
    assert [r.status.value for r in results] == ["accepted"] * 40
    # a busy socket refuses a second order, in the device's words
    refused = _charge(app, sns[0], "DUP-ORDER", mode="full")
    assert refused.status.value == "rejected" and refused.reason

    # real-time data of the charging sockets reaches the database
    charging_live = sa.select(sa.func.count()).select_from(SocketLive).where(
        SocketLive.trade_no.in_(list(remote.values())), SocketLive.power_w > 0, SocketLive.voltage_v > 0)
    wait_until(lambda: _count(charging_live) == 20, timeout=30)
    charging = sa.select(sa.func.count()).select_from(Socket).where(Socket.state == SocketState.CHARGING)
    assert _count(charging) >= 20

    stops = _parallel([lambda sn=sn, t=t: _stop(app, sn, t) for sn, t in remote.items()])
    assert [r.status.value for r in stops] == ["accepted"] * 20
    wait_until(lambda: len(_records()) == 40, timeout=60)
    records = _records()
    assert {records[t].stop_reason_code for t in remote.values()} == {"remote"}
    assert {records[t].stop_reason_code for t in by_energy.values()} == {"energy"}
    assert all(records[t].energy_kwh >= Decimal("0.02") for t in by_energy.values())

    # charges that end while the broker is down: their records wait on the devices and arrive once it is back
    late = {sn: f"L{uuid.uuid4().hex[:20]}" for sn in sns[40:60]}
    results = _parallel([lambda sn=sn, t=t: _charge(app, sn, t, mode="duration", duration_s=240)
                         for sn, t in late.items()])
    assert [r.status.value for r in results] == ["accepted"] * 20
    broker.stop()
    sim.wait_until(lambda: sim.fleet.stats()["records_pending"] >= 20, timeout=30)
    broker.start()
    # and one charger drops its connection on its own after the broker came back
    sim.wait_until(lambda: sim.fleet.connected == DEVICES, timeout=60)
    sim.run(sim.fleet.device(sns[40]).drop_connection, 0.5)
    wait_until(lambda: len(_records()) == 60, timeout=90)
    sim.wait_until(lambda: sim.fleet.stats()["records_pending"] == 0, timeout=60)

    records = _records()
    assert set(records) == set(remote.values()) | set(by_energy.values()) | set(late.values())
    assert {records[t].stop_reason_code for t in late.values()} == {"duration"}
    stats = sim.stats()
    assert stats["records_created"] == 60 and stats["records_acked"] >= 60
    # every copy the devices sent is either the stored row or counted as a duplicate of it
    copies = sum(1 + r.duplicates for r in records.values())
    assert copies <= stats["published_by_type"]["record"]
    rows = sa.select(sa.func.count()).select_from(BikeChargeRecord)
    assert _count(rows) == 60  # exactly once, however often they were resent
    wait_until(lambda: _count(online) == DEVICES, timeout=30)
