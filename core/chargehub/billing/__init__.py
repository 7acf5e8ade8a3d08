"""Billing rules (计费规则): per-area, versioned pricing rules for car and e-bike charging.

Reads top-down: :mod:`.models` (rules and versions) → :mod:`.modes` (the billing-mode plugins as core
sees them) → :mod:`.services` → :mod:`.api`.

The public API for other modules (orders, the charging session, device protocols)::

    from chargehub.billing.services.pricing import price, rule_for_area, tariff_for, version_in_force
    from chargehub.billing.services.versions import version_at
    from chargehub.billing.services.ykc import ykc_tariff_for

    rule = rule_for_area("car", area_id, started_at)   # the enabled rule of an area (or None)
    version_at(rule, started_at)                       # the version in force then
    bill = price(rule, started_at, usage)              # priced by the version in force at the START
    ykc_tariff_for(rule, at)                           # car: the YKC billing model (4 rates, 48 slots)

``price`` calls the mode's ``Tariff.price`` — the one pricing function that the running cost, 计费测试
(:mod:`.services.trial`) and settlement share. Compiled tariffs are cached per version.
Versioning (当日24:00生效): ``docs/decisions/0007-billing-versions.md``.
"""
