"""ChargeHub's standard billing modes (标准计费模式): two car modes and five e-bike modes.

See ``plugin.py`` for the registration and the package README for what each mode charges.
"""
