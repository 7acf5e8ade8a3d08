"""Plugin entry point: ``META`` and the ``register_payment_providers`` hook."""
from __future__ import annotations

from chargehub import PluginLevel, PluginMeta, hookimpl

from chargehub_leshua.provider import LeshuaProvider
from chargehub_leshua.schemas import LeshuaSettings, LeshuaStationSettings

META = PluginMeta(
    name="leshua",
    verbose_name="乐刷",
    version="1.0.0",
    category="payment",
    level=PluginLevel.TENANT,
    settings_schema=LeshuaSettings,
    station_settings_schema=LeshuaStationSettings,
    description="乐刷聚合支付：小程序微信支付、查询、关单、退款、异步通知及分账；可对电站配置乐刷商户号、交易密钥、"
                "异步通知密钥以及开启分账 (Leshua aggregated payment: mini-program WeChat Pay, query, close, refund, "
                "notifications and profit sharing; merchant number, keys and split accounts are set per station).",
)


@hookimpl
def register_payment_providers():
    """The Leshua payment provider."""
    return [LeshuaProvider]
