"""The e-bike plugin in the real gateway: bad input, last will, faults, device actions, the embedded broker."""
from __future__ import annotations

import json
import logging
import uuid

import pytest
import sqlalchemy as sa

from chargehub.assets.bike_models import BikeDevice, Socket, SocketState
from chargehub.assets.services.devices import device_action
from chargehub.devices.bike_models import BikeChargeRecord, SocketLive
from chargehub.devices.gateway import start_in_thread
from chargehub.devices.models import ConnectionState, DeviceOnlineRecord
from chargehub.extensions import db
from chargehub.mqtt.embedded import start_embedded_broker
from chargehub.tenancy.auth import acting_as
from chargehub.tenancy.models import User
from chargehub.testing.helpers import wait_until
from chargehub.testing.mosquitto import free_port
from chargehub.testing.network import seed_bike_network
from chargehub_bike_mqtt.simulator import BikeFleet, BikeFleetThread, device_sns

pytestmark = [pytest.mark.timeout(120), pytest.mark.smoke]  # the embedded default (SQLite) too


def _fresh(model, **where):
    db.session.expire_all()
    return db.session.execute(sa.select(model).filter_by(**where)).scalars().all()


@pytest.fixture()
def bikes(make_app, mqtt_url):
    """``(sim, sns, network)``: three chargers on the shared Mosquitto through a gateway of their own topics."""
    import chargehub_bike_mqtt.plugin as bike_mqtt

    prefix = f"G{uuid.uuid4().hex[:5].upper()}"
    sns = device_sns(prefix, 3)
    app = make_app(plugins=[bike_mqtt], MQTT_URL=mqtt_url, COMMAND_TIMEOUT=10.0,
                   MQTT_SHARED_GROUP=f"g{uuid.uuid4().hex[:8]}")
    with app.app_context():
        network = seed_bike_network(3, sockets=2, prefix=prefix, factory_ids=sns)
        gateway = start_in_thread(app)
        sim = BikeFleetThread(BikeFleet(mqtt_url, count=3, prefix=prefix, sockets=2, heartbeat_s=1, meter_s=1,
                                        speed=60, record_retry_s=2, reconnect_max_s=1, reboot_s=0.5))
        try:
            sim.start()
            wait_until(lambda: len([d for d in _fresh(BikeDevice) if d.online]) == 3, timeout=30)
            with acting_as(db.session.get(User, network.admin_id)):
                yield sim, sns, network
        finally:
            sim.stop()
            gateway.stop()


def test_bad_messages_are_logged_with_their_reason_and_never_stop_the_gateway(bikes, caplog):
    sim, sns, _ = bikes
    device = sim.fleet.device(sns[0])
    up = f"chargehub/bike/{sns[0]}/up"
    base = {"v": 1, "id": "m1", "dev": sns[0], "ts": 1795000000}
    bad = {
        b"not json at all": "JSON",
        json.dumps({**base, "type": "teleport"}).encode(): "teleport",
        json.dumps({**base, "type": "fault", "socket": 1}).encode(): "fault_bits",
        json.dumps({**base, "type": "meter", "sockets": [{"no": 1, "order": "O", "voltage_v": 2200, "current_a": 1,
                                                          "power_w": 200, "energy_wh": 5, "elapsed_s": 9}]}).encode():
            "voltage_v",
        json.dumps({**base, "type": "heartbeat", "dev": sns[1]}).encode(): sns[1],
    }
    with caplog.at_level(logging.WARNING, logger="chargehub.devices.gateway"):
        for payload in bad:
            sim.run(device.publish_raw, up, payload)
        # someone else's topic: the identity in the message does not match the topic
        sim.run(device.publish_raw, f"chargehub/bike/{sns[2]}/up",
                json.dumps({**base, "type": "heartbeat"}).encode())
        wait_until(lambda: all(any(word in r.getMessage() for r in caplog.records) for word in bad.values()),
                   timeout=15)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert sns[0] in logged and "frame=" in logged
    # the chargers carry on: heartbeats still move last_heartbeat_at
    before = {d.factory_id: d.last_heartbeat_at for d in _fresh(BikeDevice)}
    wait_until(lambda: all(d.last_heartbeat_at and d.last_heartbeat_at > before[d.factory_id]
                           for d in _fresh(BikeDevice)), timeout=15)
    assert all(d.online for d in _fresh(BikeDevice))


