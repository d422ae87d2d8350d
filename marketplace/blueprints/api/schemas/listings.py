"""Schemas of /api/v1/demands and /api/v1/offerings: posting, changing and showing a listing.

Both sides share the classification; their amount and dates carry the names of their side
(`budget_cents` and `wanted_by` for demand, `price_cents`, `available_from` and
`available_until` for offerings), loaded into the service's names (`amount_cents`, `last_day`,
`date_from`) with marshmallow's `data_key`. Lengths and enumerations are checked here as far as
a schema can; the service checks the rest (title length, dates not past, whose contract) and
answers 422 with the API's field names.
"""

from __future__ import annotations

import marshmallow as ma

from marketplace.blueprints.api.schemas.common import PageQuerySchema, PageSchema
from marketplace.blueprints.api.schemas.fields import (
    Hours,
    UtcDateTime,
    cents,
    ident,
    iso_date,
    text,
)
from marketplace.domain.listings import STATUSES
from marketplace.domain.taxonomy import SECTORS
from marketplace.models.market import LISTING_TYPES
from marketplace.services.listings import DESCRIPTION_MAX, MAX_FTE, REGIONS, TITLE_MAX, VOLUME_MAX

# The statuses a client may ask for; the others come from proposals, deals and the daily job.
CREATE_STATUSES = ("draft", "open")
CHANGE_STATUSES = ("open", "paused", "closed")


class Fte(Hours):
    """A volume in FTE as an exact Decimal: above 0, at most two decimals."""

    def __init__(self, **kwargs) -> None:
        super().__init__(int(MAX_FTE), **kwargs)
        self.metadata["description"] = f"FTE, up to {int(MAX_FTE)}, at most two decimals"


class ListingQuerySchema(PageQuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    organisation_id = ident(metadata={"description": "Only this organisation's listings"})


class _ListingFields(ma.Schema):
    title = text(TITLE_MAX, min_length=1, required=True)
    description = text(DESCRIPTION_MAX, min_length=1, required=True)
    sector = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(tuple(SECTORS)),
        metadata={"description": "A sector key of the taxonomy"},
    )
    type = ma.fields.String(required=True, validate=ma.validate.OneOf(LISTING_TYPES))
    region = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(REGIONS),
        metadata={"description": "An arbeidsmarktregio, or `national`"},
    )
    volume = text(VOLUME_MAX, metadata={"description": 'In words, e.g. "3 fte"'})
    fte = Fte(allow_none=True)


class _DemandFields(_ListingFields):
    amount_cents = cents(data_key="budget_cents", allow_none=True)
    last_day = iso_date(
        data_key="wanted_by",
        allow_none=True,
        metadata={"description": "The last day; the demand expires after it"},
    )
    contract_id = ident(
        allow_none=True,
        metadata={"description": "A contract of your organisation as its contractor"},
    )
    network_id = ident(
        allow_none=True,
        metadata={
            "description": "Show the demand only to the members of this network, where your "
            "organisation is an active member (null: everyone)"
        },
    )


class _OfferingFields(_ListingFields):
    amount_cents = cents(data_key="price_cents", allow_none=True)
    date_from = iso_date(data_key="available_from", allow_none=True)
    last_day = iso_date(
        data_key="available_until",
        allow_none=True,
        metadata={"description": "Optional end of availability; the offering expires after it"},
    )


class _Create(ma.Schema):
    status = ma.fields.String(
        validate=ma.validate.OneOf(CREATE_STATUSES),
        metadata={"description": "`open` publishes at once (a verified organisation only)"},
    )
    organisation_id = ident(
        allow_none=True, metadata={"description": "Default: your only organisation that may post"}
    )


class _Change(ma.Schema):
    status = ma.fields.String(
        validate=ma.validate.OneOf(CHANGE_STATUSES),
        metadata={"description": "`open` publishes, resumes or re-opens; `paused`; `closed`"},
    )


class DemandCreateSchema(_DemandFields, _Create):
    pass


class DemandChangeSchema(_DemandFields, _Change):
    pass


class OfferingCreateSchema(_OfferingFields, _Create):
    pass


class OfferingChangeSchema(_OfferingFields, _Change):
    pass


class _ListingOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    organisation_id = ma.fields.Integer(required=True)
    organisation_name = ma.fields.String(attribute="organisation.name", required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    sector = ma.fields.String(required=True)
    type = ma.fields.String(required=True)
    region = ma.fields.String(required=True)
    volume = ma.fields.String(required=True)
    # Sent as text ("2.00", exact); documented so, or clients would expect a JSON number.
    fte = ma.fields.Decimal(
        as_string=True,
        allow_none=True,
        metadata={"type": "string", "format": "decimal", "example": "2.00"},
    )
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(STATUSES))
    actions = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={"description": "The moves you may make now (owners only; else empty)"},
    )
    expires_on = ma.fields.Date(allow_none=True)
    published_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class DemandSchema(_ListingOut):
    budget_cents = ma.fields.Integer(attribute="amount_cents", allow_none=True)
    wanted_by = ma.fields.Date(allow_none=True)
    contract_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "Shown to the posting organisation only"}
    )
    network_id = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "Seen only by this network's members; null: by everyone"},
    )


class OfferingSchema(_ListingOut):
    price_cents = ma.fields.Integer(attribute="amount_cents", allow_none=True)
    available_from = ma.fields.Date(allow_none=True)
    available_until = ma.fields.Date(allow_none=True, metadata={"description": "= expires_on"})


class DemandPageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(DemandSchema), required=True)


class OfferingPageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(OfferingSchema), required=True)
