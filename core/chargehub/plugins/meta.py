"""Plugin metadata (``META``): every plugin module must define one.

Example, in a plugin's ``plugin.py``::

    from chargehub import PluginMeta, PluginLevel, hookimpl

    META = PluginMeta(
        name="wechatpay",                 # plugin id == entry-point name == distribution suffix
        verbose_name="微信支付",
        version="1.0.0",
        category="payment",
        level=PluginLevel.TENANT,         # each service provider switches it on for itself
        settings_schema=WechatPaySettings,  # marshmallow Schema; load_only fields are secrets
    )

A plugin registered without ``META`` fails start-up (:class:`~chargehub.errors.PluginLoadError`).
A plugin whose ``compatibility_errors()`` returns messages is loaded but *unavailable*: its hooks are
never called and the admin shows the messages.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Callable

import marshmallow

from chargehub.errors import PluginLoadError

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,48}$")

CATEGORIES = ("billing", "payment", "protocol", "invoicing", "camera", "integration", "ui", "other")


class PluginLevel(str, enum.Enum):
    """Who switches a plugin on.

    ``PLATFORM``: the platform operator, for every tenant at once (device protocols, the admin UI).
    Installed PLATFORM plugins are on until the platform operator switches them off.
    ``TENANT``: each service provider for itself (payments, invoicing, relief push). Off until the
    provider switches it on.
    """

    PLATFORM = "platform"
    TENANT = "tenant"


@dataclass(frozen=True)
class PluginMeta:
    """What a plugin says about itself.

    :param name: plugin id: lowercase ``[a-z][a-z0-9_]*``; equals the entry-point name.
    :param verbose_name: the name operators read.
    :param version: the plugin's version string.
    :param category: one of :data:`CATEGORIES`.
    :param level: :class:`PluginLevel`.
    :param settings_schema: a marshmallow ``Schema`` subclass validating the plugin's settings, or
        ``None`` when it has none. Fields declared ``load_only=True`` are secrets: encrypted at rest and
        never returned by any API or page.
    :param station_settings_schema: a marshmallow ``Schema`` for settings a station overrides or adds
        (the manual's 支付配置 on a station: sub-merchant numbers, split accounts and ratios), or ``None``
        when the plugin has no station-level settings. Secrets (``load_only``) work as above.
    :param description: one paragraph for the admin's plugin page.
    :param compatibility_errors: callable returning a list of human-readable reasons the plugin cannot
        run here (missing system library, unsupported core version...); empty when it can.
    """

    name: str
    verbose_name: str
    version: str
    category: str
    level: PluginLevel = PluginLevel.TENANT
    settings_schema: type[marshmallow.Schema] | None = None
    station_settings_schema: type[marshmallow.Schema] | None = None
    description: str = ""
    compatibility_errors: Callable[[], list[str]] = field(default=lambda: [])

    def validate(self) -> None:
        """Raise :class:`PluginLoadError` when the metadata itself is malformed."""
        problems = []
        if not NAME_RE.match(self.name or ""):
            problems.append(f"name {self.name!r} must match {NAME_RE.pattern}")
        if not self.verbose_name:
            problems.append("verbose_name is empty")
        if not self.version:
            problems.append("version is empty")
        if self.category not in CATEGORIES:
            problems.append(f"category {self.category!r} is not one of {', '.join(CATEGORIES)}")
        if not isinstance(self.level, PluginLevel):
            problems.append(f"level {self.level!r} is not a PluginLevel")
        for attr in ("settings_schema", "station_settings_schema"):
            schema = getattr(self, attr)
            if schema is not None and not (isinstance(schema, type) and issubclass(schema, marshmallow.Schema)):
                problems.append(f"{attr} must be a marshmallow Schema subclass")
        if problems:
            raise PluginLoadError(f"plugin {self.name!r} has invalid META: " + "; ".join(problems))

    def secret_fields(self) -> tuple[str, ...]:
        """Names of the settings fields that are secrets (``load_only``)."""
        if self.settings_schema is None:
            return ()
        return tuple(name for name, f in self.settings_schema().fields.items() if f.load_only)
