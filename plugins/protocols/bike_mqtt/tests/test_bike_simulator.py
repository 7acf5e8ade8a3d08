"""The e-bike charger simulator against a real Mosquitto (a private one on a free port:
``chargehub.testing.mosquitto.PrivateMosquitto``), watched by a test-side platform client
(``sim_platform.Platform``) that decodes the JSON itself. Each test uses its own random sn prefix and
clears the retained ``state`` messages it leaves."""
from __future__ import annotations

import contextlib
import csv
import json
import math
import re
import secrets
import threading
import time
from collections import Counter
from typing import Iterator

import pytest
from click.testing import CliRunner
from sim_platform import Platform, fetch_retained

from chargehub.testing.mosquitto import PrivateMosquitto
from chargehub_bike_mqtt.simulator import (
    BatteryParams,
    BikeFleet,
    BikeFleetThread,
    DeviceConfig,
    device_sns,
    parse_broker_url,
)
from chargehub_bike_mqtt.simulator.cli import read_credentials, simulate_group

ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def new_prefix() -> str:
    return "S" + secrets.token_hex(3)


def fast(sn: str, **fields) -> DeviceConfig:
    values = dict(sockets=4, heartbeat_s=30.0, meter_s=0.2, tick_s=0.05, welcome_timeout_s=2.0, reconnect_min_s=0.2,
                  reconnect_max_s=1.0, record_retry_s=30.0, reboot_s=0.3)
    values.update(fields)
    return DeviceConfig(sn, **values)


@pytest.fixture(scope="module")
def mosquitto() -> Iterator[PrivateMosquitto]:
    """A real Mosquitto of this module's own: the outage test restarts it, and no ChargeHub gateway on the
    shared broker (another run's, a developer's) answers these unknown sns with a refusing ``welcome``."""
    with PrivateMosquitto() as private:
        yield private


@pytest.fixture(scope="module")
def broker(mosquitto: PrivateMosquitto) -> str:
    return mosquitto.url


@contextlib.contextmanager
def rig(broker: str, *configs: DeviceConfig, **platform) -> Iterator[tuple[BikeFleetThread, Platform]]:
    """A watching platform, then a fleet of ``configs`` in its thread, every device ready."""
    with Platform([c.sn for c in configs], broker, **platform) as plat:
        with BikeFleetThread(BikeFleet(broker, configs)) as sim:
            sim.run(sim.fleet.wait_connected(timeout=10, ready=True))
            yield sim, plat


def start(plat: Platform, sn: str, socket: int, order: str, mode: str = "duration", **body) -> dict:
    return plat.command(sn, "start", socket=socket, order=order, mode=mode, **body)


def socket_entry(status: dict, no: int) -> dict:
    return next(s for s in status["sockets"] if s["no"] == no)


def meters_of(plat: Platform, sn: str, order: str) -> list[dict]:
    return [e for m in plat.messages(sn, "meter") for e in m.msg["sockets"] if e["order"] == order]


def record_of(plat: Platform, sn: str, order: str, timeout: float = 8.0) -> dict:
    found = plat.wait(lambda: plat.messages(sn, "record", where=lambda s: s.msg["order"] == order), timeout,
                      f"record of {order}")
    return found[0].msg


# ---------------------------------------------------------------------- connection

def test_online_is_retained_and_the_will_announces_an_abrupt_loss(broker) -> None:
    sn = new_prefix() + "0001"
    with rig(broker, fast(sn)) as (sim, plat):
        device = sim.fleet.device(sn)
        online = plat.wait_messages(sn, "online", channel="state")[0].msg
        assert online["v"] == 1 and online["dev"] == sn and ID.fullmatch(online["id"])
        assert online["boot"] == "power_on" and online["sockets"] == 4 and online["fw"] == "SIM-BIKE-1.0"
        assert online["rssi"] == -67 and online["iccid"] == "89860000000000000000"
        assert abs(online["ts"] - time.time()) < 5
        payload, retained = fetch_retained(broker, f"chargehub/bike/{sn}/state")
        assert retained is True and json.loads(payload)["id"] == online["id"]

        status = plat.wait_messages(sn, "socket_status")[0].msg
        assert status["sockets"] == [{"no": n, "state": "plugged", "order": None, "fault_bits": 0}
                                     for n in (1, 2, 3, 4)]
        assert sim.run(lambda: (device.accepted, device.tz)) == (True, "Asia/Shanghai")

        sim.run(device.drop_connection, 1.0)
        will = plat.wait_messages(sn, "offline", channel="state")[0]
        assert json.loads(will.raw) == {"v": 1, "type": "offline", "id": "lwt", "dev": sn, "ts": 0, "reason": "lwt"}
        again = plat.wait_messages(sn, "online", 2, channel="state")[1]
        assert again.msg["boot"] == "reconnect" and again.msg["id"] != online["id"]
        assert again.at - will.at >= 0.7  # waited the given second before reconnecting
        stats = sim.stats()
        assert (stats["connects"], stats["reconnects"], stats["drops"]) == (2, 1, 1)

        sim.run(device.stop)
        bye = plat.wait_messages(sn, "offline", 2, channel="state")[1].msg
        assert bye["reason"] == "shutdown" and bye["dev"] == sn and ID.fullmatch(bye["id"])
        payload, _ = fetch_retained(broker, f"chargehub/bike/{sn}/state")
        assert json.loads(payload)["reason"] == "shutdown"


