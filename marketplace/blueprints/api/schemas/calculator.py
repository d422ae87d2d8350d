"""Schemas of /api/v1/sroi/*, the public calculator: a block and a realisation to value, a policy
and a contract to compute an obligation for, and an obligation's status on a day."""

from __future__ import annotations

import marshmallow as ma

from marketplace.blueprints.api.schemas.common import PolicyRulesSchema, RealisationAmountsSchema
from marketplace.blueprints.api.schemas.fields import (
    Hours,
    basis_points,
    cents,
    iso_date,
    optional_cents,
)
from marketplace.domain import obligation, valuation
from marketplace.domain.valuation import MAX_HOURS

CreditTableSchema = ma.Schema.from_dict(
    {certification: basis_points() for certification in valuation.CERTIFICATIONS},
    name="CreditTable",
)
PsoRemainingSchema = ma.Schema.from_dict(
    {level: basis_points() for level in obligation.PSO_LEVELS}, name="PsoRemaining"
)


class BlockSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=50))
    unit = ma.fields.String(required=True, validate=ma.validate.OneOf(valuation.UNITS))
    rate_cents = optional_cents()
    min_hours_per_week = Hours(MAX_HOURS, allow_none=True, load_default=None)
    max_days = ma.fields.Integer(
        strict=True, allow_none=True, load_default=None, validate=ma.validate.Range(min=1)
    )
    bonuses = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.Length(min=1, max=50)),
        values=cents(),
        load_default=dict,
        metadata={"description": "Bonus rate per FTE-year by candidate attribute (fte_year)"},
    )
    credit_bp_by_certification = ma.fields.Nested(
        CreditTableSchema,
        allow_none=True,
        load_default=None,
        metadata={"description": "Purchase credit by certification (invoice); default table"},
    )


class RealisationSchema(RealisationAmountsSchema):
    # Hours per week are bounded by size only: the domain refuses more than a week has, with its
    # own code (hours_out_of_range).
    start = iso_date(allow_none=True, load_default=None)
    end = iso_date(allow_none=True, load_default=None)
    hours_per_week = Hours(MAX_HOURS, allow_none=True, load_default=None)
    attributes = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=50)), load_default=list
    )


class ValuateRequestSchema(ma.Schema):
    block = ma.fields.Nested(BlockSchema, required=True)
    realisation = ma.fields.Nested(RealisationSchema, required=True)


class LineSchema(ma.Schema):
    code = ma.fields.String(required=True)
    value_cents = ma.fields.Integer(required=True)


class ValuationSchema(ma.Schema):
    value_cents = ma.fields.Integer(required=True)
    breakdown = ma.fields.List(ma.fields.Nested(LineSchema), required=True)
    explanation = ma.fields.String(
        required=True, metadata={"description": "Step by step, in the request's language"}
    )


class PolicySchema(PolicyRulesSchema):
    pso_remaining_bp = ma.fields.Nested(
        PsoRemainingSchema,
        allow_none=True,
        load_default=None,
        metadata={"description": "Part of the obligation that remains per PSO level (0 = exempt)"},
    )


class ContractSchema(ma.Schema):
    value_cents = cents(required=True)
    award_date = iso_date(required=True)
    start = iso_date(required=True)
    end = iso_date(required=True)
    labour_share_bp = basis_points(allow_none=True, load_default=None)
    pso_level = ma.fields.String(
        allow_none=True, load_default=None, validate=ma.validate.OneOf(obligation.PSO_LEVELS)
    )
    pso_valid_until = iso_date(allow_none=True, load_default=None)


class ObligationRequestSchema(ma.Schema):
    policy = ma.fields.Nested(PolicySchema, required=True)
    contract = ma.fields.Nested(ContractSchema, required=True)


class ObligationSchema(ma.Schema):
    obligation_cents = ma.fields.Integer(required=True)
    status = ma.fields.String(
        required=True, validate=ma.validate.OneOf(("due", "not_applicable", "exempt"))
    )
    percentage_bp = ma.fields.Integer(required=True)
    explanation = ma.fields.String(
        required=True, metadata={"description": "Step by step, in the request's language"}
    )


class StatusRequestSchema(ma.Schema):
    obligation_cents = cents(required=True)
    approved_cents = cents(required=True)
    pending_cents = cents(load_default=0)
    start = iso_date(required=True)
    end = iso_date(required=True)
    today = iso_date(
        allow_none=True, load_default=None, metadata={"description": "Default: today's date"}
    )


class StatusSchema(ma.Schema):
    status = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(
            ("fulfilled", "overdue", "on_track", "at_risk", "not_applicable")
        ),
    )
    percent = ma.fields.Float(
        required=True, metadata={"description": "Approved / obligation in percent, one decimal"}
    )
    expected_cents = ma.fields.Integer(required=True)
    forecast_cents = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "null while nothing has elapsed"}
    )
