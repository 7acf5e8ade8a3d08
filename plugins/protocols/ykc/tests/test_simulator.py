"""The YKC pile simulator against a small platform that speaks the real protocol over real TCP
(``ykc_sim_platform.StubPlatform``). Intervals are shortened to tenths of a second."""
from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import AsyncIterator

from click.testing import CliRunner
from ykc_sim_platform import PRICES, SLOTS, StubPlatform

from chargehub_ykc.codec.messages import (
    BalanceUpdate,
    ClockSync,
    LockCommand,
    OfflineCard,
    OfflineCardClear,
    OfflineCardQuery,
    OfflineCardSync,
    QrPrefixSet,
    ReadRealtimeData,
    Reboot,
    RemoteStart,
    RemoteStop,
    Upgrade,
    WorkParams,
    encode,
)
from chargehub_ykc.simulator import (
    ChargeSession,
    Fleet,
    FleetThread,
    PileBillingModel,
    PileConfig,
    ScaledClock,
    SimulatedPile,
    amount_units,
)
from chargehub_ykc.simulator.cli import simulate_group

CODE = "32010200000001"
OTHER = "32010200000002"
TEN_AM = datetime(2024, 5, 1, 10, 0, 0)
FOUR_PLACES = Decimal("0.0001")


def run(coro, timeout: float = 15.0):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def fast(code: str = CODE, **fields) -> PileConfig:
    values = dict(guns=2, power_kw=Decimal("360"), heartbeat_interval=0.1, idle_status_interval=5.0,
                  charging_status_interval=0.15, bms_interval=0.15, record_delay=0.05, record_retry_interval=0.2,
                  login_retry_interval=0.2, reconnect_delay=0.1, plug_timeout=1.0)
    values.update(fields)
    return PileConfig(code, **values)


def trade(n: int, gun: int = 1) -> str:
    return f"{CODE}{gun:02d}240501100000{n:04d}"


def start_cmd(n: int, gun: int = 1, code: str = CODE) -> RemoteStart:
    return RemoteStart(trade(n, gun), code, gun, "1000000573".zfill(16), "00000000D14B0A54", Decimal("100.00"))


def expected_amount(energy: Decimal, rate: int) -> Decimal:
    price = PRICES[rate]
    return (energy * (price.electricity_price + price.service_price)).quantize(FOUR_PLACES, ROUND_HALF_UP)


def assert_clean(platform: StubPlatform) -> None:
    """Every frame the simulator sent decoded, had its CRC low byte first and re-encodes to its bytes."""
    assert platform.errors == []
    for item in platform.received:
        assert encode(item.message, item.frame.seq) == item.frame.raw, item.frame.hex()


@contextlib.asynccontextmanager
async def running(*configs: PileConfig, **platform_options) -> AsyncIterator[tuple[StubPlatform, list[SimulatedPile]]]:
    platform = StubPlatform(**platform_options)
    port = await platform.start()
    piles = [SimulatedPile(config, port=port) for config in configs]
    for pile in piles:
        pile.start()
    try:
        yield platform, piles
    finally:
        for pile in piles:
            pile.close()
        await platform.stop()
    assert_clean(platform)


# ---------------------------------------------------------------------------------------------- metering


def test_metering_splits_energy_by_half_hour_slot_exactly():
    model = PileBillingModel.from_message(StubPlatform().model(CODE))
    assert model.unit_prices == (200_000, 155_000, 110_000, 56_235)  # electricity + service, 0.00001 yuan
    start = datetime(2024, 5, 1, 7, 20, 0)
    session = ChargeSession(trade(1), 1, model, 60_000_000, start, 0)  # 60 kW
    for minutes in (5, 17, 41, 44, 70):  # accrue at arbitrary points: the result must not depend on them
        session.accrue(start + timedelta(minutes=minutes))
    # 07:20–07:30 sharp 10 min, 07:30–08:00 peak 30 min, 08:00–08:30 flat 30 min: 10 kWh, 30 kWh, 30 kWh.
    assert session.rate_units == [100_000, 300_000, 300_000, 0]
    assert session.energy_units == 700_000
    assert session.rate_amounts() == [200_000, 465_000, 330_000, 0]
    session.accrue(start)  # a clock set backwards counts nothing
    assert session.energy_units == 700_000
    assert amount_units(1, 50_000) == 1 and amount_units(1, 49_999) == 0  # half up at 0.0001 yuan


