"""Schemas more than one resource of the API uses: the obligation rules' policy fields, what a
realisation claims besides its period, a breakdown line and paging."""

from __future__ import annotations

import marshmallow as ma

from marketplace.blueprints.api.schemas.fields import (
    Hours,
    basis_points,
    cents,
    months,
    optional_cents,
    optional_quantity,
)
from marketplace.domain.valuation import CERTIFICATIONS, MAX_HOURS

MAX_PER_PAGE = 100


class PolicyRulesSchema(ma.Schema):
    """The fields of `domain/obligation.py: Policy` but its PSO table, which the calculator and a
    policy version each shape their own way (domain/inputs.py builds the Policy from them)."""

    threshold_cents = cents(required=True)
    min_duration_months = months(required=True)
    percentage_bp = basis_points(required=True)
    low_labour_share_bp = basis_points(allow_none=True, load_default=None)
    low_labour_percentage_bp = basis_points(allow_none=True, load_default=None)
    cap_cents = optional_cents()


class RealisationAmountsSchema(ma.Schema):
    """What a realisation claims besides its period, hours per week and attributes, by unit
    (`domain/valuation.py: RealisationInput`): hours, occurrences, costs or an invoice."""

    hours = Hours(MAX_HOURS, allow_none=True, load_default=None)
    quantity = optional_quantity()
    cost_excl_vat_cents = optional_cents()
    invoice_excl_vat_cents = optional_cents()
    supplier_certification = ma.fields.String(
        allow_none=True, load_default=None, validate=ma.validate.OneOf(CERTIFICATIONS)
    )


class BreakdownLineSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "Block code or bonus"})
    value_cents = ma.fields.Integer(required=True)


class PageQuerySchema(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=100_000))
    per_page = ma.fields.Integer(
        load_default=20, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE)
    )


class PageSchema(ma.Schema):
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True, metadata={"description": "Items on all pages"})
