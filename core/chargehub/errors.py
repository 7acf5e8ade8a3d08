"""Typed errors shared by core and plugins. Each carries a message fit to show an operator."""
from __future__ import annotations

from typing import Any, Mapping


class ChargeHubError(Exception):
    """Base of every error ChargeHub raises on purpose."""


class PluginLoadError(ChargeHubError):
    """A plugin cannot be loaded: no META, malformed META, or its entry-point name differs from META."""


class DuplicateIdentifierError(ChargeHubError):
    """Two providers of the same kind claim one identifier."""


class PluginNotFound(ChargeHubError):
    """No installed plugin has that id."""


class PluginUnavailable(ChargeHubError):
    """The plugin is installed but has compatibility errors, or is switched off where it is needed."""


class SettingsValidationError(ChargeHubError):
    """A plugin settings payload failed the plugin's schema; ``messages`` maps field -> messages."""

    def __init__(self, messages: Mapping[str, Any]):
        super().__init__("invalid plugin settings")
        self.messages = dict(messages)


class SchemaOutdatedError(ChargeHubError):
    """The database schema is behind the code; the message says which command brings it up to date."""


class ValidationFailed(ChargeHubError):
    """A business rule refused the input; ``messages`` maps field -> messages (answered as HTTP 422)."""

    def __init__(self, messages: Mapping[str, Any] | str, field: str = "_schema"):
        if isinstance(messages, str):
            messages = {field: [messages]}
        super().__init__("; ".join(str(m) for msgs in messages.values() for m in (msgs if isinstance(msgs, list) else [msgs])))
        self.messages = dict(messages)


class Conflict(ChargeHubError):
    """The action cannot be done in the row's present state (answered as HTTP 409 with the message)."""