# ---------------------------------------------------------------------------------------------- link


def test_login_clock_billing_model_and_heartbeats():
    async def scenario():
        async with running(fast(), clock_time=TEN_AM) as (platform, [pile]):
            await pile.wait_logged_in()
            await pile.wait_for(lambda: pile.billing is not None)
            assert pile.billing.model_code == "0001"
            assert pile.billing.prices == PRICES and pile.billing.slots == SLOTS
            assert abs(pile.now() - TEN_AM) < timedelta(seconds=2)
            login = platform.messages(0x01)[0]
            assert (login.pile_code, login.pile_type, login.gun_count, login.protocol_version) == (CODE, 0, 2, 0x10)
            # Replies echo the platform's sequence bytes.
            await platform.wait_frames(0x57)
            await platform.wait_frames(0x55)
            sent_seqs = {0x57: b"\x01\x80", 0x55: b"\x00\x80"}  # 0x56 went first, then 0x58
            for code, seq in sent_seqs.items():
                assert platform.frames(code)[0].frame.seq == seq
            assert platform.messages(0x57)[0].result == 0x01
            assert platform.messages(0x05)[0].model_code == "0000"
            statuses = platform.messages(0x13)
            assert {m.gun for m in statuses[:2]} == {1, 2} and all(m.gun_status == 0x02 for m in statuses[:2])
            beats = await platform.wait_frames(0x03, 6)
            assert {b.message.gun for b in beats} == {1, 2}  # one gun per heartbeat, rotating
            await pile.wait_for(lambda: pile.heartbeat_replies >= 5)
            assert pile.stats.heartbeat_latency.count >= 5
            assert 0 < pile.stats.heartbeat_latency.percentile(0.5) < 0.5
            # A second login sends the held model code and, matching, does not ask for the model.
            pile.drop_connection(0.05)
            await pile.wait_logged_in(count=2)
            await platform.wait_frames(0x05, 2)
            assert platform.messages(0x05)[1].model_code == "0001"
            assert platform.frames(0x09) == [] or all(r.conn == 1 for r in platform.frames(0x09))

    run(scenario())


def test_model_requested_when_verify_mismatches_and_no_start_without_model():
    async def scenario():
        async with running(fast(), push_model=False, clock_time=TEN_AM) as (platform, [pile]):
            platform.answer_model = False
            await pile.wait_logged_in()
            await platform.wait_frames(0x05)
            requests = await platform.wait_frames(0x09, 2)  # repeated until a model arrives
            assert requests[1].at - requests[0].at >= 0.15
            seq = platform.send(CODE, start_cmd(1))
            [reply] = [r for r in await platform.wait_frames(0x33)]
            assert reply.frame.seq == seq
            assert (reply.message.result, reply.message.failure_reason) == (0x00, 0x03)
            platform.answer_model = True
            await pile.wait_for(lambda: pile.billing is not None)
            assert pile.model_code == "0001"
            platform.send(CODE, start_cmd(2))
            await platform.wait_frames(0x33, 2)
            assert platform.messages(0x33)[1].result == 0x01

    run(scenario())


def test_login_retried_until_answered_and_after_a_refusal():
    async def scenario():
        async with running(fast(), fast(OTHER), clock_time=TEN_AM) as (platform, [pile, other]):
            platform.answer_logins = False
            platform.refuse_next.add(OTHER)
            logins = await platform.wait_frames(0x01, 3, pile=CODE)
            assert {r.conn for r in logins[:3]} == {logins[0].conn}  # resent on the same connection
            assert logins[1].at - logins[0].at >= 0.15
            platform.answer_logins = True
            await pile.wait_logged_in()
            await other.wait_logged_in()
            assert other.login_refusals == 1 and other.login_count == 1
            other_conns = {r.conn for r in platform.frames(0x01, pile=OTHER)}
            assert len(other_conns) >= 2  # the refused connection was closed; a new one logged in

    run(scenario())


