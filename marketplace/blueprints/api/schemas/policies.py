"""Schemas of /api/v1/authorities/{id}/policies: a policy version with its value table."""

from __future__ import annotations

import marshmallow as ma

from marketplace.blueprints.api.schemas.common import PolicyRulesSchema
from marketplace.blueprints.api.schemas.fields import (
    ATTRIBUTE,
    Hours,
    amounts_by_code,
    basis_points,
    cents,
    credit_table,
    iso_date,
    optional_cents,
    text,
)
from marketplace.domain.obligation import PSO_LEVELS
from marketplace.domain.valuation import MAX_BLOCK_DAYS, MAX_HOURS_PER_WEEK, UNITS


class BlockRequestSchema(ma.Schema):
    code = text(20, min_length=1, required=True)
    label = text(200, min_length=1, required=True)
    unit = ma.fields.String(required=True, validate=ma.validate.OneOf(UNITS))
    rate_cents = optional_cents()
    min_hours_per_week = Hours(MAX_HOURS_PER_WEEK, allow_none=True, load_default=None)
    max_days = ma.fields.Integer(
        strict=True,
        allow_none=True,
        load_default=None,
        validate=ma.validate.Range(min=1, max=MAX_BLOCK_DAYS),
    )
    bonuses = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.Regexp(ATTRIBUTE)),
        values=cents(),
        load_default=dict,
        metadata={"description": "Bonus rate per FTE-year by candidate attribute (fte_year)"},
    )
    credit_bp_by_certification = credit_table("Purchase credit (invoice); null: the policy's")


class PolicyRequestSchema(PolicyRulesSchema):
    name = text(200, min_length=1, required=True)
    effective_from = iso_date(required=True)
    pso_remaining_bp = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.OneOf(PSO_LEVELS)),
        values=basis_points(),
        load_default=dict,
        metadata={"description": "Part of the obligation that remains per PSO level; 0 exempts"},
    )
    credit_bp_by_certification = credit_table("Purchase credit; null: docs/domain.md defaults")
    source = text(500, allow_none=True, load_default=None)
    blocks = ma.fields.List(
        ma.fields.Nested(BlockRequestSchema),
        required=True,
        validate=ma.validate.Length(min=1, max=200),
        metadata={"description": "The value table: at least one building block"},
    )


class BuildingBlockSchema(ma.Schema):
    code = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    rate_cents = ma.fields.Integer(allow_none=True)
    min_hours_per_week = ma.fields.Float(allow_none=True)
    max_days = ma.fields.Integer(allow_none=True)
    bonuses = amounts_by_code()
    credit_bp_by_certification = amounts_by_code(allow_none=True)


class PolicyVersionSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    authority_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    effective_from = ma.fields.Date(required=True)
    threshold_cents = ma.fields.Integer(required=True)
    min_duration_months = ma.fields.Integer(required=True)
    percentage_bp = ma.fields.Integer(required=True)
    low_labour_share_bp = ma.fields.Integer(allow_none=True)
    low_labour_percentage_bp = ma.fields.Integer(allow_none=True)
    cap_cents = ma.fields.Integer(allow_none=True)
    pso_remaining_bp = amounts_by_code()
    credit_bp_by_certification = amounts_by_code(allow_none=True)
    source = ma.fields.String(allow_none=True)
    blocks = ma.fields.List(ma.fields.Nested(BuildingBlockSchema), required=True)
