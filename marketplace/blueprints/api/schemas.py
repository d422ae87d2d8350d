"""Shared layer of the compliance API (contracts, realisations, policies under /api/v1): the
blueprint class with its error mapping, bounded field types, and the request/response schemas.

Choices where docs/architecture.md and docs/domain.md are silent:
- A use case a service refuses with its default status 400 (a `ServiceError`: wrong state, unknown
  block, end before start...) answers 422 here, with the service's `code` and `fields`: the JSON
  was well formed, its content was refused. 400 stays for a body that is not JSON; 401 means no
  valid bearer token; any other status (403, 404, 409) is passed on as the service raises it.
  HTML pages keep their own handler (the mapping is registered on these blueprints only).
- 404 when the object itself is hidden from the user (someone else's contract or realisation: ids
  cannot be probed); 403 when the user may see it but the action belongs to someone else (a
  contractor approving, a non-member reading an authority's policies).
- Schema messages are webargs' English ones; service messages are in the platform's language
  (Dutch: token requests carry no session to choose English). `code` is the stable part.
- Amounts, hours, dates and text lengths are bounded far beyond real contracts and within the
  database columns, so no input reaches the database or the date arithmetic out of range.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import marshmallow as ma
from flask import Response
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser

from marketplace.blueprints.api.auth import token_required
from marketplace.blueprints.api.envelope import ErrorSchema
from marketplace.blueprints.errors import error_response
from marketplace.domain.fulfilment import STATUSES, Fulfilment
from marketplace.domain.money import MAX_CENTS
from marketplace.domain.numbers import NumberError, bounded_decimal
from marketplace.domain.obligation import PSO_LEVELS
from marketplace.domain.valuation import CERTIFICATIONS, MESSAGES_EN, UNITS
from marketplace.models import Contract, PsoCertificate
from marketplace.models.sroi import REALISATION_STATES
from marketplace.services.errors import ServiceError

MAX_HOURS_PER_WEEK = 168
MAX_HOURS = 1_000_000
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)
MAX_PER_PAGE = 100
MAX_ID = 2**31 - 1  # integer primary keys on PostgreSQL
ID = f"int(min=1, max={MAX_ID})"  # URL converter: a larger id must not reach the database
# Bonus attributes as the policy service accepts them (services/policies.py _BONUS_CODE).
ATTRIBUTE = r"^[a-z0-9_]{2,40}$"

ERROR_DESCRIPTIONS = {
    400: "The body is not valid JSON",
    401: "No valid bearer token (header `Authorization: Bearer <token>`)",
    403: "You may see this, but the action belongs to someone else",
    404: "Not found, or not visible to you",
    409: "Someone else changed it first (e.g. another officer decided); `message` says who",
    422: "Fields not valid, or refused by the rules; `code` says why, `fields` where",
}


# --- blueprint --------------------------------------------------------------------------------


class StrictJSONParser(FlaskParser):
    """webargs only turns JSONDecodeError into 400: also a >4300-digit number or deep nesting."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise
        except (ValueError, RecursionError) as exc:
            self._handle_invalid_json_error(exc, req)


def _refused(exc: ServiceError) -> Response:
    status = 422 if exc.status == 400 else exc.status
    return error_response(status, exc.message, code=exc.code, fields=exc.fields)


class ComplianceBlueprint(Blueprint):
    """A flask-smorest blueprint whose views need a bearer token and whose refused use cases
    answer 422 (see the module docstring)."""

    ARGUMENTS_PARSER = StrictJSONParser()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.register_error_handler(ServiceError, _refused)

    def authenticated(self, *statuses: int) -> Callable:
        """Check the token before the request is read; document it, and the error envelope for
        401 and the given statuses."""

        def decorator(view: Callable) -> Callable:
            view = token_required(view)
            for status in sorted({401, *statuses}):
                view = self.alt_response(
                    status, schema=ErrorSchema, description=ERROR_DESCRIPTIONS[status]
                )(view)
            return self.doc(security=[{"bearerAuth": []}])(view)

        return decorator


# --- fields -----------------------------------------------------------------------------------


