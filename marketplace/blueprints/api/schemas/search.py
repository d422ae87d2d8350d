"""Search and the directory (/api/v1/search, /api/v1/organisations): the query's words and
filters, and a page of results with the total and the counts per filter value."""

from __future__ import annotations

import marshmallow as ma

from marketplace.blueprints.api.schemas.common import PageQuerySchema, PageSchema
from marketplace.blueprints.api.schemas.fields import UtcDateTime
from marketplace.services.search import KINDS, SORTS


def _values(description: str) -> ma.fields.List:
    return ma.fields.List(ma.fields.String(), metadata={"description": description})


class SearchQuerySchema(PageQuerySchema):
    q = ma.fields.String(
        load_default="",
        metadata={
            "description": "Words (Dutch stems and prefixes: `schoonmaken` finds `schoonmaak`, "
            "`schoonm` too). Only letters and digits count; a query of only other characters "
            "finds nothing."
        },
    )
    kind = _values(f"Repeat to allow several: {', '.join(KINDS)}")
    sector = _values("Sector keys (docs/domain.md); repeat to allow several")
    type = _values("service, product or placement; repeat to allow several")
    region = _values("Arbeidsmarktregio names or `national`; repeat to allow several")
    certification = _values(
        "code_sociale_ondernemingen, social_enterprise_nl or werkbedrijf; repeat for several"
    )
    pso = _values("PSO levels (trede_1 ... pso_30_plus); repeat to allow several")
    sort = ma.fields.String(
        validate=ma.validate.OneOf(SORTS),
        metadata={"description": "Default: relevance with words, newest without"},
    )


class DirectoryQuerySchema(SearchQuerySchema):
    class Meta:
        exclude = ("kind",)


class HitSchema(ma.Schema):
    kind = ma.fields.String(required=True, metadata={"enum": list(KINDS)})
    id = ma.fields.Integer(
        required=True,
        attribute="ref_id",
        metadata={"description": "The listing's or organisation's id"},
    )
    title = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    organisation_name = ma.fields.String(required=True)
    organisation_slug = ma.fields.String(required=True)
    sector = ma.fields.String(required=True)
    type = ma.fields.String(required=True, metadata={"description": "Empty for organisations"})
    region = ma.fields.String(required=True)
    amount_cents = ma.fields.Integer(
        allow_none=True, metadata={"description": "A demand's budget or an offering's price"}
    )
    volume = ma.fields.String(required=True, metadata={"description": "Organisations: capacity"})
    closes_on = ma.fields.Date(allow_none=True)
    published_at = UtcDateTime(required=True)


class SearchPageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(HitSchema), required=True)
    total_exact = ma.fields.Boolean(
        required=True,
        metadata={"description": "False: there are more than `total` (10,000) results"},
    )
    facets_exact = ma.fields.Boolean(
        required=True,
        metadata={
            "description": "False: some facet counts are estimates (more than 10,000 results "
            "to count)"
        },
    )
    facets = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer()),
        required=True,
        metadata={
            "description": "Per filter (kind, sector, type, region, certification, pso), the "
            "number of results per value; a filter's own choice does not narrow its counts"
        },
    )