def test_heartbeats_follow_heartbeat_s_and_params_change_it(broker) -> None:
    sn = new_prefix() + "0001"
    with rig(broker, fast(sn, heartbeat_s=0.25)) as (sim, plat):
        beats = plat.wait_messages(sn, "heartbeat", 6, timeout=6)[:6]
        gaps = [b.at - a.at for a, b in zip(beats, beats[1:])]
        assert all(0.1 < gap < 0.6 for gap in gaps), gaps
        assert 0.18 < sum(gaps) / len(gaps) < 0.35, gaps
        first = beats[0].msg
        assert first["rssi"] == -67 and first["temp_c"] == 35 and [s["no"] for s in first["sockets"]] == [1, 2, 3, 4]
        assert len({b.msg["id"] for b in beats}) == 6

        reply = plat.command(sn, "params", heartbeat_s=1, full_current_ma=250)
        assert reply["ok"] is True and reply["heartbeat_s"] == 1 and reply["full_current_ma"] == 250
        assert reply["max_current_ma"] == 3000 and reply["socket_max_power_w"] == 1000
        time.sleep(0.3)
        before = len(plat.messages(sn, "heartbeat"))
        time.sleep(1.5)
        assert 1 <= len(plat.messages(sn, "heartbeat")) - before <= 2
        bad = plat.command(sn, "params", heartbeat_s=0)
        assert bad["ok"] is False and bad["code"] == "bad_params"
        assert sim.run(lambda: sim.fleet.device(sn).params["full_current_ma"]) == 250


# ---------------------------------------------------------------------- charging

def test_power_falls_as_the_battery_fills_and_energy_ends_the_charge_then_ack_stops_resends(broker) -> None:
    sn = new_prefix() + "0001"
    pack = BatteryParams(capacity_wh=500, start_soc=0.82, cc_current_a=2.5, cv_soc=0.8, full_v=54.6)
    with rig(broker, fast(sn, battery=pack, speed=600, record_retry_s=0.4), ack=False) as (sim, plat):
        reply = start(plat, sn, 1, "ORD-E1", "energy", limits={"wh": 40})
        assert reply["ok"] is True and reply["socket"] == 1 and reply["order"] == "ORD-E1"
        assert reply["type"] == "start_reply" and ID.fullmatch(reply["id"])
        charging = plat.wait_messages(sn, "socket_status", 2)[1].msg
        assert socket_entry(charging, 1) == {"no": 1, "state": "charging", "order": "ORD-E1", "fault_bits": 0}

        record = record_of(plat, sn, "ORD-E1")
        meters = meters_of(plat, sn, "ORD-E1")
        assert len(meters) >= 8
        assert meters[0]["energy_wh"] == 0 and meters[0]["elapsed_s"] == 0
        powers = [m["power_w"] for m in meters]
        assert all(b <= a for a, b in zip(powers, powers[1:])) and powers[-1] < powers[0] * 0.7, powers
        assert all(m["voltage_v"] == 54.6 for m in meters)
        assert 2.2 < meters[0]["current_a"] <= 2.25 and meters[-1]["current_a"] < 1.3
        assert all(b["elapsed_s"] > a["elapsed_s"] and b["energy_wh"] >= a["energy_wh"]
                   for a, b in zip(meters, meters[1:]))
        assert meters[-1]["energy_wh"] == 40

        # CV phase: 1 - soc decays with tau = (1 - cv) * capacity * 3600 / (V * I_cc); 40 Wh = 0.08 of soc
        tau = 0.2 * 500 * 3600 / (54.6 * 2.5)
        expected_s = tau * math.log(0.18 / 0.10)
        assert record["reason"] == "energy" and record["energy_wh"] == 40 and record["fault_bits"] == 0
        assert abs(record["elapsed_s"] - expected_s) < expected_s * 0.02, (record["elapsed_s"], expected_s)
        assert record["ended_at"] == record["started_at"] + record["elapsed_s"]
        assert abs(record["started_at"] - time.time()) < 10 and record["socket"] == 1
        assert record["max_power_w"] == powers[0] == round(54.6 * 2.25)
        ended = plat.messages(sn, "socket_status")[-1]
        assert socket_entry(ended.msg, 1) == {"no": 1, "state": "plugged", "order": None, "fault_bits": 0}
        kinds = [s.type for s in plat.messages(sn, channel="up") if s.type in ("meter", "socket_status", "record")]
        assert kinds[:kinds.index("record")][-2:] == ["meter", "socket_status"]  # final meter, status, record

        copies = plat.wait_messages(sn, "record", 3, timeout=3)
        assert {c.raw for c in copies} == {copies[0].raw}  # the same record, byte for byte
        assert 0.25 < copies[1].at - copies[0].at < 0.8
        plat.ack = True
        plat.wait(lambda: not sim.run(lambda: len(sim.fleet.device(sn).pending_records)), 3, "record acknowledged")
        settled = len(plat.messages(sn, "record"))
        time.sleep(1.2)
        assert len(plat.messages(sn, "record")) == settled
        stats = sim.stats()
        assert stats["records_acked"] == 1 and stats["records_pending"] == 0 and stats["record_resends"] >= 2
        assert sim.run(lambda: list(sim.fleet.device(sn).acked_ids)) == [record["id"]]


