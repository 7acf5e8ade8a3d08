"""Plugin entry point: META and the ``register_payment_providers`` hook."""
from __future__ import annotations

from chargehub import PluginLevel, PluginMeta, hookimpl

from chargehub_suixingfu.provider import SuixingfuProvider
from chargehub_suixingfu.schemas import SuixingfuSettings, SuixingfuStationSettings

META = PluginMeta(
    name="suixingfu",
    verbose_name="随行付",
    version="1.0.0",
    category="payment",
    level=PluginLevel.TENANT,
    settings_schema=SuixingfuSettings,
    station_settings_schema=SuixingfuStationSettings,
    description="随行付天阙开放平台：微信小程序支付 (jsapiScan payWay 03)、查询、退款、通知与分账 "
                "(Suixingfu / Tianque open platform: WeChat mini-program payments, queries, refunds, "
                "notifications and ledger splits).",
)


@hookimpl
def register_payment_providers():
    """The Suixingfu (Tianque) payment provider."""
    return [SuixingfuProvider]
