"""Schemas of /api/v1 realisations: reporting, changing and sending one, asking about or
rejecting one, and one as reported."""

from __future__ import annotations

import marshmallow as ma

from marketplace.blueprints.api.schemas.common import (
    BreakdownLineSchema,
    RealisationAmountsSchema,
)
from marketplace.blueprints.api.schemas.fields import (
    ATTRIBUTE,
    Hours,
    UtcDateTime,
    iso_date,
    text,
)
from marketplace.domain.valuation import MAX_HOURS_PER_WEEK
from marketplace.models.sroi import REALISATION_STATES


class RealisationQuerySchema(ma.Schema):
    state = ma.fields.String(validate=ma.validate.OneOf(REALISATION_STATES))


class RealisationRequestSchema(RealisationAmountsSchema):
    """What a contractor reports; which fields count depends on the block's unit."""

    block_code = text(20, min_length=1, required=True)
    candidate_ref = text(
        40,
        allow_none=True,
        load_default=None,
        metadata={"description": "Pseudonymous reference (people blocks); never a name or BSN"},
    )
    attributes = ma.fields.List(
        ma.fields.String(validate=ma.validate.Regexp(ATTRIBUTE)),
        load_default=list,
        validate=ma.validate.Length(max=20),
        metadata={"description": "Candidate attributes that earn bonuses, e.g. age_50_plus"},
    )
    start_date = iso_date(allow_none=True, load_default=None)
    end_date = iso_date(allow_none=True, load_default=None)
    hours_per_week = Hours(MAX_HOURS_PER_WEEK, allow_none=True, load_default=None)
    invoice_number = text(60, allow_none=True, load_default=None)
    supplier_name = text(200, allow_none=True, load_default=None)
    supplier_kvk = ma.fields.String(
        allow_none=True, load_default=None, validate=ma.validate.Regexp(r"^\d{8}$")
    )
    description = text(5000, load_default="")
    draft = ma.fields.Boolean(
        load_default=False, metadata={"description": "Save as a draft instead of submitting"}
    )

    @ma.validates_schema
    def _period(self, data: dict, **kwargs) -> None:
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            raise ma.ValidationError("The end date is before the start date.", "end_date")


class SendSchema(ma.Schema):
    """Send a draft, or a rejected or questioned realisation, as it is saved."""

    answer = text(
        2000,
        load_default="",
        metadata={"description": "The answer to the officer's question (required when questioned)"},
    )


class RealisationUpdateSchema(RealisationRequestSchema, SendSchema):
    """A draft changed (kept as a draft, or sent), or a rejected or questioned realisation
    corrected and sent again (with the answer)."""


class AskSchema(ma.Schema):
    question = text(
        2000,
        min_length=1,
        required=True,
        metadata={"description": "What the contractor should add or explain; it sees it"},
    )


class RejectSchema(ma.Schema):
    reason = text(
        2000,
        min_length=1,
        required=True,
        metadata={"description": "Why; the contractor sees it"},
    )


class ReportedRealisationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    contract_id = ma.fields.Integer(required=True)
    state = ma.fields.String(required=True, validate=ma.validate.OneOf(REALISATION_STATES))
    block_code = ma.fields.String(attribute="block.code", required=True)
    candidate_ref = ma.fields.String(allow_none=True)
    attributes = ma.fields.List(ma.fields.String())
    start_date = ma.fields.Date(allow_none=True)
    end_date = ma.fields.Date(allow_none=True)
    hours_per_week = ma.fields.Float(allow_none=True)
    hours = ma.fields.Float(allow_none=True)
    quantity = ma.fields.Integer(allow_none=True)
    cost_excl_vat_cents = ma.fields.Integer(allow_none=True)
    invoice_excl_vat_cents = ma.fields.Integer(allow_none=True)
    invoice_number = ma.fields.String(allow_none=True)
    supplier_name = ma.fields.String(allow_none=True)
    supplier_kvk = ma.fields.String(allow_none=True)
    supplier_certification = ma.fields.String(allow_none=True)
    description = ma.fields.String()
    value_cents = ma.fields.Integer(required=True)
    breakdown = ma.fields.List(ma.fields.Nested(BreakdownLineSchema), required=True)
    rejection_reason = ma.fields.String(allow_none=True)
    question = ma.fields.String(
        allow_none=True, metadata={"description": "The officer's latest question, if any"}
    )
    answer = ma.fields.String(
        allow_none=True, metadata={"description": "The contractor's answer to that question"}
    )
    submitted_at = UtcDateTime(allow_none=True)
    decided_at = UtcDateTime(allow_none=True)
