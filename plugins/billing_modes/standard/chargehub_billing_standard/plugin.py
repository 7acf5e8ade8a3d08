"""Plugin entry point: META and the ``register_billing_modes`` hook."""
from __future__ import annotations

from chargehub import PluginLevel, PluginMeta, hookimpl

from chargehub_billing_standard.bike import BikeDuration, BikeEnergy, BikeEnergyHourly, BikeEnergyPower, BikePower
from chargehub_billing_standard.car import CarFlat, CarTou

META = PluginMeta(
    name="billing_standard",
    verbose_name="标准计费模式",
    version="1.0.0",
    category="billing",
    level=PluginLevel.PLATFORM,
    description="汽车统一计价、峰平谷计价，电单车时长、功率、统一计费、时段服务费、功率服务费模式 "
                "(car flat and time-of-use; e-bike duration, power, energy, hourly and power service fee modes).",
)

#: Every mode this plugin provides.
MODES = (CarFlat, CarTou, BikeDuration, BikePower, BikeEnergy, BikeEnergyHourly, BikeEnergyPower)


@hookimpl
def register_billing_modes():
    """The seven standard billing modes."""
    return list(MODES)
