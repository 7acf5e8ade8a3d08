"""ChargeHub payment plugin for WeChat Pay API v3 (微信支付)."""