def test_duration_full_and_amount_end_charges_on_a_two_hour_clock(broker) -> None:
    sn = new_prefix() + "0001"
    with rig(broker, fast(sn, speed=3600, meter_s=0.25)) as (sim, plat):
        device = sim.fleet.device(sn)
        sim.run(device.plug, 2, BatteryParams(capacity_wh=500, start_soc=0.97))
        assert start(plat, sn, 1, "ORD-D", limits={"seconds": 7200})["ok"] is True
        assert start(plat, sn, 2, "ORD-F", "full", full_current_ma=300, full_minutes=10)["ok"] is True
        assert start(plat, sn, 3, "ORD-A", "amount", limits={"fen": 30},
                     price={"fen_per_kwh": 150, "fen_per_hour": 20})["ok"] is True
        duration = record_of(plat, sn, "ORD-D")
        full = record_of(plat, sn, "ORD-F")
        amount = record_of(plat, sn, "ORD-A")

    # 2 h of constant current on a 960 Wh pack from 30 %: voltage climbs 42 -> 54.6 V over 0..80 % soc
    soc, wh = 0.3, 0.0
    for _ in range(72_000):
        watts = (42.0 + 12.6 * soc / 0.8) * 2.5
        wh += watts * 0.1 / 3600
        soc += watts * 0.1 / 3600 / 960
    assert duration["reason"] == "duration" and duration["elapsed_s"] == 7200
    assert abs(duration["energy_wh"] - wh) <= 2, (duration["energy_wh"], wh)
    cc = meters_of(plat, sn, "ORD-D")
    assert len(cc) >= 6 and all(m["current_a"] == 2.5 for m in cc)
    assert all(b["voltage_v"] > a["voltage_v"] and b["power_w"] >= a["power_w"] for a, b in zip(cc, cc[1:]))
    assert 46.6 <= cc[0]["voltage_v"] < 47.5  # 42 + 12.6 * 0.3 / 0.8 at the start
    assert duration["max_power_w"] == cc[-1]["power_w"]

    # full: the current falls under 300 mA at 1 - soc = 0.024 (from 0.03), then 10 minutes under it
    tau = 0.2 * 500 * 3600 / (54.6 * 2.5)
    expected = tau * math.log(0.03 / 0.024) + 600
    assert full["reason"] == "full" and abs(full["elapsed_s"] - expected) < 20, (full["elapsed_s"], expected)
    assert meters_of(plat, sn, "ORD-F")[-1]["current_a"] < 0.3

    assert amount["reason"] == "amount"
    spent = amount["energy_wh"] * 150 / 1000 + amount["elapsed_s"] * 20 / 3600
    assert 29.5 < spent <= 30.2, spent


def test_an_unacknowledged_record_is_resent_with_the_same_id_after_every_reconnect(broker) -> None:
    sn = new_prefix() + "0001"
    with rig(broker, fast(sn, speed=100), ack=False) as (sim, plat):
        device = sim.fleet.device(sn)
        assert start(plat, sn, 2, "ORD-R", limits={"seconds": 60})["ok"] is True
        first = record_of(plat, sn, "ORD-R")
        assert first["reason"] == "duration" and first["elapsed_s"] == 60 and first["socket"] == 2
        time.sleep(0.3)
        assert len(plat.messages(sn, "record")) == 1  # record_retry_s is 30 s: no periodic resend yet

        sim.run(device.drop_connection, 0.2)
        copies = plat.wait_messages(sn, "record", 2, timeout=5)
        onlines = plat.messages(sn, "online")
        assert copies[1].raw == copies[0].raw and copies[1].msg["id"] == first["id"]
        assert copies[1].at > onlines[-1].at and onlines[-1].msg["boot"] == "reconnect"
        assert sim.run(device.record_sends, first["id"]) == 2

        plat.send(sn, "ack", re=first["id"])
        plat.wait(lambda: sim.run(lambda: not device.pending_records), 3, "ack applied")
        plat.send(sn, "ack", re=first["id"])  # a duplicate ack is harmless
        plat.wait(lambda: sim.stats()["duplicate_acks"] == 1, 3, "duplicate ack counted")
        sim.run(device.drop_connection, 0.2)
        plat.wait_messages(sn, "online", 3)
        plat.wait_messages(sn, "socket_status", 4)  # ready again after the welcome
        time.sleep(0.3)
        assert len(plat.messages(sn, "record")) == 2
        assert sim.stats()["records_acked"] == 1


