"""ChargeHub payment plugin for Suixingfu / Tianque (随行付 天阙开放平台)."""
