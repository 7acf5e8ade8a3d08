"""Property tests (hypothesis): lines add up, energy is conserved, cost never decreases with more energy
or more time, pricing is deterministic, YKC conversions round-trip."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from billing_standard_helpers import MODE
from hypothesis import given, settings
from hypothesis import strategies as st

from chargehub.contracts.billing import TOU_RATES, Usage, YkcTariff, unit_price
from chargehub_billing_standard.ykc import normalize_tou_params

EXAMPLES = settings(max_examples=200, deadline=None)
ZONES = st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York"])
START = int(datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp())


def price_text(counts: int) -> str:
    return str(unit_price(counts))


@st.composite
def tou_forms(draw):
    cuts = sorted(draw(st.sets(st.integers(1, 47), max_size=12)))
    edges = [0, *cuts, 48]
    periods = [{"start": f"{a // 2:02d}:{a % 2 * 30:02d}", "end": f"{b // 2:02d}:{b % 2 * 30:02d}",
                "rate": draw(st.sampled_from(TOU_RATES))} for a, b in zip(edges, edges[1:])]
    periods = draw(st.permutations(periods))
    prices = {name: {"electricity_price": price_text(draw(st.integers(0, 300000))),
                     "service_price": price_text(draw(st.integers(0, 300000)))} for name in TOU_RATES}
    return {"prices": prices, "periods": list(periods)}


@st.composite
def tiers(draw):
    limits = sorted(draw(st.sets(st.integers(1, 3000), min_size=1, max_size=4)))
    prices = sorted(draw(st.lists(st.integers(0, 500000), min_size=len(limits), max_size=len(limits))))
    return [{"up_to_w": w, "unit_price": price_text(p)} for w, p in zip(limits, prices)]


@st.composite
def bike_common(draw):
    threshold = draw(st.integers(1, 2880))
    return {"auto_stop_minutes": threshold, "free_minutes": draw(st.integers(0, min(threshold, 30))),
            "auto_stop_amount": draw(st.sampled_from(["0", "0.50", "3.00", "10.00", "50.00"]))}


@st.composite
def forms(draw):
    """``(identifier, form)`` for any of the seven modes (tier prices ascend with power)."""
    identifier = draw(st.sampled_from(sorted(MODE)))
    price = lambda: price_text(draw(st.integers(0, 300000)))  # noqa: E731
    if identifier == "car_flat":
        return identifier, {"electricity_price": price(), "service_price": price()}
    if identifier == "car_tou":
        return identifier, draw(tou_forms())
    form = draw(bike_common())
    unit = {"unit_minutes": draw(st.sampled_from([1, 15, 30, 60, 240]))}
    extra = {
        "bike_duration": lambda: {**unit, "unit_price": price()},
        "bike_power": lambda: {**unit, "tiers": draw(tiers())},
        "bike_energy": lambda: {"electricity_price": price(), "service_price": price()},
        "bike_energy_hourly": lambda: {"electricity_price": price(), "hourly_service_price": price()},
        "bike_energy_power": lambda: {"electricity_price": price(), **unit, "tiers": draw(tiers())},
    }[identifier]()
    return identifier, {**form, **extra}


@st.composite
def usages(draw):
    """Sessions with readings and power samples inside ``[started_at, ended_at]``, up to ~50 h."""
    started = START + draw(st.integers(0, 2 * 366 * 86400))
    moment, value = started + draw(st.integers(0, 600)), draw(st.integers(0, 10**6))
    meter = [(moment, value)]
    for _ in range(draw(st.integers(0, 24))):
        moment += draw(st.integers(1, 7200))
        value += draw(st.integers(0, 50000))
        meter.append((moment, value))
    ended = moment + draw(st.integers(0, 3600))
    power_times = sorted(draw(st.sets(st.integers(started, ended), max_size=10)))
    power = tuple((t, draw(st.integers(0, 4000))) for t in power_times)
    return Usage(started, ended, tuple(meter), power)


def compiled(identifier, form, zone):
    mode = MODE[identifier]
    return mode.compile(mode.rule_schema().load(form), zone)


@EXAMPLES
@given(forms(), usages(), ZONES)
def test_lines_add_up_and_pricing_is_deterministic(mode_form, usage, zone):
    identifier, form = mode_form
    tariff = compiled(identifier, form, zone)
    bill = tariff.price(usage)
    assert bill.total == sum(line.amount for line in bill.lines) == bill.electricity + bill.service
    assert bill == tariff.price(usage) == compiled(identifier, form, zone).price(usage)
    assert bill.mode == identifier
    if identifier == "car_tou":
        assert bill.energy == usage.energy
        assert sum(line.seconds for line in bill.lines) == usage.seconds
        assert len({line.key for line in bill.lines}) == len(bill.lines)
    if bill.free:
        assert bill.total == 0
    assert bill.total >= 0


@EXAMPLES
@given(forms(), usages(), ZONES, st.integers(1, 7200), st.integers(0, 100000))
def test_cost_never_decreases_with_a_later_reading(mode_form, usage, zone, later, more):
    identifier, form = mode_form
    tariff = compiled(identifier, form, zone)
    last_time, last_value = usage.meter[-1]
    ended = max(usage.ended_at, last_time + later)
    # the same session with one more, later reading (more energy): same end, or longer
    same_end = replace(usage, meter=usage.meter + ((last_time + later, last_value + more),), ended_at=ended)
    before = tariff.price(replace(usage, ended_at=ended))
    assert tariff.price(same_end).total >= before.total
    # more time: extend the end and add a reading there
    longer = replace(usage, ended_at=usage.ended_at + later,
                     meter=usage.meter + ((usage.ended_at + later, last_value + more),))
    assert tariff.price(longer).total >= tariff.price(usage).total


@EXAMPLES
@given(forms(), usages(), ZONES, st.data())
def test_cost_never_decreases_when_later_readings_rise(mode_form, usage, zone, data):
    identifier, form = mode_form
    tariff = compiled(identifier, form, zone)
    meter = usage.meter
    if len(meter) < 2:
        return
    k = data.draw(st.integers(1, len(meter) - 1))
    # raise readings k.. by a multiple of the interval before k, so the interpolated meter rises at every
    # instant (a raise that is not such a multiple can shift a floor by one unit between two instants)
    rise = (meter[k][0] - meter[k - 1][0]) * data.draw(st.integers(0, 5))
    raised = replace(usage, meter=meter[:k] + tuple((t, v + rise) for t, v in meter[k:]))
    assert tariff.price(raised).total >= tariff.price(usage).total


@EXAMPLES
@given(tou_forms())
def test_tou_params_round_trip_through_ykc(form):
    mode = MODE["car_tou"]
    params = mode.rule_schema().load(form)
    assert mode.from_ykc(mode.to_ykc(params)) == normalize_tou_params(params)
    assert mode.rule_schema().load(mode.rule_schema().dump(normalize_tou_params(params))) == normalize_tou_params(params)


ykc_tariffs = st.builds(
    YkcTariff,
    st.tuples(*[st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))] * 4),
    st.lists(st.integers(0, 3), min_size=48, max_size=48).map(tuple))


@EXAMPLES
@given(ykc_tariffs)
def test_ykc_round_trips_through_tou_params(tariff):
    mode = MODE["car_tou"]
    assert mode.to_ykc(mode.from_ykc(tariff)) == tariff
    flat = MODE["car_flat"].from_ykc(tariff)
    assert (flat is None) == (len(set(tariff.slots)) > 1)


@EXAMPLES
@given(st.integers(0, 10**7), st.integers(0, 10**7), st.integers(0, 3))
def test_flat_params_round_trip_through_ykc(electricity, service, rate):
    mode = MODE["car_flat"]
    params = mode.rule_schema().load({"electricity_price": price_text(electricity), "service_price": price_text(service)})
    ykc = mode.to_ykc(params)
    assert ykc.slots == (0,) * 48 and set(ykc.prices) == {(electricity, service)}
    assert mode.from_ykc(ykc) == params
    single = YkcTariff(((1, 2), (3, 4), (5, 6), (electricity, service))[3 - rate:] + ((0, 0),) * (3 - rate),
                       (0,) * 48)
    assert mode.from_ykc(single) == {"electricity_price": unit_price(single.prices[0][0]),
                                     "service_price": unit_price(single.prices[0][1])}