def test_broker_restart_reconnect_with_backoff_and_nothing_lost(broker, mosquitto) -> None:
    sn = new_prefix() + "0001"
    with rig(broker, fast(sn, speed=600)) as (sim, plat):
        device = sim.fleet.device(sn)
        sim.run(device.drop_connection, 1.0)  # away for a second: a command waits in its session
        plat.wait(lambda: not sim.run(lambda: device.connected), 3, "device away")
        cid = plat.send(sn, "refresh")
        assert plat.reply(sn, cid)["ok"] is True
        assert plat.messages(sn, "online")[-1].msg["boot"] == "reconnect"

        assert start(plat, sn, 1, "ORD-X", limits={"seconds": 1200})["ok"] is True
        failures = sim.stats()["connect_failures"]
        mosquitto.stop()
        plat.wait(lambda: sim.run(lambda: bool(device.pending_records)), 6, "charge ended with the broker down")
        retries = plat.wait(lambda: (n := sim.stats()["connect_failures"] - failures) >= 3 and n, 6, "retries")
        assert retries <= 12  # backoff, not a busy loop
        assert sim.run(lambda: device.connected) is False and not plat.messages(sn, "record")
        mosquitto.start()
        record = record_of(plat, sn, "ORD-X", timeout=8)
        assert record["reason"] == "duration" and record["elapsed_s"] == 1200
        assert plat.messages(sn, "online")[-1].msg["boot"] == "reconnect"
        plat.wait(lambda: sim.run(lambda: not device.pending_records), 3, "record acknowledged")
        stats = sim.stats()
        assert stats["reconnects"] == 2 and stats["records_acked"] == 1 and stats["records_created"] == 1


# ---------------------------------------------------------------------- commands

def test_start_refusal_codes_and_knobs(broker) -> None:
    sn = new_prefix() + "0001"
    with rig(broker, fast(sn, plugged=(True, True, False, True))) as (sim, plat):
        device = sim.fleet.device(sn)
        assert start(plat, sn, 1, "OK-1", limits={"seconds": 36000})["ok"] is True
        sim.run(device.inject_fault, 2, 64)
        sim.run(device.disable, 4)
        cases = [
            ((1, "B-1", "duration", {"limits": {"seconds": 60}}), "busy"),
            ((3, "N-1", "duration", {"limits": {"seconds": 60}}), "no_load"),
            ((2, "F-1", "duration", {"limits": {"seconds": 60}}), "fault"),
            ((4, "D-1", "duration", {"limits": {"seconds": 60}}), "disabled"),
            ((9, "P-1", "duration", {"limits": {"seconds": 60}}), "bad_params"),
            ((4, "P-2", "turbo", {"limits": {"seconds": 60}}), "bad_params"),
            ((4, "P-3", "amount", {"limits": {"fen": 100}}), "bad_params"),
            ((4, "P" * 33, "duration", {"limits": {"seconds": 60}}), "bad_params"),
            ((4, "P-5", "duration", {}), "bad_params"),
            ((4, "P-6", "energy", {"limits": {"wh": 1.5}}), "bad_params"),
        ]
        for (socket, order, mode, body), code in cases:
            reply = start(plat, sn, socket, order, mode, **body)
            assert (reply["ok"], reply["code"], reply["socket"]) == (False, code, socket)
            assert reply.get("order") == (order if len(order) <= 32 else None)  # a malformed order is not echoed
            assert isinstance(reply["reason"], str) and reply["reason"]
        assert "0064" in start(plat, sn, 2, "F-2", limits={"seconds": 60})["reason"]

        sim.run(device.enable, 4)
        sim.run(device.refuse_starts, "no_load", 4)
        assert start(plat, sn, 4, "K-1", limits={"seconds": 60})["code"] == "no_load"
        sim.run(device.refuse_starts, "busy")
        assert start(plat, sn, 4, "K-2", limits={"seconds": 60})["code"] == "no_load"  # the socket's knob first
        sim.run(device.refuse_starts, None, 4)
        assert start(plat, sn, 4, "K-3", limits={"seconds": 60})["code"] == "busy"
        sim.run(device.refuse_starts, None)
        assert start(plat, sn, 4, "K-4", limits={"seconds": 60})["ok"] is True
        stats = sim.stats()
        assert stats["starts_accepted"] == 2
        assert stats["starts_refused_by_code"] == {"bad_params": 6, "busy": 2, "disabled": 1, "fault": 2, "no_load": 3}
        with pytest.raises(ValueError):
            sim.run(device.refuse_starts, "maybe")