def cents(**kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(
        strict=True,
        validate=ma.validate.Range(min=0, max=MAX_CENTS),
        metadata={"description": "Euro cents, a whole number >= 0"},
        **kwargs,
    )


def basis_points(**kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(
        strict=True,
        validate=ma.validate.Range(min=0, max=10000),
        metadata={"description": "Basis points, 0..10000 (500 = 5%)"},
        **kwargs,
    )


def iso_date(**kwargs) -> ma.fields.Date:
    return ma.fields.Date(validate=ma.validate.Range(min=FIRST_DATE, max=LAST_DATE), **kwargs)


def text(max_length: int, *, min_length: int = 0, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.Length(min=min_length, max=max_length), **kwargs)


def ident(**kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)


def optional_quantity() -> ma.fields.Integer:
    """How often a `fixed` block occurred: a whole number of 1 or more, or absent."""
    return ma.fields.Integer(
        strict=True,
        allow_none=True,
        load_default=None,
        validate=ma.validate.Range(min=1, max=1_000_000),
    )


def optional_cents() -> ma.fields.Integer:
    return cents(allow_none=True, load_default=None)


def credit_table(description: str) -> ma.fields.Dict:
    """Basis points of an invoice that count, by the supplier's certification."""
    return ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.OneOf(CERTIFICATIONS)),
        values=basis_points(),
        allow_none=True,
        load_default=None,
        metadata={"description": description},
    )


class Hours(ma.fields.Decimal):
    """Hours as an exact Decimal, never a float: JSON 24, 15.5 or "12.25", at most two decimals.

    A JSON number is read through its shortest text, so 15.5 becomes Decimal("15.5"). Size, range
    and decimals are checked by domain/numbers.py before any arithmetic ("1E-999999999" is refused
    at once), and not with `validate.Range`, which apispec would write into the document as strings.
    """

    def __init__(self, maximum: int, **kwargs) -> None:
        self.maximum = maximum
        metadata = {
            "minimum": 0,
            "maximum": maximum,
            "description": f"Hours, 0..{maximum}, at most two decimals",
        }
        super().__init__(as_string=False, allow_nan=False, metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if isinstance(value, float):
            value = repr(value)
        try:
            return bounded_decimal(value, max_decimals=2, minimum=0, maximum=self.maximum)
        except NumberError as exc:
            if exc.code == "too_many_decimals":
                raise ma.ValidationError(MESSAGES_EN["too_many_decimals"]) from None
            if exc.code == "out_of_range":
                raise ma.ValidationError(f"Must be between 0 and {self.maximum}.") from None
            raise self.make_error("invalid") from None


class UtcDateTime(ma.fields.DateTime):
    """Timestamps are stored as naive UTC (models/_types.utcnow): say so in the output."""

    def _serialize(self, value: datetime | None, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


# --- shared responses -------------------------------------------------------------------------


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


# --- policies ---------------------------------------------------------------------------------


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
        validate=ma.validate.Range(min=1, max=100_000),
    )
    bonuses = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.Regexp(ATTRIBUTE)),
        values=cents(),
        load_default=dict,
        metadata={"description": "Bonus rate per FTE-year by candidate attribute (fte_year)"},
    )
    credit_bp_by_certification = credit_table("Purchase credit (invoice); null: the policy's")


class PolicyRequestSchema(ma.Schema):
    name = text(200, min_length=1, required=True)
    effective_from = iso_date(required=True)
    threshold_cents = cents(required=True)
    min_duration_months = ma.fields.Integer(
        strict=True, required=True, validate=ma.validate.Range(min=0, max=1200)
    )
    percentage_bp = basis_points(required=True)
    low_labour_share_bp = basis_points(allow_none=True, load_default=None)
    low_labour_percentage_bp = basis_points(allow_none=True, load_default=None)
    cap_cents = optional_cents()
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
    bonuses = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    credit_bp_by_certification = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Integer(), allow_none=True
    )


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
    pso_remaining_bp = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    credit_bp_by_certification = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Integer(), allow_none=True
    )
    source = ma.fields.String(allow_none=True)
    blocks = ma.fields.List(ma.fields.Nested(BuildingBlockSchema), required=True)


# --- contracts --------------------------------------------------------------------------------


class ContractQuerySchema(PageQuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))


class ContractRequestSchema(ma.Schema):
    authority_id = ident(
        allow_none=True,
        load_default=None,
        metadata={"description": "Default: the only authority you are an officer of"},
    )
    contractor_id = ident(required=True)
    title = text(200, min_length=1, required=True)
    reference = text(60, min_length=1, required=True)
    department = text(120, load_default="")
    value_cents = cents(required=True)
    labour_share_bp = basis_points(allow_none=True, load_default=None)
    award_date = iso_date(required=True)
    start_date = iso_date(required=True)
    end_date = iso_date(required=True)


