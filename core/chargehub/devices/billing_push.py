"""Pushing a pile its new billing model when the rule version in force changes (计费模型下发).

A new rule version takes effect at 24:00 (or at once when first created); piles hold the model they
were sent at login. Every minute (periodic job ``devices.push_billing_models``) each online pile whose
confirmed model code (``Pile.billing_model_code``, reported by the pile) differs from the code of the
version now in force is sent ``sync_billing`` — but only while none of its guns is charging, because
YKC piles must not change tariffs mid-session (spec §6, DOC16). Charging piles get it on a later run.
"""
from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa

from chargehub.assets.car_models import Gun, GunState, Pile
from chargehub.billing.services.ykc import billing_settings
from chargehub.contracts.devices import DeviceCommand
from chargehub.extensions import command_bus, db

log = logging.getLogger("chargehub.devices.billing_push")

#: How often the job looks for piles holding an old model.
PUSH_EVERY = timedelta(minutes=1)
#: Seconds each push waits for the pile's confirmation.
PUSH_TIMEOUT = 10.0


def push_billing_models() -> dict[str, int]:
    """Send ``sync_billing`` to idle online piles whose model is not the one in force; return counts."""
    busy = sa.select(Gun.pile_id).where(Gun.state == GunState.CHARGING)
    piles = db.session.execute(sa.select(Pile).where(Pile.online.is_(True), Pile.enabled.is_(True),
                                                     Pile.id.not_in(busy))).scalars().all()
    counts = {"checked": len(piles), "pushed": 0, "accepted": 0}
    by_area: dict[int, dict | None] = {}
    for pile in piles:
        if pile.area_id not in by_area:
            by_area[pile.area_id] = billing_settings(pile.area_id)
        settings = by_area[pile.area_id]
        if settings is None or settings["model_code"] == pile.billing_model_code:
            continue
        counts["pushed"] += 1
        result = command_bus.send(DeviceCommand(pile.factory_id, "sync_billing", settings), timeout=PUSH_TIMEOUT)
        if result.ok:
            counts["accepted"] += 1
            pile.billing_model_code = settings["model_code"]
        else:
            log.warning("billing model %s not accepted by pile %s: %s %s", settings["model_code"], pile.factory_id,
                        result.status.value, result.reason)
    db.session.commit()
    return counts


def register_periodic_jobs() -> None:
    """Register :func:`push_billing_models` to run every :data:`PUSH_EVERY`."""
    from chargehub.extensions import jobs  # noqa: PLC0415

    jobs.register_periodic("devices.push_billing_models", push_billing_models, every=PUSH_EVERY)