def test_fault_injection_ends_charges_and_clears(broker) -> None:
    sn = new_prefix() + "0001"
    with rig(broker, fast(sn)) as (sim, plat):
        device = sim.fleet.device(sn)
        assert start(plat, sn, 1, "ORD-F1", limits={"seconds": 36000})["ok"] is True
        assert start(plat, sn, 2, "ORD-F2", limits={"seconds": 36000})["ok"] is True
        sim.run(device.inject_fault, 1, 1 | 32)
        fault = plat.wait_messages(sn, "fault")[0].msg
        assert (fault["socket"], fault["fault_bits"]) == (1, 33)
        record = record_of(plat, sn, "ORD-F1")
        assert (record["reason"], record["fault_bits"], record["socket"]) == ("fault", 33, 1)
        status = plat.messages(sn, "socket_status")[-1].msg
        assert socket_entry(status, 1) == {"no": 1, "state": "fault", "order": None, "fault_bits": 33}
        assert socket_entry(status, 2)["state"] == "charging"

        sim.run(device.inject_fault, 0, 256)  # the whole device: over-temperature
        record2 = record_of(plat, sn, "ORD-F2")
        assert (record2["reason"], record2["fault_bits"]) == ("fault", 256)
        device_fault = plat.wait_messages(sn, "fault", 2)[1].msg
        assert (device_fault["socket"], device_fault["fault_bits"]) == (0, 256)
        sim.run(device.clear_fault, 1)
        assert plat.wait_messages(sn, "fault", 3)[2].msg["fault_bits"] == 0
        assert sim.run(device.socket_states) == ["fault"] * 4  # the device bit still holds every socket
        sim.run(device.clear_fault, 0, 256)
        last = plat.wait(lambda: (s := plat.messages(sn, "socket_status")[-1].msg) and all(
            e["state"] == "plugged" for e in s["sockets"]) and s, 3, "faults cleared")
        assert all(e["fault_bits"] == 0 for e in last["sockets"])
        assert sim.stats()["faults_injected"] == 2


def test_a_repeated_command_id_is_answered_the_same_way_and_acted_on_once(broker) -> None:
    sn = new_prefix() + "0001"
    with rig(broker, fast(sn)) as (sim, plat):
        body = dict(socket=1, order="ORD-DUP", mode="duration", limits={"seconds": 36000})
        plat.send(sn, "start", id="dup-start-1", **body)
        plat.wait(lambda: plat.messages(sn, "start_reply"), 3, "first reply")
        plat.send(sn, "start", id="dup-start-1", **body)
        replies = plat.wait_messages(sn, "start_reply", 2)
        assert replies[0].raw == replies[1].raw
        assert replies[0].msg["ok"] is True and replies[0].msg["re"] == "dup-start-1"
        plat.send(sn, "stop", id="dup-stop-1", socket=1)
        plat.wait(lambda: plat.messages(sn, "stop_reply"), 3, "stop reply")
        plat.send(sn, "stop", id="dup-stop-1", socket=1)
        stops = plat.wait_messages(sn, "stop_reply", 2)
        assert stops[0].raw == stops[1].raw and stops[0].msg["ok"] is True
        time.sleep(0.3)
        assert len(plat.messages(sn, "record")) == 1
        charging = [s for s in plat.messages(sn, "socket_status") if socket_entry(s.msg, 1)["state"] == "charging"]
        assert len(charging) == 1
        stats = sim.stats()
        assert stats["starts_accepted"] == 1 and stats["duplicate_commands"] == 2


def test_stop_refresh_params_qrcode_unplug_power_tier_and_unknown_commands(broker) -> None:
    sn = new_prefix() + "0001"
    with rig(broker, fast(sn, speed=60)) as (sim, plat):
        device = sim.fleet.device(sn)
        assert start(plat, sn, 1, "ORD-S", limits={"seconds": 36000})["ok"] is True
        time.sleep(0.5)
        assert plat.command(sn, "stop", socket=1, order="OTHER")["code"] == "wrong_order"
        stopped = plat.command(sn, "stop", socket=1, order="ORD-S")
        record = record_of(plat, sn, "ORD-S")
        assert stopped["ok"] is True and record["reason"] == "remote" and 20 <= record["elapsed_s"] <= 60
        assert (stopped["energy_wh"], stopped["elapsed_s"]) == (record["energy_wh"], record["elapsed_s"])
        assert plat.command(sn, "stop", socket=1)["code"] == "idle"

        before = len(plat.messages(sn, "socket_status"))
        assert plat.command(sn, "refresh", sockets=[2, 3])["ok"] is True
        refreshed = plat.wait_messages(sn, "socket_status", before + 1)[-1].msg
        assert [e["no"] for e in refreshed["sockets"]] == [2, 3]
        assert plat.command(sn, "refresh", sockets=[7])["code"] == "bad_params"

        assert plat.command(sn, "qrcode", prefix="https://q.example/b?no=")["ok"] is True
        assert sim.run(lambda: device.socket(3).qr_url) == f"https://q.example/b?no={sn}03"
        assert plat.command(sn, "qrcode", sockets=[{"no": 2, "url": "https://x/2"}])["ok"] is True
        assert sim.run(lambda: device.socket(2).qr_url) == "https://x/2"
        assert plat.command(sn, "qrcode")["code"] == "bad_params"

        assert start(plat, sn, 2, "ORD-U", limits={"seconds": 36000})["ok"] is True
        sim.run(device.unplug, 2)
        assert record_of(plat, sn, "ORD-U")["reason"] == "unplugged"
        assert start(plat, sn, 2, "ORD-U2", limits={"seconds": 60})["code"] == "no_load"
        sim.run(device.plug, 2, BatteryParams(cc_current_a=3.0, empty_v=58.0, full_v=67.2, start_soc=0.5))
        assert start(plat, sn, 2, "ORD-P", limits={"seconds": 36000}, max_power_w=150)["ok"] is True
        over = record_of(plat, sn, "ORD-P")
        assert over["reason"] == "power_over" and over["max_power_w"] > 150

        unknown = plat.command(sn, "firmware_update", url="https://x")
        assert unknown["type"] == "firmware_update_reply" and unknown["code"] == "unsupported"
        params = plat.command(sn, "params", socket_max_power_w=100)
        assert params["socket_max_power_w"] == 100
        assert start(plat, sn, 3, "ORD-T", limits={"seconds": 36000})["ok"] is True
        assert record_of(plat, sn, "ORD-T")["reason"] == "power_over"  # ~130 W above the socket limit


