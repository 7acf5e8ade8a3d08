"""ChargeHub web admin."""
