"""Schemas of /api/v1/demands/{id}/matches and /api/v1/offerings/{id}/matches."""

from __future__ import annotations

import marshmallow as ma

MAX_MATCHES = 50


class MatchQuerySchema(ma.Schema):
    limit = ma.fields.Integer(load_default=10, validate=ma.validate.Range(min=1, max=MAX_MATCHES))


class SroiPreviewSchema(ma.Schema):
    contract_id = ma.fields.Integer(required=True)
    amount_cents = ma.fields.Integer(
        required=True, metadata={"description": "The purchase, excluding VAT"}
    )
    value_cents = ma.fields.Integer(
        required=True,
        metadata={"description": "What it counts for on the contract, as its invoice realisation"},
    )
    certification = ma.fields.String(
        required=True, metadata={"description": "The supplier's certification that counts today"}
    )


class ReasonSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "e.g. same_region"})
    params = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True)


class MatchSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"description": "The other listing's id"})
    kind = ma.fields.String(required=True, metadata={"description": "demand or offering"})
    title = ma.fields.String(required=True)
    organisation_id = ma.fields.Integer(required=True)
    organisation_name = ma.fields.String(required=True)
    score = ma.fields.Integer(required=True, metadata={"description": "0 to 100"})
    reasons = ma.fields.List(
        ma.fields.String(), required=True, metadata={"description": "In Dutch"}
    )
    reason_codes = ma.fields.List(ma.fields.Nested(ReasonSchema), required=True)
    sroi_preview = ma.fields.Nested(SroiPreviewSchema, allow_none=True, required=True)


class MatchesSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(MatchSchema), required=True)
