"""Plugin settings: validation by the plugin's marshmallow schema, encryption of secrets, storage.

Rules, for every plugin and every level (platform or tenant):

- A settings payload is validated by ``META.settings_schema`` on save; a payload that fails is refused
  with the schema's field messages and nothing is stored.
- Stored settings are validated again on load; settings that no longer pass (the plugin changed) make
  the plugin unusable for that tenant with a clear reason instead of handing a provider bad values.
- Secret fields (``load_only``) are stored Fernet-encrypted (``CHARGEHUB_SECRETS_KEYS``; several keys
  allow rotation, the first one encrypts) and are never returned: descriptions say ``set`` / ``unset``.
- A save that omits a secret field keeps the stored secret, so an operator can change other fields
  without re-entering keys; sending ``null`` for a secret clears it.
"""
from __future__ import annotations

import json
from typing import Any, Mapping

import marshmallow
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from chargehub.errors import SettingsValidationError
from chargehub.plugins.meta import PluginMeta


class SecretBox:
    """Encrypts and decrypts the secret part of plugin settings."""

    def __init__(self, keys: str):
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise ValueError("no secrets key configured (CHARGEHUB_SECRETS_KEYS)")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in parts])

    def encrypt(self, values: Mapping[str, Any]) -> str | None:
        """Encrypt ``values`` as JSON; ``None`` when there is nothing to keep."""
        if not values:
            return None
        return self._fernet.encrypt(json.dumps(values, sort_keys=True).encode()).decode()

    def decrypt(self, token: str | None) -> dict[str, Any]:
        """Decrypt what :meth:`encrypt` produced; raises ``ValueError`` if no configured key opens it."""
        if not token:
            return {}
        try:
            return json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken as exc:
            raise ValueError("plugin secrets cannot be decrypted with the configured keys") from exc


def _json_safe(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values as plain JSON (Decimals and dates become strings, as the schema dumps them)."""
    return json.loads(json.dumps(dict(values), default=str))


def validate(meta: PluginMeta, payload: Mapping[str, Any], stored_secrets: Mapping[str, Any]) -> tuple[dict, dict]:
    """Validate a settings payload; return ``(public, secrets)`` ready to store.

    :raises SettingsValidationError: with the schema's messages per field; nothing is stored then.
    """
    if not isinstance(payload, Mapping):
        raise SettingsValidationError({"_schema": ["settings must be an object"]})
    if meta.settings_schema is None:
        if payload:
            raise SettingsValidationError({"_schema": ["this plugin has no settings"]})
        return {}, {}
    secret_names = set(meta.secret_fields())
    merged = dict(payload)
    for name in secret_names:
        if name not in merged and name in stored_secrets:
            merged[name] = stored_secrets[name]
        elif name in merged and merged[name] is None:
            del merged[name]
    schema = meta.settings_schema()
    try:
        loaded = schema.load(merged)
    except marshmallow.ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise SettingsValidationError(messages) from None
    public = _json_safe(schema.dump(loaded))
    secrets = {name: merged[name] for name in secret_names if name in merged}
    return public, _json_safe(secrets)


def load(meta: PluginMeta, public: Mapping[str, Any], secrets: Mapping[str, Any]) -> dict[str, Any]:
    """Re-validate stored settings and return the loaded values a provider receives.

    :raises SettingsValidationError: when what is stored no longer passes the schema.
    """
    if meta.settings_schema is None:
        return {}
    try:
        return meta.settings_schema().load({**public, **secrets})
    except marshmallow.ValidationError as exc:
        raise SettingsValidationError(exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}) from None


def describe(meta: PluginMeta, public: Mapping[str, Any], secrets: Mapping[str, Any]) -> dict[str, Any]:
    """What an API or page may show of stored settings: public values and ``set``/``unset`` per secret."""
    return {
        "settings": dict(public),
        "secrets": {name: ("set" if secrets.get(name) not in (None, "") else "unset") for name in meta.secret_fields()},
    }


def describe_schema(meta: PluginMeta) -> list[dict[str, Any]]:
    """The settings form of a plugin: one entry per field, in declaration order.

    Each entry: ``name``, ``type`` (marshmallow field class name), ``required``, ``secret``, ``label``
    and ``help`` (from the field's ``metadata``), ``choices`` (for ``OneOf`` validators), ``default``;
    a list of nested records (``List(Nested(...))``, e.g. split accounts) also has ``items``: the nested
    schema's fields described the same way, so a form can edit it as a table.
    """
    if meta.settings_schema is None:
        return []
    return _describe_fields(meta.settings_schema())


def _describe_fields(schema: marshmallow.Schema) -> list[dict[str, Any]]:
    out = []
    for name, field in schema.fields.items():
        choices = None
        for validator in field.validators:
            if isinstance(validator, marshmallow.validate.OneOf):
                choices = list(validator.choices)
        default = field.load_default
        out.append({
            "name": name,
            "type": type(field).__name__,
            "required": bool(field.required),
            "secret": bool(field.load_only),
            "label": field.metadata.get("label", name),
            "help": field.metadata.get("description", ""),
            "choices": choices,
            "default": None if default is marshmallow.missing or callable(default) or field.load_only else _json_safe({"v": default})["v"],
        })
        inner = getattr(field, "inner", None)
        if isinstance(inner, marshmallow.fields.Nested):
            out[-1]["items"] = _describe_fields(inner.schema)
    return out
