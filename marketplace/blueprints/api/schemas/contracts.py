"""Schemas of /api/v1/contracts: registering a contract, the list, and one with its fulfilment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import marshmallow as ma

from marketplace.blueprints.api.schemas.common import PageQuerySchema, PageSchema
from marketplace.blueprints.api.schemas.fields import basis_points, cents, ident, iso_date, text
from marketplace.domain.fulfilment import STATUSES, Fulfilment
from marketplace.domain.obligation import PSO_LEVELS
from marketplace.labels import obligation_explanation
from marketplace.models import Contract, PsoCertificate


class ContractQuerySchema(PageQuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))


class ContractRequestSchema(ma.Schema):
    authority_id = ident(
        allow_none=True,
        load_default=None,
        metadata={"description": "Default: the only authority you are an officer of"},
    )
    contractor_id = ident(
        allow_none=True,
        load_default=None,
        metadata={"description": "A verified contractor; without one, invite the company"},
    )
    invited_kvk = text(
        20,
        allow_none=True,
        load_default=None,
        metadata={"description": "Invite a company not on the platform by its KvK number"},
    )
    invited_email = text(
        254,
        allow_none=True,
        load_default=None,
        metadata={"description": "Mail the invitation to this address (with or without KvK)"},
    )
    title = text(200, min_length=1, required=True)
    reference = text(60, min_length=1, required=True)
    department = text(120, load_default="")
    value_cents = cents(required=True)
    labour_share_bp = basis_points(allow_none=True, load_default=None)
    award_date = iso_date(required=True)
    start_date = iso_date(required=True)
    end_date = iso_date(required=True)


class Explanation(ma.fields.String):
    """A contract's stored obligation steps ([code, params], ...) as the one line the API has
    always answered, worded by labels.obligation_explanation."""

    def _serialize(self, value, attr, obj, **kwargs) -> str:
        return obligation_explanation(value)


class RegisteredContractSchema(ma.Schema):
    """A contract with its obligation and the fulfilment cached by the last recompute."""

    id = ma.fields.Integer(required=True)
    authority_id = ma.fields.Integer(required=True)
    authority_name = ma.fields.String(attribute="authority.name", required=True)
    contractor_id = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "null while the contract waits for its invited company"},
    )
    contractor_name = ma.fields.String(attribute="contractor_name", required=True, allow_none=True)
    invited_kvk = ma.fields.String(required=True, allow_none=True)
    invited_email = ma.fields.String(required=True, allow_none=True)
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
    obligation_explanation = Explanation(
        attribute="obligation_steps",
        required=True,
        metadata={"description": "One step per rule that applied, in the request's language"},
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
