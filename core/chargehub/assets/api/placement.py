"""Where an asset sits: the fields every asset item schema starts with (owner, station, area)."""
from __future__ import annotations

import marshmallow as ma

from chargehub.api.audit_fields import AuditFieldsSchema


class AssetPlacementSchema(AuditFieldsSchema):
    """Id, provider, property, station and area (with names) of an asset item; 创建 / 修改 fields.

    Item schemas whose ``area_id`` is an input (piles, devices) redeclare it as required.
    """

    id = ma.fields.Integer(dump_only=True)
    provider_id = ma.fields.Integer(dump_only=True)
    property_id = ma.fields.Integer(dump_only=True)
    station_id = ma.fields.Integer(dump_only=True)
    station_name = ma.fields.String(dump_only=True, allow_none=True)
    area_id = ma.fields.Integer(dump_only=True)
    area_name = ma.fields.String(dump_only=True, allow_none=True)
