"""``chargehub simulate ykc``: run a fleet of simulated YKC piles against a gateway (a plain TCP client,
no Flask app needed). Prints one JSON line of :meth:`Fleet.stats` every ``--stats-every`` seconds and a
last one on exit.
"""
from __future__ import annotations

import asyncio
import gc
from decimal import Decimal, InvalidOperation

import click

from chargehub.devices.simulation import run_fleet
from chargehub_ykc.simulator.config import PileConfig
from chargehub_ykc.simulator.fleet import Fleet

__all__ = ["ykc", "simulate_group"]


def _decimal(ctx: click.Context, param: click.Parameter, value: str) -> Decimal:
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise click.BadParameter(f"{value!r} is not a number") from None
    if result <= 0:
        raise click.BadParameter("must be positive")
    return result


@click.command("ykc")
@click.option("--host", default="127.0.0.1", show_default=True, help="Gateway address.")
@click.option("--port", default=8767, show_default=True, type=int, help="Gateway YKC port.")
@click.option("--piles", "count", default=1, show_default=True, type=click.IntRange(1), help="Number of piles.")
@click.option("--guns", default=2, show_default=True, type=click.IntRange(1, 8), help="Guns per pile.")
@click.option("--prefix", default="99", show_default=True, help="Pile code prefix (digits; a counter fills 14).")
@click.option("--first", default=1, show_default=True, type=click.IntRange(0), help="First pile counter.")
@click.option("--pile-type", type=click.Choice(["dc", "ac"]), default="dc", show_default=True)
@click.option("--power-kw", default="60", show_default=True, callback=_decimal, help="Power per gun, kW.")
@click.option("--unplugged", is_flag=True, help="Guns start unplugged (remote starts answer 0x05).")
@click.option("--heartbeat", default=10.0, show_default=True, type=float, help="Heartbeat period, s.")
@click.option("--status-interval", default=300.0, show_default=True, type=float, help="Idle 0x13 period, s.")
@click.option("--charging-status-interval", default=15.0, show_default=True, type=float,
              help="Charging 0x13 (and BMS) period, s.")
@click.option("--record-retry", default=30.0, show_default=True, type=float, help="0x3B resend period, s.")
@click.option("--reconnect-delay", default=5.0, show_default=True, type=float, help="Reconnect delay, s.")
@click.option("--ramp", default=500.0, show_default=True, type=float, help="Piles connected per second.")
@click.option("--duration", default=0.0, show_default=True, type=float, help="Seconds to run (0: until Ctrl-C).")
@click.option("--stats-every", default=10.0, show_default=True, type=float,
              help="Seconds between JSON stats lines (0: only at the end).")
@click.option("--code", "codes", multiple=True, metavar="CODE",
              help="Simulate exactly these 14-digit piles (repeatable), e.g. the demo's --code 32010600210101.")
def ykc(host: str, port: int, count: int, guns: int, prefix: str, first: int, pile_type: str, power_kw: Decimal,
        unplugged: bool, heartbeat: float, status_interval: float, charging_status_interval: float,
        record_retry: float, reconnect_delay: float, ramp: float, duration: float, stats_every: float,
        codes: tuple[str, ...]) -> None:
    """Simulate YKC (云快充) piles: log in, heartbeat, report status and answer the platform's commands
    (remote start/stop, billing model, clock, ...) like real piles."""
    fields = dict(guns=guns, pile_type=pile_type, power_kw=power_kw, plugged=not unplugged,
                  heartbeat_interval=heartbeat, idle_status_interval=status_interval,
                  charging_status_interval=charging_status_interval, bms_interval=charging_status_interval,
                  record_retry_interval=record_retry, reconnect_delay=reconnect_delay)
    try:
        if codes:
            fleet = Fleet(host, port, configs=[PileConfig(code, keep_frames=0, **fields) for code in codes], ramp=ramp)
        else:
            fleet = Fleet(host, port, count, prefix=prefix, first=first, ramp=ramp, **fields)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    gc.collect()
    gc.freeze()  # thousands of long-lived piles: keep them out of the collector's full passes
    gc.set_threshold(50_000, 20, 100)  # frames are short-lived: let them die young
    try:
        asyncio.run(run_fleet(fleet, duration, stats_every))
    except KeyboardInterrupt:
        pass


#: Registered by the plugin's ``register_commands`` hook: ``chargehub simulate ykc``.
simulate_group = click.Group("simulate", commands={"ykc": ykc}, help="Device simulators.")