def test_an_invalid_record_is_kept_for_review_and_acknowledged(bikes):
    sim, sns, _ = bikes
    device = sim.fleet.device(sns[1])
    payload = json.dumps({"v": 1, "type": "record", "id": "bad-rec-1", "dev": sns[1], "ts": 1795000000,
                          "socket": 1, "order": "ORDER-X", "started_at": 1, "ended_at": 2, "energy_wh": 1.5,
                          "elapsed_s": 1, "max_power_w": 1, "reason": "full", "fault_bits": 0}).encode()
    sim.run(device.publish_raw, f"chargehub/bike/{sns[1]}/up", payload)
    sim.run(device.publish_raw, f"chargehub/bike/{sns[1]}/up", payload)
    wait_until(lambda: _fresh(BikeChargeRecord, trade_no="ORDER-X"), timeout=15)
    wait_until(lambda: len([m for m in device.received_of("ack") if m.get("re") == "bad-rec-1"]) == 2, timeout=15)
    (record,) = _fresh(BikeChargeRecord, trade_no="ORDER-X")
    assert record.stop_reason_code == "invalid" and "energy_wh" in record.stop_reason
    assert record.review_state.value == "pending" and record.frame == payload.decode()
    assert record.duplicates == 1


def test_last_will_marks_the_charger_offline_and_it_comes_back(bikes):
    sim, sns, _ = bikes
    sim.run(sim.fleet.device(sns[2]).drop_connection, 2.0)
    wait_until(lambda: not _fresh(BikeDevice, factory_id=sns[2])[0].online, timeout=15)
    offline = [r for r in _fresh(DeviceOnlineRecord, factory_id=sns[2]) if r.state is ConnectionState.OFFLINE]
    assert offline and "lwt" in offline[-1].reason
    device = _fresh(BikeDevice, factory_id=sns[2])[0]
    assert {s.state for s in _fresh(Socket, device_id=device.id)} == {SocketState.OFFLINE}
    wait_until(lambda: _fresh(BikeDevice, factory_id=sns[2])[0].online, timeout=15)
    assert {s.state for s in _fresh(Socket, device_id=device.id)} <= {SocketState.IDLE, SocketState.PLUGGED}


def test_faults_are_decoded_into_words(bikes):
    sim, sns, _ = bikes
    sim.run(sim.fleet.device(sns[0]).inject_fault, 2, 33)  # 0033: 未接地 + 电表故障
    device = _fresh(BikeDevice, factory_id=sns[0])[0]
    socket = _fresh(Socket, device_id=device.id, number=2)[0]
    wait_until(lambda: _fresh(Socket, id=socket.id)[0].state is SocketState.FAULT, timeout=15)
    live = wait_until(lambda: next((r for r in _fresh(SocketLive, socket_id=socket.id) if r.fault_bits == 33), None),
                      timeout=15)
    texts = " ".join(f["text"] for f in live.faults)
    assert "未接地" in texts and "电表" in texts
    sim.run(sim.fleet.device(sns[0]).clear_fault, 2)
    wait_until(lambda: _fresh(Socket, id=socket.id)[0].state is not SocketState.FAULT, timeout=15)


def test_refresh_state_and_reboot_work_over_mqtt(bikes):
    sim, sns, _ = bikes
    device = _fresh(BikeDevice, factory_id=sns[1])[0]
    refreshed = device_action(device, "refresh_state")
    assert refreshed.ok, refreshed.reason
    online_records = len([r for r in _fresh(DeviceOnlineRecord, factory_id=sns[1])
                          if r.state is ConnectionState.ONLINE])
    rebooted = device_action(_fresh(BikeDevice, factory_id=sns[1])[0], "reboot")
    assert rebooted.ok, rebooted.reason
    assert sim.wait_until(lambda: sim.fleet.device(sns[1]).reboots == 1, timeout=10)
    wait_until(lambda: len([r for r in _fresh(DeviceOnlineRecord, factory_id=sns[1])
                            if r.state is ConnectionState.ONLINE]) > online_records, timeout=20)
    offline = [r for r in _fresh(DeviceOnlineRecord, factory_id=sns[1]) if r.state is ConnectionState.OFFLINE]
    assert offline and "reboot" in offline[-1].reason


def test_the_embedded_broker_serves_chargers_without_any_broker_installed(make_app):
    import chargehub_bike_mqtt.plugin as bike_mqtt

    port = free_port()
    app = make_app(plugins=[bike_mqtt], MQTT_EMBEDDED_LISTEN=f"127.0.0.1:{port}")
    with app.app_context():
        sns = device_sns("EMB", 2)
        seed_bike_network(2, sockets=2, prefix="EMB", factory_ids=sns)
        broker = start_embedded_broker(app)
        assert broker is not None and broker.url == f"mqtt://127.0.0.1:{port}"
        gateway = start_in_thread(app, mqtt_url=broker.url)
        sim = BikeFleetThread(BikeFleet(broker.url, count=2, prefix="EMB", sockets=2, heartbeat_s=1))
        try:
            sim.start()
            wait_until(lambda: all(d.online for d in _fresh(BikeDevice)) and len(_fresh(BikeDevice)) == 2, timeout=30)
            wait_until(lambda: all(d.firmware for d in _fresh(BikeDevice)), timeout=10)
        finally:
            sim.stop()
            gateway.stop()
            broker.stop()
    # with a broker configured none is started
    configured = make_app(plugins=[bike_mqtt], MQTT_URL="mqtt://127.0.0.1:1883")
    assert start_embedded_broker(configured) is None
