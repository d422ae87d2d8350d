"""Schemas of /api/v1 proposals and deals: a proposal on a demand, accepting one, a deal, and the
invoice that becomes a realisation."""

from __future__ import annotations

import marshmallow as ma

from marketplace.blueprints.api.schemas.fields import (
    UtcDateTime,
    cents,
    ident,
    iso_date,
    optional_cents,
    text,
)
from marketplace.models.deals import DEAL_STATES, PROPOSAL_STATES
from marketplace.services.proposals import MAX_MESSAGE, MAX_VOLUME


class ProposalRequestSchema(ma.Schema):
    """A supplier's offer: a message, and a price (cents, excl. VAT) and/or a volume."""

    message = text(MAX_MESSAGE, min_length=1, required=True)
    amount_cents = optional_cents()
    volume = text(MAX_VOLUME, load_default="")
    offering_id = ident(allow_none=True, load_default=None)
    organisation_id = ident(
        allow_none=True,
        load_default=None,
        metadata={"description": "The supplier you act for, when you belong to several"},
    )


class ProposalSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    demand_id = ma.fields.Integer(attribute="listing_id", required=True)
    organisation_id = ma.fields.Integer(required=True)
    offering_id = ma.fields.Integer(allow_none=True)
    message = ma.fields.String(required=True)
    amount_cents = ma.fields.Integer(allow_none=True)
    volume = ma.fields.String()
    status = ma.fields.String(required=True, metadata={"enum": list(PROPOSAL_STATES)})
    created_at = UtcDateTime()


class MessageRequestSchema(ma.Schema):
    """A message in a proposal's thread."""

    body = text(MAX_MESSAGE, min_length=1, required=True)


class MessageSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    proposal_id = ma.fields.Integer(required=True)
    organisation_id = ma.fields.Integer(
        required=True, metadata={"description": "The side that wrote it"}
    )
    body = ma.fields.String(required=True)
    created_at = UtcDateTime()


class AcceptRequestSchema(ma.Schema):
    start_date = iso_date(allow_none=True, load_default=None)
    end_date = iso_date(allow_none=True, load_default=None)


class InvoiceRequestSchema(ma.Schema):
    invoice_number = text(60, min_length=1, required=True)
    invoice_date = iso_date(required=True)
    amount_cents = cents(required=True)


class DealRealisationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    state = ma.fields.String(required=True)
    value_cents = ma.fields.Integer(required=True)
    supplier_certification = ma.fields.String(allow_none=True)


class DealSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    proposal_id = ma.fields.Integer(required=True)
    demand_id = ma.fields.Integer(attribute="listing_id", required=True)
    buyer_id = ma.fields.Integer(required=True)
    supplier_id = ma.fields.Integer(required=True)
    contract_id = ma.fields.Integer(allow_none=True)
    agreed_amount_cents = ma.fields.Integer(allow_none=True)
    start_date = ma.fields.Date(allow_none=True)
    end_date = ma.fields.Date(allow_none=True)
    status = ma.fields.String(required=True, metadata={"enum": list(DEAL_STATES)})
    invoice_number = ma.fields.String(allow_none=True)
    invoice_date = ma.fields.Date(allow_none=True)
    invoice_amount_cents = ma.fields.Integer(allow_none=True)
    realisation = ma.fields.Nested(DealRealisationSchema, allow_none=True)
    created_at = UtcDateTime()
