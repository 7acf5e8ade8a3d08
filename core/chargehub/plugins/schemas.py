"""Schemas of the plugin administration API."""
from __future__ import annotations

import marshmallow as ma

from chargehub.api.listing import CreatedRangeArgs, page_schema


class PluginConfigSchema(ma.Schema):
    """Switch a plugin on or off and/or give it new settings (validated by the plugin's own schema)."""

    enabled = ma.fields.Boolean(metadata={"description": "启用 / 停用"})
    settings = ma.fields.Dict(keys=ma.fields.String(), metadata={
        "description": "插件配置；省略的密钥字段保持不变，null 清除 (omitted secrets are kept, null clears)"})


class PluginMetaSchema(ma.Schema):
    name = ma.fields.String()
    verbose_name = ma.fields.String()
    version = ma.fields.String()
    category = ma.fields.String()
    level = ma.fields.String()
    description = ma.fields.String()
    available = ma.fields.Boolean()
    compatibility_errors = ma.fields.List(ma.fields.String())


class SettingsFieldSchema(ma.Schema):
    name = ma.fields.String()
    type = ma.fields.String()
    required = ma.fields.Boolean()
    secret = ma.fields.Boolean()
    label = ma.fields.String()
    help = ma.fields.String()
    choices = ma.fields.List(ma.fields.Raw(), allow_none=True)
    default = ma.fields.Raw(allow_none=True)


class PluginStateSchema(PluginMetaSchema):
    """A plugin with its state for one tenant (or the platform). Secrets appear only as set/unset."""

    enabled = ma.fields.Boolean()
    configured = ma.fields.Boolean()
    problems = ma.fields.Dict()
    updated_at = ma.fields.String(allow_none=True)
    settings = ma.fields.Dict()
    secrets = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(validate=ma.validate.OneOf(["set", "unset"])))
    settings_form = ma.fields.List(ma.fields.Nested(SettingsFieldSchema))


class FailureArgs(CreatedRangeArgs):
    """Search of listener failures."""

    plugin = ma.fields.String(load_default=None, metadata={"label": "插件"})
    hook = ma.fields.String(load_default=None, metadata={"label": "事件"})
    final = ma.fields.Boolean(load_default=None, metadata={"label": "已放弃重试"})


class FailureSchema(ma.Schema):
    """One failed attempt of a listener hook call."""

    id = ma.fields.Integer()
    tenant_id = ma.fields.Integer(allow_none=True)
    plugin = ma.fields.String()
    hook = ma.fields.String()
    job_id = ma.fields.String(allow_none=True)
    attempt = ma.fields.Integer()
    final = ma.fields.Boolean()
    error = ma.fields.String()
    traceback = ma.fields.String()
    created_at = ma.fields.DateTime()


FailurePage = page_schema(FailureSchema, "PluginFailurePage")