def test_reboot_replies_goes_offline_and_reports_lost_charges_after_the_restart(broker) -> None:
    sn = new_prefix() + "0001"
    with rig(broker, fast(sn)) as (sim, plat):
        device = sim.fleet.device(sn)
        assert start(plat, sn, 1, "ORD-RB", limits={"seconds": 36000})["ok"] is True
        assert plat.command(sn, "reboot", mode="later")["code"] == "bad_params"
        reply = plat.command(sn, "reboot", mode="now")
        assert reply["ok"] is True
        offline = plat.wait(lambda: plat.messages(sn, "offline"), 3, "offline")[0]
        assert offline.msg["reason"] == "reboot" and offline.at >= plat.messages(sn, "reboot_reply")[0].at
        online = plat.wait_messages(sn, "online", 2)[1]
        assert online.msg["boot"] == "reboot" and online.at - offline.at >= 0.25
        record = record_of(plat, sn, "ORD-RB")
        assert record["reason"] == "power_loss"
        assert plat.messages(sn, "record")[0].at > online.at  # reported after the restart
        assert sim.run(lambda: device.reboots) == 1 and sim.stats()["reboots"] == 1

        assert start(plat, sn, 2, "ORD-RB2", limits={"seconds": 36000})["ok"] is True
        assert plat.command(sn, "reboot", mode="idle")["ok"] is True
        time.sleep(0.4)
        assert len(plat.messages(sn, "online")) == 2  # waits for the charge
        plat.command(sn, "stop", socket=2)
        assert record_of(plat, sn, "ORD-RB2")["reason"] == "remote"
        assert plat.wait_messages(sn, "online", 3)[2].msg["boot"] == "reboot"
        plat.wait_messages(sn, "socket_status", 6)  # ready again

        order = sim.run(lambda: device.start_local(3, seconds=600))  # a charge started at the device
        assert order.startswith("L") and len(order) <= 32
        assert socket_entry(plat.wait_messages(sn, "socket_status", 7)[6].msg, 3)["order"] == order
        sim.run(device.power_cycle, 0.3)
        will = plat.wait(lambda: [s for s in plat.messages(sn, "offline") if s.msg["reason"] == "lwt"], 3, "will")
        assert plat.wait_messages(sn, "online", 4)[3].msg["boot"] == "power_on"
        lost = record_of(plat, sn, order)
        assert lost["reason"] == "power_loss" and lost["socket"] == 3
        assert will[0].at < plat.messages(sn, "record")[-1].at  # reported after the power came back


def test_refused_welcome_silences_the_device_until_its_next_online(broker) -> None:
    sn = new_prefix() + "0001"
    config = fast(sn, heartbeat_s=0.2, refused_retry_s=0.5)
    with Platform([sn], broker, accepted=False) as plat, \
            BikeFleetThread(BikeFleet(broker, [config])) as sim:
        device = sim.fleet.device(sn)
        plat.wait_messages(sn, "online", 3, timeout=5)
        assert sim.run(lambda: (device.accepted, device.ready)) == (False, False)
        assert not plat.messages(sn, "heartbeat") and not plat.messages(sn, "socket_status")
        assert sim.stats()["welcomes_refused"] >= 2
        plat.accepted = True
        plat.wait_messages(sn, "heartbeat", 2, timeout=5)
        assert sim.run(lambda: device.accepted) is True


def test_a_device_without_clock_sends_ts_0_and_asks_for_the_time(broker) -> None:
    sn = new_prefix() + "0001"
    with rig(broker, fast(sn, clock_set=False, heartbeat_s=0.3)) as (sim, plat):
        online = plat.wait_messages(sn, "online")[0].msg
        request = plat.wait_messages(sn, "time_req")[0].msg
        assert online["ts"] == 0 and request["ts"] == 0
        beat = plat.wait_messages(sn, "heartbeat")[0].msg
        assert abs(beat["ts"] - time.time()) < 5


