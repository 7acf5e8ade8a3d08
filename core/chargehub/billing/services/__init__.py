"""Billing-rule services: rules (CRUD), versions (effective times), pricing, options, YKC."""
