"""The job that runs one listener hook in one plugin (see :meth:`PluginHost.notify`)."""
from __future__ import annotations

import logging
import traceback
from typing import Any

from chargehub.db import utcnow
from chargehub.extensions import db, plugin_host
from chargehub.jobs import current_attempt
from chargehub.plugins.host import LISTENER_RETRIES
from chargehub.plugins.models import PluginListenerFailure

log = logging.getLogger("chargehub.plugins")


def run_listener(plugin: str, hook_name: str, tenant_id: int | None, kwargs: dict[str, Any]) -> None:
    """Call ``hook_name`` on ``plugin`` with ``kwargs``; record and re-raise a failure so it is retried.

    A plugin switched off since the event was queued is skipped. Each failed attempt is stored in
    ``plugin_listener_failure`` (the last one with ``final = true``) in its own transaction.
    """
    if not plugin_host.is_enabled(plugin, tenant_id):
        log.info("listener skipped: plugin no longer on", extra={"plugin": plugin, "hook": hook_name, "tenant": tenant_id})
        return
    impl = plugin_host.listener_impl(plugin, hook_name)
    args = {name: kwargs[name] for name in impl.argnames if name in kwargs}
    if "tenant_id" in impl.argnames:
        args["tenant_id"] = tenant_id
    try:
        impl.function(**args)
    except Exception as exc:
        attempt = current_attempt()
        db.session.rollback()
        db.session.add(PluginListenerFailure(
            tenant_id=tenant_id, plugin=plugin, hook=hook_name, attempt=attempt,
            final=attempt > LISTENER_RETRIES, error=f"{type(exc).__name__}: {exc}"[:2000],
            traceback=traceback.format_exc()[-20000:], created_at=utcnow()))
        db.session.commit()
        log.warning("listener failed", extra={"plugin": plugin, "hook": hook_name, "tenant": tenant_id, "attempt": attempt})
        raise