def test_raw_publishing_and_invalid_messages_from_the_platform(broker) -> None:
    sn = new_prefix() + "0001"
    with rig(broker, fast(sn)) as (sim, plat):
        device = sim.fleet.device(sn)
        assert sim.run(device.publish_raw, f"chargehub/bike/{sn}/up", b'{"v":1,"type":"heartbeat"') is True
        raw = plat.wait(lambda: [s for s in plat.messages(sn, channel="up") if s.msg is None], 3, "raw bytes")[0]
        assert raw.raw == b'{"v":1,"type":"heartbeat"'
        for payload in (b"\xff\xfe not json", b'{"v":2,"type":"stop","id":"x1","dev":"' + sn.encode() + b'"}',
                        b'{"v":1,"type":"stop","id":"x2","dev":"OTHER"}', b"[1,2]"):
            plat.client.publish(f"chargehub/bike/{sn}/down", payload, qos=1)
        plat.wait(lambda: sim.stats()["invalid_received"] == 4, 3, "invalid messages counted")
        assert not plat.messages(sn, "stop_reply")


def test_mqtt5_device_connects_and_leaves_a_will(broker) -> None:
    sn = new_prefix() + "0001"
    with rig(broker, fast(sn, mqtt_version="5")) as (sim, plat):
        assert plat.wait_messages(sn, "online")[0].msg["boot"] == "power_on"
        assert start(plat, sn, 1, "ORD-V5", limits={"seconds": 5})["ok"] is True
        sim.run(sim.fleet.device(sn).drop_connection, 0.3)
        assert plat.wait_messages(sn, "offline")[0].msg["reason"] == "lwt"
        assert plat.wait_messages(sn, "online", 2)[1].msg["boot"] == "reconnect"


def test_the_platform_codec_accepts_what_the_simulator_sends_and_the_simulator_obeys_codec_commands(broker) -> None:
    """Two independent implementations of docs/protocols/bike-mqtt.md meet on the wire."""
    from chargehub_bike_mqtt import codec

    sn = new_prefix() + "0001"
    with rig(broker, fast(sn, speed=600, heartbeat_s=0.3, clock_set=False)) as (sim, plat):
        device = sim.fleet.device(sn)
        plat.wait_messages(sn, "heartbeat")
        now = int(time.time())

        def down(payload: bytes) -> None:
            plat.client.publish(f"chargehub/bike/{sn}/down", payload, qos=1)

        def answer(cid: str) -> dict:
            return plat.reply(sn, cid)

        down(codec.encode_start("c1", sn, now, socket=1, order="X-1", mode="energy", limits={"wh": 20}))
        down(codec.encode_start("c2", sn, now, socket=2, order="X-2", mode="amount", limits={"fen": 2},
                                price={"fen_per_kwh": 100}, max_power_w=500, stop_when_full=True,
                                full_current_ma=200, full_minutes=5))
        down(codec.encode_start("c3", sn, now, socket=3, order="X-3", mode="duration", limits={"seconds": 36000}))
        assert all(answer(cid)["ok"] for cid in ("c1", "c2", "c3"))
        down(codec.encode_start("c3b", sn, now, socket=3, order="X-3b", mode="full"))
        assert answer("c3b")["code"] == "busy"
        down(codec.encode_stop("c4", sn, now, socket=3, order="X-3"))
        down(codec.encode_stop("c5", sn, now, socket=4))
        down(codec.encode_refresh("c6", sn, now, sockets=[1, 2]))
        down(codec.encode_params("c7", sn, now, heartbeat_s=30, full_minutes=3))
        down(codec.encode_qrcode("c8", sn, now, sockets=[{"no": 1, "url": "https://q.example/1"}]))
        assert answer("c4")["ok"] is True and answer("c5")["code"] == "idle"
        assert answer("c6")["ok"] and answer("c7")["heartbeat_s"] == 30 and answer("c8")["ok"]
        reasons = [record_of(plat, sn, order)["reason"] for order in ("X-1", "X-2", "X-3")]
        assert reasons == ["energy", "amount", "remote"]
        sim.run(device.inject_fault, 4, 512)
        sim.run(device.clear_fault, 4)
        plat.wait_messages(sn, "fault", 2)
        sim.run(device.drop_connection, 0.2)
        will = plat.wait_messages(sn, "offline")[0]
        plat.wait_messages(sn, "online", 2)
        down(codec.encode_reboot("c9", sn, now, mode="now"))
        assert plat.wait_messages(sn, "online", 3)[2].msg["boot"] == "reboot"

    assert json.loads(codec.lwt_payload(sn)) == json.loads(will.raw)
    sent = [s for s in plat.messages(sn) if s.channel != "down" and s.raw]
    decoded = [codec.decode(s.raw) for s in sent]  # raises MessageError on anything invalid
    assert {m.type for m in decoded} >= {
        "online", "offline", "time_req", "heartbeat", "socket_status", "meter", "record", "fault", "start_reply",
        "stop_reply", "refresh_reply", "params_reply", "qrcode_reply", "reboot_reply"}
    assert all(m.dev == sn for m in decoded) and decoded[0].ts == 0  # no clock before the platform's time
    replies = {m.re: m for m in decoded if m.type.endswith("_reply")}
    assert replies["c3b"].body["code"] == "busy" and replies["c4"].body["order"] == "X-3"


