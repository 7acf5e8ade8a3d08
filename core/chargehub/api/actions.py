"""Shared route builders for the admin API's row actions (启用 / 禁用)."""
from __future__ import annotations

from typing import Any, Callable

from flask_smorest import Blueprint

from chargehub.tenancy.auth import require
from chargehub.tenancy.scope import get_or_404

SECURITY = [{"bearer": []}]


def add_state_routes(blp: Blueprint, rule: str, *, model, param: str, permission: str,
                     apply: Callable[[Any, bool], Any], load: Callable[[int], Any], schema, label: str) -> None:
    """Register ``POST <rule>/enable`` and ``POST <rule>/disable`` on ``blp``.

    :param rule: the item rule, e.g. ``"/<int:provider_id>"``; ``param`` names its id parameter.
    :param apply: ``apply(row, enabled)`` — the service that switches the row (it commits).
    :param load: ``load(id)`` — the row as the response shows it.
    """
    for enabled in (True, False):
        action = "enable" if enabled else "disable"

        def view(_enabled: bool = enabled, **kwargs):
            apply(get_or_404(model, kwargs[param]), _enabled)
            return load(kwargs[param])

        view.__name__ = f"{action}_{model.__tablename__}"
        view.__doc__ = f"{'启用' if enabled else '禁用'}{label} ({action})."
        decorated = blp.doc(security=SECURITY)(blp.response(200, schema)(require(permission)(view)))
        blp.route(f"{rule}/{action}", methods=["POST"], endpoint=action)(decorated)
