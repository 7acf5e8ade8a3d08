"""A billing mode's ``rule_schema`` as JSON schema (apispec's marshmallow converter), for the admin forms.

Field ``metadata["label"]`` becomes ``title`` and ``x-label`` on each property, nested ones included.
"""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from apispec.ext.marshmallow import OpenAPIConverter

_converter = OpenAPIConverter(openapi_version="3.0.3", schema_name_resolver=lambda schema: None, spec=None)


def _nested_schema(field: ma.fields.Field) -> ma.Schema | None:
    if isinstance(field, ma.fields.Nested):
        return field.schema
    if isinstance(field, ma.fields.List):
        return _nested_schema(field.inner)
    if isinstance(field, ma.fields.Dict) and field.value_field is not None:
        return _nested_schema(field.value_field)
    return None


def _property_of_nested(prop: dict[str, Any]) -> dict[str, Any]:
    """The object schema under a property (through ``items`` / ``additionalProperties``)."""
    for key in ("items", "additionalProperties"):
        if isinstance(prop.get(key), dict):
            return _property_of_nested(prop[key])
    return prop


def _label(schema: ma.Schema, json_schema: dict[str, Any]) -> None:
    properties = json_schema.get("properties", {})
    for name, field in schema.fields.items():
        key = field.data_key or name
        prop = properties.get(key)
        if prop is None:
            continue
        label = field.metadata.get("label")
        if label:
            prop.setdefault("title", label)
            prop["x-label"] = label
        nested = _nested_schema(field)
        if nested is not None:
            _label(nested, _property_of_nested(prop))


def json_schema(schema_cls: type[ma.Schema]) -> dict[str, Any]:
    """The JSON schema of ``schema_cls`` (load side), nested schemas inlined, labels as ``x-label``."""
    schema = schema_cls()
    result = _converter.schema2jsonschema(schema)
    _label(schema, result)
    return result