# ---------------------------------------------------------------------- scale and CLI

def test_two_hundred_devices_share_one_thread(broker) -> None:
    sns = device_sns(new_prefix(), 200)
    configs = [DeviceConfig(sn, sockets=10, heartbeat_s=1.0, welcome_timeout_s=1.0) for sn in sns]
    with Platform(sns, broker, welcome=False) as plat:
        threads_before = threading.active_count()
        fleet = BikeFleet(broker, configs, ramp=1000)
        with BikeFleetThread(fleet) as sim:
            assert threading.active_count() == threads_before + 1  # the fleet's loop, nothing per device
            sim.run(fleet.wait_connected(timeout=20))
            plat.wait(lambda: len(beats := Counter(s.sn for s in plat.messages(type="heartbeat"))) == 200
                      and min(beats.values()) >= 2, 15, "two heartbeats from each of the 200")
            assert threading.active_count() == threads_before + 1
            stats = sim.stats()
            assert stats["devices"] == 200 and stats["connected"] == 200 and stats["ready"] == 200
            assert stats["published_by_type"]["online"] == 200 and stats["published_by_type"]["heartbeat"] >= 200
            assert stats["connect_failures"] == 0
        assert len(plat.messages(type="online")) == 200
        assert all(len(s.msg["sockets"]) == 10 for s in plat.messages(type="heartbeat")[:50])


def test_cli_runs_a_fleet_and_prints_stats_lines(broker, tmp_path) -> None:
    prefix = new_prefix()
    sns = device_sns(prefix, 2)
    creds = tmp_path / "devices.csv"
    with creds.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows([("sn", "username", "password"), (sns[0], "u1", "p1"), (sns[1], "u2", "p2")])
    assert read_credentials(creds) == {sns[0]: ("u1", "p1"), sns[1]: ("u2", "p2")}
    with Platform(sns, broker) as plat:
        result = CliRunner().invoke(simulate_group, [
            "bike", "--broker", broker, "--credentials", str(creds), "--sockets", "6", "--heartbeat", "0.3",
            "--duration", "1.6", "--stats-every", "0.5"])
        assert result.exit_code == 0, result.output
        lines = [json.loads(line) for line in result.output.splitlines()]
        assert len(lines) >= 3 and lines[-1]["devices"] == 2 and lines[-1]["connected"] == 2
        assert lines[-1]["published_by_type"]["heartbeat"] >= 2
        assert {s.sn for s in plat.messages(type="online")} == set(sns)
        assert all(s.msg["sockets"] == 6 for s in plat.messages(type="online"))
        plat.wait(lambda: len(plat.messages(type="offline")) == 2, 3, "shutdown offline")
    bad = CliRunner().invoke(simulate_group, ["bike", "--broker", "mqtts://x:8883", "--duration", "0.1"])
    assert bad.exit_code != 0 and "only mqtt://" in bad.output


def test_cli_simulates_the_chargers_named_with_sn(broker) -> None:
    sns = [f"{new_prefix()}X7", f"{new_prefix()}Y8"]  # names no counter would make, like the demo's
    with Platform(sns, broker) as plat:
        result = CliRunner().invoke(simulate_group, [
            "bike", "--broker", broker, "--sn", sns[0], "--sn", sns[1], "--duration", "1.0", "--stats-every", "0"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output.splitlines()[-1])["devices"] == 2
        assert {s.sn for s in plat.messages(type="online")} == set(sns)


def test_config_and_broker_url_validation(monkeypatch) -> None:
    assert device_sns("BK", 3, first=9) == ["BK0009", "BK0010", "BK0011"]
    assert device_sns("X", 1, first=12345) == ["X12345"]
    assert parse_broker_url("mqtt://10.0.0.5") == ("10.0.0.5", 1883)
    assert parse_broker_url("tcp://broker:1884") == ("broker", 1884)
    with pytest.raises(ValueError):
        DeviceConfig("BK/1")
    with pytest.raises(ValueError):
        DeviceConfig("BK1", sockets=13)
    with pytest.raises(ValueError):
        DeviceConfig("BK1", plugged=(True, False))
    with pytest.raises(ValueError):
        device_sns("B/", 1)
    monkeypatch.setenv("CHARGEHUB_MQTT_URL", "mqtt://10.1.2.3:1999")
    assert BikeFleet(count=1, prefix="Q").devices[0].link.port == 1999
    monkeypatch.delenv("CHARGEHUB_MQTT_URL")
    assert BikeFleet(count=1, prefix="Q").devices[0].link.port == 1884
