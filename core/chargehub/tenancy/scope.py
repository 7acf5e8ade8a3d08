"""Data scope: which tenant's rows the current user may read and change.

The one scoping helper every query goes through. System users see every service provider; provider
users see their own. A row outside the user's scope answers 404 — the same as a row that does not
exist, so ids cannot be probed.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_smorest import abort

from chargehub.extensions import db
from chargehub.tenancy.auth import current_user
from chargehub.tenancy.models import ServiceProvider, UserType


def scoped(statement: sa.Select, provider_column) -> sa.Select:
    """Add the current user's tenant condition on ``provider_column`` to ``statement``."""
    user = current_user()
    if user.user_type is UserType.SYSTEM:
        return statement
    return statement.where(provider_column == user.provider_id)


def get_provider_or_404(provider_id: int) -> ServiceProvider:
    """The service provider ``provider_id`` if the current user may see it; else 404."""
    stmt = scoped(sa.select(ServiceProvider).where(ServiceProvider.id == provider_id), ServiceProvider.id)
    provider = db.session.execute(stmt).scalar_one_or_none()
    if provider is None:
        abort(404, message="服务商不存在 (service provider not found)")
    return provider
