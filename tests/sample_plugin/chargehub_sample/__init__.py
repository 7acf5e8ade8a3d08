"""Sample ChargeHub plugin (tests only)."""
