"""ChargeHub: the plugin API surface.

Plugins import only from here (and :mod:`chargehub.contracts`)::

    from chargehub import hookimpl, PluginMeta, PluginLevel

Everything else in the package is core's own and may change without notice.
"""
from __future__ import annotations

import pluggy

__version__ = "0.1.0"

PROJECT = "chargehub"

#: Decorate a plugin function with this to implement a hook from :mod:`chargehub.plugins.hookspecs`.
hookimpl = pluggy.HookimplMarker(PROJECT)
#: Used only by :mod:`chargehub.plugins.hookspecs`.
hookspec = pluggy.HookspecMarker(PROJECT)

from chargehub.errors import (  # noqa: E402
    ChargeHubError,
    DuplicateIdentifierError,
    PluginLoadError,
    PluginNotFound,
    PluginUnavailable,
    SettingsValidationError,
)
from chargehub.plugins.meta import PluginLevel, PluginMeta  # noqa: E402

__all__ = [
    "hookimpl",
    "hookspec",
    "PluginMeta",
    "PluginLevel",
    "ChargeHubError",
    "DuplicateIdentifierError",
    "PluginLoadError",
    "PluginNotFound",
    "PluginUnavailable",
    "SettingsValidationError",
    "__version__",
]
