"""/api/v1/demands/{id}/matches and /api/v1/offerings/{id}/matches: the ranked listings of the
other side (docs/domain.md "Matches and their SROI value").

Choices where the brief is silent:
- Reading needs no token, like a public listing's page; with one, the caller also sees the
  matches of their own drafts and paused listings. A listing the caller may not see, or of the
  other side, is 404.
- `reasons` are Dutch, whatever the request; `reason_codes` carry the same reasons as stable codes
  with parameters for programs.
- `sroi_preview` is given when the demand serves a contract: its `amount_cents` is the
  offering's price or the demand's budget, or, for members of the contractor, the purchase
  that would close the remaining obligation.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import force_locale
from flask_login import current_user

from marketplace.blueprints.api.blueprint import ERROR_DESCRIPTIONS, ID, ComplianceBlueprint
from marketplace.blueprints.api.envelope import ErrorSchema
from marketplace.blueprints.api.schemas.matches import MatchesSchema, MatchQuerySchema
from marketplace.blueprints.layout import member_ids
from marketplace.labels import match_reason_label
from marketplace.services import listings, matches, memberships

blp = ComplianceBlueprint("api_matches", __name__, description="Explained matches of a listing")


def _item(m: matches.ListingMatch) -> dict:
    preview = m.sroi_preview
    return {
        "id": m.listing.id,
        "kind": m.listing.kind,
        "title": m.listing.title,
        "organisation_id": m.listing.organisation_id,
        "organisation_name": m.listing.organisation.name,
        "score": m.score,
        "reasons": [match_reason_label(r.code, r.params) for r in m.reasons],
        "reason_codes": [{"code": r.code, "params": dict(r.params)} for r in m.reasons],
        "sroi_preview": None
        if preview is None
        else {
            "contract_id": preview.contract.id,
            "amount_cents": preview.amount_cents,
            "value_cents": preview.value_cents,
            "certification": preview.certification,
        },
    }


def _matches(kind: str, listing_id: int, limit: int) -> dict:
    mine = member_ids()
    listing = listings.visible_listing(listing_id, current_user, kind, mine)
    networks = memberships.access_of(mine).networks if kind == "offering" else ()
    found = matches.matches_of(listing, mine, limit, networks)
    with force_locale("nl"):
        return {"items": [_item(m) for m in found.listings] if found else []}


@blp.route(f"/demands/<{ID}:listing_id>/matches")
class DemandMatches(MethodView):
    @blp.arguments(MatchQuerySchema, location="query")
    @blp.response(200, MatchesSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=ERROR_DESCRIPTIONS[404])
    def get(self, args, listing_id: int):
        """The offerings that best fit a demand

        Ranked by score (0-100), with Dutch reasons and, when the demand serves a contract, the
        SROI value buying each offering would add to it. `limit` at most 50."""
        return _matches("demand", listing_id, args["limit"])


@blp.route(f"/offerings/<{ID}:listing_id>/matches")
class OfferingMatches(MethodView):
    @blp.arguments(MatchQuerySchema, location="query")
    @blp.response(200, MatchesSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=ERROR_DESCRIPTIONS[404])
    def get(self, args, listing_id: int):
        """The demand an offering best answers

        Ranked by score (0-100), with Dutch reasons and, for demand that serves a contract, the
        SROI value buying the offering would add to it. `limit` at most 50."""
        return _matches("offering", listing_id, args["limit"])