class RegisteredContractSchema(ma.Schema):
    """A contract with its obligation and the fulfilment cached by the last recompute."""

    id = ma.fields.Integer(required=True)
    authority_id = ma.fields.Integer(required=True)
    authority_name = ma.fields.String(attribute="authority.name", required=True)
    contractor_id = ma.fields.Integer(required=True)
    contractor_name = ma.fields.String(attribute="contractor.name", required=True)
    policy_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    reference = ma.fields.String(required=True)
    department = ma.fields.String(required=True)
    value_cents = ma.fields.Integer(required=True)
    labour_share_bp = ma.fields.Integer(allow_none=True)
    award_date = ma.fields.Date(required=True)
    start_date = ma.fields.Date(required=True)
    end_date = ma.fields.Date(required=True)
    pso_level = ma.fields.String(allow_none=True)
    pso_valid_until = ma.fields.Date(allow_none=True)
    obligation_cents = ma.fields.Integer(required=True)
    obligation_status = ma.fields.String(
        required=True, validate=ma.validate.OneOf(("due", "not_applicable", "exempt"))
    )
    obligation_explanation = ma.fields.String(
        required=True, metadata={"description": "Dutch, one step per rule that applied"}
    )
    approved_cents = ma.fields.Integer(required=True)
    pending_cents = ma.fields.Integer(required=True)
    remaining_cents = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(STATUSES))
    percent = ma.fields.Float(required=True, metadata={"description": "Approved / obligation"})
    computed_on = ma.fields.Date(
        allow_none=True, metadata={"description": "Day of the cached approved/pending/status"}
    )


class ContractPageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(RegisteredContractSchema), required=True)


@dataclass(frozen=True)
class ContractToday:
    """A contract with its fulfilment on a day (expected and forecast move daily)."""

    contract: Contract
    fulfilment: Fulfilment
    on_date: date
    unverified_certificate: PsoCertificate | None = None


class FulfilmentSchema(ma.Schema):
    on_date = ma.fields.Date(required=True)
    obligation_cents = ma.fields.Integer(attribute="contract.obligation_cents", required=True)
    approved_cents = ma.fields.Integer(attribute="fulfilment.approved_cents", required=True)
    pending_cents = ma.fields.Integer(attribute="fulfilment.pending_cents", required=True)
    remaining_cents = ma.fields.Integer(attribute="fulfilment.remaining_cents", required=True)
    expected_cents = ma.fields.Integer(
        attribute="fulfilment.expected_cents",
        required=True,
        metadata={"description": "What should be approved by today, pro rata"},
    )
    forecast_cents = ma.fields.Integer(
        attribute="fulfilment.forecast_cents",
        required=True,
        allow_none=True,
        metadata={"description": "Approved extrapolated to the end; null before the start"},
    )
    percent = ma.fields.Float(attribute="fulfilment.percent", required=True)
    status = ma.fields.String(
        attribute="fulfilment.status", required=True, validate=ma.validate.OneOf(STATUSES)
    )


class UnverifiedCertificateSchema(ma.Schema):
    level = ma.fields.String(required=True, validate=ma.validate.OneOf(PSO_LEVELS))
    number = ma.fields.String(required=True)
    valid_until = ma.fields.Date(required=True)


class ContractDetailSchema(RegisteredContractSchema):
    """A contract and, under `fulfilment`, where it stands today (docs/domain.md "Fulfilment")."""

    fulfilment = ma.fields.Nested(FulfilmentSchema, required=True)
    pso_unverified_certificate = ma.fields.Nested(
        UnverifiedCertificateSchema,
        required=True,
        allow_none=True,
        metadata={
            "description": "A PSO certificate of the contractor that awaits verification and "
            "would count for this contract: until an officer or the admin verifies it, the "
            "obligation is computed without it. Null when there is none."
        },
    )

    def get_attribute(self, obj: ContractToday, attr: str, default):
        if attr == "fulfilment":
            return obj
        if attr == "pso_unverified_certificate":
            return obj.unverified_certificate
        return super().get_attribute(obj.contract, attr, default)


# --- realisations -----------------------------------------------------------------------------


class RealisationQuerySchema(ma.Schema):
    state = ma.fields.String(validate=ma.validate.OneOf(REALISATION_STATES))


class RealisationRequestSchema(ma.Schema):
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
    hours = Hours(MAX_HOURS, allow_none=True, load_default=None)
    quantity = optional_quantity()
    cost_excl_vat_cents = optional_cents()
    invoice_excl_vat_cents = optional_cents()
    invoice_number = text(60, allow_none=True, load_default=None)
    supplier_name = text(200, allow_none=True, load_default=None)
    supplier_kvk = ma.fields.String(
        allow_none=True, load_default=None, validate=ma.validate.Regexp(r"^\d{8}$")
    )
    supplier_certification = ma.fields.String(
        allow_none=True, load_default=None, validate=ma.validate.OneOf(CERTIFICATIONS)
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
    submitted_at = UtcDateTime(allow_none=True)
    decided_at = UtcDateTime(allow_none=True)
