"""Hypothesis strategies building every YKC message with values the wire can carry."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from hypothesis import strategies as st

from chargehub_ykc.codec import messages as M


def digits(n: int) -> st.SearchStrategy[str]:
    """Exactly ``n`` decimal digits."""
    return st.text("0123456789", min_size=n, max_size=n)


def hexs(n: int) -> st.SearchStrategy[str]:
    """``n`` raw bytes as upper-case hex."""
    return st.binary(min_size=n, max_size=n).map(lambda b: b.hex().upper())


def uint(bits: int) -> st.SearchStrategy[int]:
    """An unsigned integer of ``bits`` bits."""
    return st.integers(0, (1 << bits) - 1)


def dec(places: int, bits: int, offset: int = 0) -> st.SearchStrategy[Decimal]:
    """A Decimal a ``bits``-bit wire integer at ``places`` decimals (plus ``offset``) can carry."""
    return uint(bits).map(lambda raw: Decimal(raw).scaleb(-places) + offset if offset else Decimal(raw).scaleb(-places))


def text(n: int) -> st.SearchStrategy[str]:
    """Up to ``n`` Latin-1 characters without NUL."""
    return st.text(st.characters(min_codepoint=1, max_codepoint=255), max_size=n)


PILE = digits(14)
TRADE = digits(32)
CARD = digits(16)
PHYS = hexs(8)
GUN = st.integers(0, 99)
U8, U16, U32 = uint(8), uint(16), uint(32)
TEMP = st.integers(-50, 205)
PLUS1 = st.integers(1, 256)
V01 = dec(1, 16)
I400 = dec(1, 16, -400)
ENERGY = dec(4, 32)
BAL = dec(2, 32)
TIME = st.none() | st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31, 23, 59, 59)).map(
    lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000))
PRICES = st.tuples(*[st.builds(M.RatePrice, dec(5, 32), dec(5, 32))] * 4)
PERIODS = st.tuples(*[st.builds(M.Period, dec(5, 32), dec(4, 32), dec(4, 32), dec(4, 32))] * 4)
SLOTS = st.lists(U8, min_size=48, max_size=48).map(tuple)
RESERVED = st.binary(min_size=4, max_size=4)
RECORD_TAIL = dict(periods=PERIODS, meter_start_kwh=dec(4, 40), meter_end_kwh=dec(4, 40), total_energy_kwh=ENERGY,
                   total_loss_energy_kwh=ENERGY, total_amount=ENERGY, vin=text(17), trade_flag=U8, traded_at=TIME,
                   stop_reason=U8, physical_card=PHYS)
START_REQUEST = dict(pile_code=PILE, gun=GUN, start_mode=U8, password_required=U8, card_number=PHYS,
                     password=hexs(16), vin=text(17))
HEAD = dict(trade_no=TRADE, pile_code=PILE, gun=GUN)

FIELDS: dict[type, dict[str, st.SearchStrategy]] = {
    M.Login: dict(pile_code=PILE, pile_type=U8, gun_count=U8, protocol_version=U8, firmware_version=text(8),
                  network_type=U8, iccid=hexs(10), carrier=U8),
    M.LoginReply: dict(pile_code=PILE, result=U8),
    M.Heartbeat: dict(pile_code=PILE, gun=GUN, gun_status=U8),
    M.HeartbeatReply: dict(pile_code=PILE, gun=GUN, reply=U8),
    M.BillingModelVerify: dict(pile_code=PILE, model_code=hexs(2)),
    M.BillingModelVerifyReply: dict(pile_code=PILE, model_code=hexs(2), result=U8),
    M.BillingModelRequest: dict(pile_code=PILE),
    M.BillingModelReply: dict(pile_code=PILE, model_code=digits(4), prices=PRICES, loss_ratio=U8, slots=SLOTS),
    M.BillingModelSet: dict(pile_code=PILE, model_code=digits(4), prices=PRICES, loss_ratio=U8, slots=SLOTS),
    M.BillingModelSetReply: dict(pile_code=PILE, result=U8),
    M.ReadRealtimeData: dict(pile_code=PILE, gun=GUN),
    M.RealtimeData: dict(**HEAD, gun_status=U8, gun_homed=U8, gun_plugged=U8, output_voltage=V01,
                         output_current=V01, cable_temperature=TEMP, cable_code=hexs(8), soc=U8,
                         battery_max_temperature=TEMP, charging_minutes=U16, remaining_minutes=U16, energy_kwh=ENERGY,
                         loss_energy_kwh=ENERGY, amount=ENERGY, fault_bits=U16),
    M.BmsHandshake: dict(**HEAD, bms_protocol_version=hexs(3), battery_type=U8, rated_capacity_ah=V01,
                         rated_voltage=V01, battery_maker=text(4), battery_pack_serial=U32,
                         production_year=st.integers(1985, 1985 + 255), production_month=U8, production_day=U8,
                         charge_count=uint(24), ownership=U8, reserved=U8, vin=text(17),
                         bms_software_version=hexs(8)),
    M.BmsParameters: dict(**HEAD, max_cell_voltage=dec(2, 16), max_charge_current=I400, nominal_energy_kwh=V01,
                          max_total_voltage=V01, max_temperature=TEMP, soc=V01, battery_voltage=V01,
                          pile_max_output_voltage=V01, pile_min_output_voltage=V01, pile_max_output_current=I400,
                          pile_min_output_current=I400),
    M.ChargingEnd: dict(**HEAD, final_soc=U8, min_cell_voltage=dec(2, 16), max_cell_voltage=dec(2, 16),
                        min_battery_temperature=TEMP, max_battery_temperature=TEMP, charging_minutes=U16,
                        output_energy_kwh=V01, charger_number=U32),
    M.BmsError: dict(**HEAD, bem_flags=U32, cem_flags=U32),
    M.BmsAbort: dict(**HEAD, stop_reason=U8, fault_reason=U16, error_reason=U8),
    M.ChargerAbort: dict(**HEAD, stop_reason=U8, fault_reason=U16, error_reason=U8),
    M.BmsDemand: dict(**HEAD, demand_voltage=V01, demand_current=I400, charge_mode=U8, measured_voltage=V01,
                      measured_current=I400, max_cell_voltage=dec(2, 12), max_cell_group=uint(4), soc=U8,
                      remaining_minutes=U16, output_voltage=V01, output_current=I400, charging_minutes=U16),
    M.BmsStatus: dict(**HEAD, max_voltage_cell_number=PLUS1, max_battery_temperature=TEMP,
                      max_temperature_probe=PLUS1, min_battery_temperature=TEMP, min_temperature_probe=PLUS1,
                      status_flags=U16),
    M.PileStartRequest: START_REQUEST,
    M.StartAuthorization: dict(**HEAD, logical_card=CARD, balance=BAL, auth_result=U8, failure_reason=U8),
    M.RemoteStartReply: dict(**HEAD, result=U8, failure_reason=U8),
    M.RemoteStart: dict(**HEAD, logical_card=CARD, physical_card=PHYS, balance=BAL),
    M.RemoteStopReply: dict(pile_code=PILE, gun=GUN, result=U8, failure_reason=U8),
    M.RemoteStop: dict(pile_code=PILE, gun=GUN),
    M.TransactionRecord: dict(**HEAD, started_at=TIME, ended_at=TIME, **RECORD_TAIL),
    M.TransactionRecordV17: dict(**HEAD, started_at=TIME, ended_at=TIME, meter_number=digits(12),
                                 meter_ciphertext=hexs(34), meter_protocol_version=U16, meter_encryption=U8,
                                 **RECORD_TAIL),
    M.TransactionRecordAck: dict(trade_no=TRADE, result=U8),
    M.BalanceUpdateReply: dict(pile_code=PILE, physical_card=PHYS, result=U8),
    M.BalanceUpdate: dict(pile_code=PILE, gun=GUN, physical_card=PHYS, balance=BAL),
    M.OfflineCardSyncReply: dict(pile_code=PILE, result=U8, failure_reason=U8),
    M.OfflineCardSync: dict(pile_code=PILE, cards=st.lists(st.builds(M.OfflineCard, CARD, PHYS),
                                                           max_size=M.MAX_SYNC_CARDS).map(tuple)),
    M.OfflineCardClearReply: dict(pile_code=PILE, results=st.lists(st.builds(M.CardClearResult, PHYS, U8, U8),
                                                                   max_size=24).map(tuple)),
    M.OfflineCardClear: dict(pile_code=PILE, physical_cards=st.lists(PHYS, max_size=M.MAX_CLEAR_CARDS).map(tuple)),
    M.OfflineCardQueryReply: dict(pile_code=PILE, results=st.lists(st.builds(M.CardQueryResult, PHYS, U8),
                                                                   max_size=27).map(tuple)),
    M.OfflineCardQuery: dict(pile_code=PILE, physical_cards=st.lists(PHYS, max_size=M.MAX_QUERY_CARDS).map(tuple)),
    M.WorkParamsReply: dict(pile_code=PILE, result=U8),
    M.WorkParams: dict(pile_code=PILE, work_state=U8, max_power_percent=U8),
    M.ClockSyncReply: dict(pile_code=PILE, device_time=TIME),
    M.ClockSync: dict(pile_code=PILE, time=TIME),
    M.LockStatus: dict(pile_code=PILE, gun=U8, lock_state=U8, bay_state=U8, battery_percent=U8, alarm=U8,
                       reserved=RESERVED),
    M.LockCommand: dict(pile_code=PILE, gun=U8, action=U8, reserved=RESERVED),
    M.LockCommandReply: dict(pile_code=PILE, gun=U8, result=U8, reserved=RESERVED),
    M.RebootReply: dict(pile_code=PILE, result=U8),
    M.Reboot: dict(pile_code=PILE, control=U8),
    M.UpgradeReply: dict(pile_code=PILE, status=U8),
    M.Upgrade: dict(pile_code=PILE, pile_model=U8, pile_power_kw=U16, server=text(16), port=U16, user=text(16),
                    password=text(16), file_path=text(32), execution=U8, download_timeout_minutes=U8),
    M.ParallelStartRequest: dict(**START_REQUEST, master_flag=U8, parallel_serial=digits(12)),
    M.ParallelStartAuthorization: dict(**HEAD, logical_card=CARD, balance=BAL, auth_result=U8, failure_reason=U8,
                                       parallel_serial=digits(12)),
    M.ParallelRemoteStartReply: dict(**HEAD, result=U8, failure_reason=U8, master_flag=U8,
                                     parallel_serial=digits(12)),
    M.ParallelRemoteStart: dict(**HEAD, logical_card=CARD, physical_card=PHYS, balance=BAL,
                                parallel_serial=digits(12)),
    M.QrPrefixSet: dict(pile_code=PILE, qr_format=U8,
                        prefix=st.text(st.characters(min_codepoint=0, max_codepoint=255), max_size=242)),
    M.QrPrefixReply: dict(pile_code=PILE, result=U8),
}


def message_strategy(cls: type) -> st.SearchStrategy[M.Message]:
    """Messages of class ``cls``."""
    return st.builds(cls, **FIELDS[cls])


#: Any message of any code.
ANY_MESSAGE = st.one_of([message_strategy(cls) for cls in FIELDS])
