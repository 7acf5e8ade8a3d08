"""Plugin entry point: META and the ``register_payment_providers`` hook."""
from __future__ import annotations

from chargehub import PluginLevel, PluginMeta, hookimpl

from chargehub_wechatpay.provider import WechatPayProvider
from chargehub_wechatpay.schemas import WechatPayStationSettings, WechatPayTenantSettings

META = PluginMeta(
    name="wechatpay",
    verbose_name="微信支付",
    version="1.0.0",
    category="payment",
    level=PluginLevel.TENANT,
    settings_schema=WechatPayTenantSettings,
    station_settings_schema=WechatPayStationSettings,
    description="微信支付 APIv3（直连商户、微信支付公钥模式）：小程序 JSAPI 支付、查询、关单、退款、分账与分账回退，"
                "回调验签与 AES-256-GCM 解密 (WeChat Pay API v3, direct merchant, public-key mode: mini-program "
                "JSAPI payments, query, close, refunds, profit sharing and returns; verified, decrypted callbacks).",
)


@hookimpl
def register_payment_providers():
    """The WeChat Pay provider."""
    return [WechatPayProvider]