def test_missed_heartbeat_replies_make_the_pile_log_in_again():
    async def scenario():
        async with running(fast(), clock_time=TEN_AM) as (platform, [pile]):
            await pile.wait_logged_in()
            platform.answer_heartbeats = False
            await pile.wait_for(lambda: pile.stats.heartbeat_timeouts >= 1, timeout=3)
            platform.answer_heartbeats = True
            await pile.wait_logged_in(count=2)
            assert pile.stats.disconnects >= 1

    run(scenario())


# ---------------------------------------------------------------------------------------------- charging


def test_remote_start_charges_and_prices_per_model_then_remote_stop_sends_the_record():
    async def scenario():
        async with running(fast(), clock_time=TEN_AM) as (platform, [pile]):
            await pile.wait_logged_in()
            await pile.wait_for(lambda: pile.billing is not None)
            seq = platform.send(CODE, start_cmd(1))
            [reply] = await platform.wait_frames(0x33)
            assert reply.frame.seq == seq and (reply.message.result, reply.message.failure_reason) == (1, 0)
            assert pile.gun_state(1) == "charging"
            for code in (0x15, 0x17):  # DC: BMS handshake and parameters at the start
                assert platform.messages(code)[0].trade_no == trade(1)
            charging = await platform.wait_frames(0x13, 6, where=lambda m: m.gun_status == 0x03)
            assert charging[0].at - reply.at < 0.05  # "charging" at once
            energies = [r.message.energy_kwh for r in charging]
            assert energies == sorted(energies) and energies[-1] > energies[1] > 0
            for item in charging:  # 10:00 is in a flat slot; amount = energy × (electricity + service)
                msg = item.message
                assert msg.trade_no == trade(1) and msg.gun_plugged == 1
                assert msg.amount == expected_amount(msg.energy_kwh, 2)
                assert msg.loss_energy_kwh == msg.energy_kwh
                assert msg.output_voltage > 0 and msg.output_current > 0
            await platform.wait_frames(0x23, 2)
            await platform.wait_frames(0x25, 2)

            stop_seq = platform.send(CODE, RemoteStop(CODE, 1))
            [stop] = await platform.wait_frames(0x35)
            assert stop.frame.seq == stop_seq and (stop.message.result, stop.message.failure_reason) == (1, 0)
            [record_item] = await platform.wait_frames(0x3B)
            assert record_item.at - stop.at < 1.0
            codes_after_stop = [r.frame.code for r in platform.received if stop.at <= r.at <= record_item.at]
            assert codes_after_stop.index(0x19) < codes_after_stop.index(0x3B)
            idle = [r.message for r in platform.frames(0x13) if stop.at <= r.at and r.message.gun == 1]
            assert idle and idle[0].gun_status == 0x02
            record = record_item.message
            assert (record.trade_no, record.pile_code, record.gun) == (trade(1), CODE, 1)
            assert (record.trade_flag, record.stop_reason, record.physical_card) == (0x01, 0x40, "00000000D14B0A54")
            seconds = Decimal((record.ended_at - record.started_at) // timedelta(microseconds=1)).scaleb(-6)
            energy = (Decimal(360) * seconds / 3600).quantize(FOUR_PLACES, ROUND_FLOOR)
            assert record.total_energy_kwh == energy > 0
            assert record.meter_end_kwh - record.meter_start_kwh == energy
            for rate, period in enumerate(record.periods):
                assert period.unit_price == PRICES[rate].electricity_price + PRICES[rate].service_price
                assert period.energy_kwh == (energy if rate == 2 else 0)
                assert period.amount == expected_amount(period.energy_kwh, rate)
            assert record.total_amount == sum(p.amount for p in record.periods)
            assert record.total_amount >= charging[-1].message.amount
            await pile.wait_for(lambda: trade(1) in pile.acked_trades)
            assert pile.unsent == {} and pile.stats.record_latency.count == 1
            assert pile.gun(1).meter == 10000 * energy

    run(scenario())


def test_per_period_energies_follow_the_billing_model_across_slots():
    async def scenario():
        # One real second is one pile hour; the platform sets the pile's clock to 07:10 at login.
        config = fast(power_kw=Decimal("60"), guns=1, clock=ScaledClock(datetime(2024, 1, 1), 3600),
                      charging_status_interval=0.1)
        async with running(config, clock_time=datetime(2024, 5, 1, 7, 10)) as (platform, [pile]):
            await pile.wait_logged_in()
            await pile.wait_for(lambda: pile.billing is not None and pile.clock_syncs == 1)
            platform.send(CODE, start_cmd(7))
            await platform.wait_frames(0x33)
            await pile.wait_for(lambda: pile.now() >= datetime(2024, 5, 1, 8, 40), timeout=5)
            platform.send(CODE, RemoteStop(CODE, 1))
            [item] = await platform.wait_frames(0x3B)
            record = item.message
            start, end = record.started_at, record.ended_at
            assert start < datetime(2024, 5, 1, 7, 30) and end > datetime(2024, 5, 1, 8, 30)

            def cumulative(moment: datetime) -> Decimal:
                micros = Decimal((moment - start) // timedelta(microseconds=1))
                return (Decimal(60) * micros / Decimal(3_600_000_000)).quantize(FOUR_PLACES, ROUND_FLOOR)

            expected = [Decimal(0)] * 4
            slot_start = start.replace(minute=0 if start.minute < 30 else 30, second=0, microsecond=0)
            while slot_start < end:
                slot_end = slot_start + timedelta(minutes=30)
                rate = SLOTS[slot_start.hour * 2 + slot_start.minute // 30]
                expected[rate] += cumulative(min(slot_end, end)) - cumulative(max(slot_start, start))
                slot_start = slot_end
            assert all(e > 0 for e in expected)  # sharp, peak, flat and valley all used
            assert [p.energy_kwh for p in record.periods] == expected
            assert [p.amount for p in record.periods] == [expected_amount(e, r) for r, e in enumerate(expected)]
            assert record.total_energy_kwh == cumulative(end) == sum(expected)
            assert record.total_amount == sum(expected_amount(e, r) for r, e in enumerate(expected))

    run(scenario())


def test_not_plugged_start_answers_0x05_then_starts_when_plugged_in_time():
    async def scenario():
        async with running(fast(plugged=(False, False), plug_timeout=0.3), clock_time=TEN_AM) as (platform, [pile]):
            await pile.wait_logged_in()
            await pile.wait_for(lambda: pile.billing is not None)
            seq = platform.send(CODE, start_cmd(1))
            [first] = await platform.wait_frames(0x33)
            assert first.frame.seq == seq
            assert (first.message.result, first.message.failure_reason) == (0x00, 0x05)
            pile.plug(1)
            replies = await platform.wait_frames(0x33, 2)
            second = replies[1]
            assert second.message.trade_no == trade(1)
            assert (second.message.result, second.message.failure_reason) == (1, 0)
            assert pile.gun_state(1) == "charging"
            between = [r.message for r in platform.frames(0x13) if first.at <= r.at and r.message.gun == 1]
            assert between[0].gun_status == 0x03 and between[0].gun_plugged == 1  # no idle frame first
            await asyncio.sleep(0.1)
            pile.unplug(1)  # pulled out while charging: the session ends and its record goes at once
            [pulled] = await platform.wait_frames(0x3B, timeout=0.5)
            assert (pulled.message.trade_no, pulled.message.stop_reason) == (trade(1), 0x6B)
            assert pile.gun(1).plugged is False and pile.gun_state(1) == "idle"

            platform.send(CODE, start_cmd(2, gun=2))
            await platform.wait_frames(0x33, 3)
            assert platform.messages(0x33)[2].failure_reason == 0x05
            await asyncio.sleep(0.45)  # past the plug window
            pile.plug(2)
            await platform.wait_frames(0x13, where=lambda m: m.gun == 2 and m.gun_plugged == 1)
            await asyncio.sleep(0.1)
            assert len(platform.frames(0x33)) == 3 and pile.gun_state(2) == "idle"

    run(scenario())


def test_refusals_faults_and_work_parameters():
    async def scenario():
        async with running(fast(pile_type="ac"), clock_time=TEN_AM) as (platform, [pile]):
            await pile.wait_logged_in()
            await pile.wait_for(lambda: pile.billing is not None)

            def last_start_reply():
                return platform.messages(0x33)[-1]

            platform.send(CODE, start_cmd(1))
            await platform.wait_frames(0x33, 1)
            platform.send(CODE, start_cmd(2))  # same gun again
            await platform.wait_frames(0x33, 2)
            assert (last_start_reply().result, last_start_reply().failure_reason) == (0, 0x02)
            platform.conns[CODE].send(start_cmd(3, gun=2, code=OTHER))  # another pile's code
            await platform.wait_frames(0x33, 3)
            assert last_start_reply().failure_reason == 0x01

            pile.set_fault(2, 0x0041)
            await platform.wait_frames(0x13, where=lambda m: m.gun == 2 and m.gun_status == 0x01)
            assert platform.messages(0x13)[-1].fault_bits == 0x0041
            await platform.wait_frames(0x03, where=lambda m: m.gun == 2 and m.gun_status == 0x01)
            platform.send(CODE, start_cmd(4, gun=2))
            await platform.wait_frames(0x33, 4)
            assert last_start_reply().failure_reason == 0x03
            pile.clear_fault(2)
            await platform.wait_frames(0x13, where=lambda m: m.gun == 2 and m.gun_status == 0x02)

            platform.send(CODE, RemoteStop(CODE, 2))  # not charging
            [stop] = await platform.wait_frames(0x35)
            assert (stop.message.result, stop.message.failure_reason) == (0, 0x02)

            seq = platform.send(CODE, WorkParams(CODE, 0x01, 100))  # disable
            [params] = await platform.wait_frames(0x51)
            assert params.frame.seq == seq and params.message.result == 0x01 and not pile.enabled
            platform.send(CODE, start_cmd(5, gun=2))
            await platform.wait_frames(0x33, 5)
            assert last_start_reply().failure_reason == 0x03
            platform.send(CODE, WorkParams(CODE, 0x00, 50))
            await platform.wait_frames(0x51, 2)
            platform.send(CODE, start_cmd(6, gun=2))
            await platform.wait_frames(0x33, 6)
            assert last_start_reply().result == 0x01
            assert pile.gun(2).session.power_mw == 180_000_000  # 50 % of 360 kW
            assert platform.frames(0x15) == [] and platform.frames(0x23) == []  # AC: no BMS frames

            pile.set_fault(1, 0x0001)  # emergency stop while charging: abnormal stop 0x72
            [item] = await platform.wait_frames(0x3B, where=lambda m: m.trade_no == trade(1))
            assert item.message.stop_reason == 0x72 and pile.gun_state(1) == "fault"

    run(scenario())


def test_unacknowledged_record_is_resent_every_retry_interval_until_0x40():
    async def scenario():
        async with running(fast(), clock_time=TEN_AM) as (platform, [pile]):
            platform.ack_records = False
            await pile.wait_logged_in()
            await pile.wait_for(lambda: pile.billing is not None)
            platform.send(CODE, start_cmd(1))
            await platform.wait_frames(0x33)
            await asyncio.sleep(0.2)
            assert pile.stop_at_pile(1)
            copies = await platform.wait_frames(0x3B, 4, timeout=3)
            gaps = [b.at - a.at for a, b in zip(copies, copies[1:])]
            assert all(0.18 <= gap <= 0.4 for gap in gaps), gaps
            assert {c.message for c in copies} == {copies[0].message}  # the same record each time
            assert copies[0].message.stop_reason == 0x45 and trade(1) in pile.unsent
            platform.ack_records = True
            await pile.wait_for(lambda: trade(1) in pile.acked_trades, timeout=2)
            sent = len(platform.frames(0x3B))
            await asyncio.sleep(0.7)
            assert len(platform.frames(0x3B)) == sent and pile.unsent == {}

    run(scenario())


def test_records_survive_a_dropped_connection_and_are_uploaded_first_after_login():
    async def scenario():
        async with running(fast(), clock_time=TEN_AM) as (platform, [pile]):
            await pile.wait_logged_in()
            await pile.wait_for(lambda: pile.billing is not None)
            # A: the record went out but was not acknowledged before the link dropped.
            platform.ack_records = False
            platform.send(CODE, start_cmd(1))
            await platform.wait_frames(0x33)
            await asyncio.sleep(0.2)
            platform.send(CODE, RemoteStop(CODE, 1))
            await platform.wait_frames(0x3B)
            pile.drop_connection(0.2)
            platform.ack_records = True
            await pile.wait_logged_in(count=2)
            await pile.wait_for(lambda: trade(1) in pile.acked_trades)
            second = [r for r in platform.received if r.conn == platform.connection_count]
            assert [r.frame.code for r in second[:2]] == [0x01, 0x3B]  # stored records first, before 0x05
            assert second[1].message.trade_no == trade(1)
            await asyncio.sleep(0.6)  # > 2 retry intervals: acknowledged means never again
            assert len([r for r in second if r.frame.code == 0x3B]) == 1
            assert len([r for r in platform.frames(0x3B) if r.conn == platform.connection_count]) == 1

            # B: the link drops mid-charge; the session ends while offline.
            platform.send(CODE, start_cmd(2, gun=2))
            await platform.wait_frames(0x33, 2)
            await asyncio.sleep(0.2)
            pile.drop_connection(0.3)
            assert pile.stop_at_pile(2) and trade(2, 2) in pile.unsent
            await asyncio.sleep(0.1)
            assert platform.frames(0x3B, pile=None)[-1].message.trade_no == trade(1)  # nothing sent offline
            await pile.wait_logged_in(count=3)
            await pile.wait_for(lambda: trade(2, 2) in pile.acked_trades)
            await asyncio.sleep(0.5)
            uploads = [r for r in platform.frames(0x3B) if r.message.trade_no == trade(2, 2)]
            assert len(uploads) == 1 and uploads[0].message.stop_reason == 0x45
            assert pile.unsent == {} and list(pile.acked_trades) == [trade(1), trade(2, 2)]

    run(scenario())


# ---------------------------------------------------------------------------------------------- maintenance


def test_maintenance_commands_are_answered_with_the_request_sequence():
    async def scenario():
        async with running(fast(), clock_time=TEN_AM) as (platform, [pile]):
            await pile.wait_logged_in()
            await pile.wait_for(lambda: pile.billing is not None)

            async def ask(message, reply_code):
                """Send ``message``; the reply of ``reply_code`` that echoes its sequence bytes."""
                seq = platform.send(CODE, message)
                [item] = await platform.wait_for(lambda: [r for r in platform.frames(reply_code) if r.frame.seq == seq])
                return item.message

            assert (await ask(ReadRealtimeData(CODE, 2), 0x13)).gun == 2
            noon = datetime(2024, 5, 1, 12, 0, 0)
            assert (await ask(ClockSync(CODE, noon), 0x55)).device_time - noon < timedelta(seconds=1)
            prefix = "https://example.test/q?no="
            assert (await ask(QrPrefixSet(CODE, 0x01, prefix), 0xF1)).result == 0x01
            assert (pile.qr_prefix, pile.qr_format) == (prefix, 0x01)
            assert (await ask(LockCommand(CODE, 1, 0x55), 0x63)).result == 0x01
            lock = (await platform.wait_frames(0x61))[0].message
            assert (lock.gun, lock.lock_state) == (1, 0x55)
            cards = (OfflineCard("0000001000000573", "00000000D14B0A54"),
                     OfflineCard("0000001000000574", "00000000AABBCCDD"))
            assert (await ask(OfflineCardSync(CODE, cards), 0x43)).result == 0x01
            query = await ask(OfflineCardQuery(CODE, ("00000000D14B0A54", "0000000011111111")), 0x47)
            assert [r.present for r in query.results] == [1, 0]
            clear = await ask(OfflineCardClear(CODE, ("00000000D14B0A54",)), 0x45)
            assert clear.results[0].cleared == 0x01 and list(pile.offline_cards) == ["00000000AABBCCDD"]
            platform.send(CODE, start_cmd(1))
            await platform.wait_frames(0x33)
            balance = await ask(BalanceUpdate(CODE, 1, "00000000D14B0A54", Decimal("55.50")), 0x41)
            assert balance.result == 0x00 and pile.gun(1).session.balance == Decimal("55.50")
            upgrade = Upgrade(CODE, 0x01, 60, "192.0.2.1", 21, "u", "p", "fw.bin", 0x02, 10)
            assert (await ask(upgrade, 0x93)).status == 0x00
            assert (await ask(Reboot(CODE, 0x01), 0x91)).result == 0x01
            await pile.wait_logged_in(count=2)
            assert pile.reboots == 1 and pile.qr_prefix is None
            [record] = await platform.wait_frames(0x3B)
            assert record.message.stop_reason == 0x83  # the reboot cut the session

    run(scenario())


# ---------------------------------------------------------------------------------------------- fleets


def test_fleet_of_200_piles_logs_in_and_heartbeats():
    async def scenario():
        platform = StubPlatform(clock_time=TEN_AM)
        port = await platform.start()
        fleet = Fleet(port=port, count=200, prefix="77", ramp=2000, guns=2, heartbeat_interval=0.2,
                      login_retry_interval=1.0, reconnect_delay=0.2)
        fleet.start()
        try:
            await fleet.wait_logged_in(timeout=10)
            assert len({m.pile_code for m in platform.messages(0x01)}) == 200
            await platform.wait_for(lambda: fleet.stats_sink.heartbeat_latency.count >= 400, timeout=5)
            stats = fleet.stats()
            assert stats["logged_in"] == 200 and stats["piles"] == 200 and stats["logins"] == 200
            assert stats["heartbeat_latency"]["p50"] is not None and stats["frames_received"] > 400
            assert all(p.billing is not None for p in fleet.piles) or await fleet.piles[0].wait_for(
                lambda: all(p.billing is not None for p in fleet.piles))
            assert all(p.frames is None for p in fleet.piles)  # fleets keep no frame history by default
        finally:
            await fleet.stop()
            await platform.stop()
        assert_clean(platform)

    run(scenario(), timeout=20)


def test_fleet_thread_and_cli_drive_piles_from_synchronous_code():
    platform = StubPlatform(clock_time=TEN_AM)
    with FleetThread() as server:
        port = server.run(platform.start())
        with FleetThread(Fleet(port=port, count=5, prefix="55", guns=1, heartbeat_interval=0.1,
                               record_delay=0.05)) as sim:
            sim.wait_until(lambda: sim.fleet.logged_in == 5, timeout=5)
            code = sim.fleet.piles[0].code
            sim.wait_until(lambda: sim.fleet.pile(code).billing is not None)
            server.run(platform.send, code, RemoteStart(f"{code}01240501100000{1:04d}", code, 1, "0" * 16,
                                                        "0" * 16, Decimal("10.00")))
            assert sim.wait_until(lambda: sim.fleet.pile(code).gun_state(1) == "charging") is True
            assert sim.run(sim.fleet.pile(code).stop_at_pile, 1) is True
            sim.wait_until(lambda: sim.fleet.stats()["records_acked"] == 1)
            stats = sim.stats()
            assert stats["unsent"] == 0 and stats["charging_guns"] == 0 and stats["logged_in"] == 5

        result = CliRunner().invoke(simulate_group, [
            "ykc", "--port", str(port), "--piles", "3", "--guns", "1", "--prefix", "66", "--heartbeat", "0.1",
            "--duration", "1.0", "--stats-every", "0.4", "--ramp", "100"])
        assert result.exit_code == 0, result.output
        lines = [json.loads(line) for line in result.output.splitlines()]
        assert len(lines) >= 2 and lines[-1]["piles"] == 3 and lines[-1]["logged_in"] == 3
        assert lines[-1]["heartbeat_latency"]["count"] > 0

        named = CliRunner().invoke(simulate_group, [  # the demo's way: exactly these piles
            "ykc", "--port", str(port), "--code", "32010600210101", "--code", "32010600210202", "--guns", "2",
            "--heartbeat", "0.1", "--duration", "1.0", "--stats-every", "0", "--ramp", "100"])
        assert named.exit_code == 0, named.output
        last = json.loads(named.output.splitlines()[-1])
        assert last["piles"] == 2 and last["logged_in"] == 2
        server.run(platform.stop())
    assert_clean(platform)
