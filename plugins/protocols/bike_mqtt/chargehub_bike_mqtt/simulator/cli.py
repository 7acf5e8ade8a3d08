"""``chargehub simulate bike``: run simulated e-bike chargers against an MQTT broker (no Flask app
needed). Prints one JSON line of :meth:`BikeFleet.stats` every ``--stats-every`` seconds and a last one
on exit.
"""
from __future__ import annotations

import asyncio
import csv
import gc
from pathlib import Path

import click

from chargehub.devices.simulation import run_fleet
from chargehub_bike_mqtt.simulator.config import DeviceConfig, default_broker_url, parse_broker_url
from chargehub_bike_mqtt.simulator.fleet import BikeFleet

__all__ = ["bike", "simulate_group", "read_credentials"]


def read_credentials(path: Path) -> dict[str, tuple[str, str]]:
    """``sn,username,password`` rows of a CSV file (a header row naming ``sn`` is skipped), in file order."""
    out: dict[str, tuple[str, str]] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for number, row in enumerate(csv.reader(handle), 1):
            cells = [cell.strip() for cell in row]
            if not cells or not any(cells) or (number == 1 and cells[0].lower() == "sn"):
                continue
            if len(cells) < 3 or not cells[0]:
                raise ValueError(f"{path}:{number}: expected sn,username,password")
            out[cells[0]] = (cells[1], cells[2])
    return out


@click.command("bike")
@click.option("--broker", default=None, metavar="URL",
              help="mqtt://host:port [default: CHARGEHUB_MQTT_URL, else mqtt://127.0.0.1:1884].")
@click.option("--devices", "count", default=None, type=click.IntRange(1),
              help="Number of chargers [default: the rows of --credentials, else 1].")
@click.option("--sockets", default=10, show_default=True, type=click.IntRange(2, 12), help="Sockets per charger.")
@click.option("--prefix", default="BK", show_default=True, help="sn prefix (a counter from --first follows).")
@click.option("--first", default=1, show_default=True, type=click.IntRange(0), help="First sn counter.")
@click.option("--heartbeat", default=60.0, show_default=True, type=click.FloatRange(min=0.05), help="Heartbeat, s.")
@click.option("--meter", default=15.0, show_default=True, type=click.FloatRange(min=0.05),
              help="Meter period while charging, s.")
@click.option("--speed", default=1.0, show_default=True, type=click.FloatRange(min=0.001),
              help="Time acceleration of the charging physics.")
@click.option("--sn", "sns", multiple=True, metavar="SN",
              help="Simulate exactly these chargers (repeatable), e.g. the demo's --sn DEMOBIKE0101 --sn DEMOBIKE0102.")
@click.option("--credentials", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of sn,username,password (with --devices: credentials for the generated sns).")
@click.option("--mqtt-version", type=click.Choice(["3.1.1", "5"]), default="3.1.1", show_default=True)
@click.option("--ramp", default=200.0, show_default=True, type=float, help="Chargers connected per second.")
@click.option("--duration", default=0.0, show_default=True, type=float, help="Seconds to run (0: until Ctrl-C).")
@click.option("--stats-every", default=10.0, show_default=True, type=float,
              help="Seconds between JSON stats lines (0: only at the end).")
def bike(broker: str | None, count: int | None, sockets: int, prefix: str, first: int, heartbeat: float,
         meter: float, speed: float, sns: tuple[str, ...], credentials: Path | None, mqtt_version: str, ramp: float,
         duration: float, stats_every: float) -> None:
    """Simulate e-bike chargers (两轮车充电设备) over MQTT: online, heartbeats, socket status, remote
    start/stop with a battery model, meter readings, records kept until acknowledged, and the other
    commands of docs/protocols/bike-mqtt.md."""
    url = broker or default_broker_url()
    fields = dict(sockets=sockets, heartbeat_s=heartbeat, meter_s=meter, speed=speed, mqtt_version=mqtt_version)
    try:
        parse_broker_url(url)
        creds = read_credentials(credentials) if credentials is not None else {}
        if sns:
            configs = [DeviceConfig(sn, username=creds.get(sn, (None, None))[0], password=creds.get(sn, (None, None))[1],
                                    **fields) for sn in sns]
            fleet = BikeFleet(url, configs, ramp=ramp)
        elif count is None and creds:
            configs = [DeviceConfig(sn, username=user, password=pw, **fields) for sn, (user, pw) in creds.items()]
            fleet = BikeFleet(url, configs, ramp=ramp)
        else:
            fleet = BikeFleet(url, count=count or 1, prefix=prefix, first=first, ramp=ramp, credentials=creds,
                              **fields)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    gc.collect()
    gc.freeze()  # hundreds of long-lived devices: keep them out of the collector's full passes
    try:
        asyncio.run(run_fleet(fleet, duration, stats_every))
    except KeyboardInterrupt:
        pass


#: Registered by the plugin's ``register_commands`` hook: ``chargehub simulate bike``.
simulate_group = click.Group("simulate", commands={"bike": bike}, help="Device simulators.")
