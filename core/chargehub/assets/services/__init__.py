"""Charging-asset services: the rules of 3.2.1–3.2.6 and 3.3.1–3.3.4, shared by the API and the pages."""
