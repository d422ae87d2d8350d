"""/api/v1/demands and /api/v1/offerings: the marketplace's listings (docs/domain.md "Listings").

Choices where the brief is silent:
- Reading needs no token: the lists and listings are public, except drafts and paused ones,
  which only the posting organisation's members see (with a token); for anyone else they are
  404, like ids that do not exist. Writing needs a token.
- POST posts for `organisation_id`, or for the user's only organisation that may post this side
  (422 `organisation_required` when there are several). `"status": "open"` publishes at once; an
  unverified organisation gets 422 `unverified` and nothing is saved: it may post drafts.
- PATCH changes any fields given and moves to the `status` given (`open` publishes, resumes or
  re-opens; `paused`; `closed`) in one transaction: a refused part saves nothing. Changing another
  organisation's visible listing is 403.
- DELETE takes the listing off the market and answers 204: a draft is deleted for good (nobody
  else saw it); any other listing is closed and kept, because proposals and deals refer to it
  (re-open it with PATCH `"status": "open"`); one already closed or expired stays so. A matched
  listing belongs to its deal: 422.
- A demand's `contract_id` is shown to the posting organisation only.
- A demand with a `network_id` is seen only by that network's members (404 for anyone else;
  403 `membership_blocked` for a member whose membership is suspended or cancelled); posting
  one needs an active (or past due) membership of it.
- Of two status changes at once, the second waits for the first and is then decided on the
  status the first left (publishing twice publishes once; the second gets 422 `not_allowed`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import Any

from flask.views import MethodView
from flask_login import current_user

from marketplace import clock
from marketplace.blueprints.api.blueprint import ID, ComplianceBlueprint
from marketplace.blueprints.api.schemas import listings as schemas
from marketplace.blueprints.layout import member_ids
from marketplace.models import Listing
from marketplace.services import listings
from marketplace.services.errors import ServiceError

blp = ComplianceBlueprint(
    "api_listings",
    __name__,
    description="The marketplace: demand (vraag) and offerings (aanbod)",
)

# The service's field names as each side's API names them.
API_NAMES = {
    "demand": {"amount_cents": "budget_cents", "last_day": "wanted_by"},
    "offering": {
        "amount_cents": "price_cents",
        "date_from": "available_from",
        "last_day": "available_until",
    },
}


class Shown:
    """A listing as the API shows it to the current user: the contract and the moves are the
    posting organisation's business."""

    def __init__(self, listing: Listing) -> None:
        self._listing = listing
        self._owner = listings.is_owner(listing, current_user, member_ids())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._listing, name)

    @property
    def contract_id(self) -> int | None:
        return self._listing.contract_id if self._owner else None

    @property
    def available_until(self) -> date | None:
        """An offering's end of availability, its last day."""
        return self._listing.expires_on

    @property
    def actions(self) -> tuple[str, ...]:
        return listings.actions_for(self._listing) if self._owner else ()


@contextmanager
def _named_for(kind: str) -> Iterator[None]:
    """A refusal's fields under this side's API names."""
    try:
        yield
    except ServiceError as exc:
        names = API_NAMES[kind]
        exc.fields = {names.get(name, name): msg for name, msg in exc.fields.items()}
        raise


def _register(kind: str, path: str, create, change, shown, page) -> None:
    """The five routes of one side; both sides share them, with their own schemas."""
    label = "demand" if kind == "demand" else "offering"

    @blp.route(f"/{path}", endpoint=path)
    class Collection(MethodView):
        @blp.arguments(schemas.ListingQuerySchema, location="query")
        @blp.response(200, page)
        @blp.doc(
            summary=f"Public {label} listings, newest first",
            description="Without a token the public ones; with one, also the drafts and "
            "paused listings of your organisations.",
        )
        def get(self, args):
            query = listings.public_listings(
                kind=kind,
                organisation_id=args.get("organisation_id"),
                status=args.get("status"),
                user=current_user,
            )
            items, total = listings.a_page(query, args["page"], args["per_page"])
            return {
                "items": [Shown(item) for item in items],
                "page": args["page"],
                "per_page": args["per_page"],
                "total": total,
            }

        @blp.authenticated(400, 403)
        @blp.arguments(create)
        @blp.response(201, shown)
        @blp.doc(summary=f"Post {label} (a draft, or published with status open)")
        def post(self, args):
            org = listings.posting_org(current_user, kind, args.pop("organisation_id", None))
            publish = args.pop("status", "draft") == "open"
            with _named_for(kind):
                listing = listings.create(
                    org,
                    current_user,
                    kind,
                    listings.ListingData(**args),
                    clock.today(),
                    publish=publish,
                )
            return Shown(listing)

    @blp.route(f"/{path}/<{ID}:listing_id>", endpoint=f"{path}_item")
    class Item(MethodView):
        @blp.response(200, shown)
        @blp.alt_response(404, description="Not found, or not visible to you")
        @blp.doc(summary=f"One {label} listing")
        def get(self, listing_id: int):
            return Shown(listings.visible_listing(listing_id, current_user, kind, member_ids()))

        @blp.authenticated(400, 403, 404, 409)
        # Every field is optional, so is the body: an empty or absent one changes nothing.
        @blp.arguments(change(partial=True), required=False)
        @blp.response(200, shown)
        @blp.doc(summary=f"Change a {label} listing and/or its status (its organisation)")
        def patch(self, args, listing_id: int):
            listing = listings.owned_listing(listing_id, current_user, kind)
            status = args.pop("status", None)
            data = replace(listings.data_of(listing), **args) if args else None
            with _named_for(kind):
                listings.change(listing, current_user, clock.today(), data=data, status=status)
            return Shown(listing)

        @blp.authenticated(403, 404, 409, 422)
        @blp.response(204)
        @blp.doc(summary=f"Take a {label} listing off the market: delete a draft, close others")
        def delete(self, listing_id: int):
            listing = listings.owned_listing(listing_id, current_user, kind)
            listings.withdraw(listing, current_user, clock.today())


_register(
    "demand",
    "demands",
    schemas.DemandCreateSchema,
    schemas.DemandChangeSchema,
    schemas.DemandSchema,
    schemas.DemandPageSchema,
)
_register(
    "offering",
    "offerings",
    schemas.OfferingCreateSchema,
    schemas.OfferingChangeSchema,
    schemas.OfferingSchema,
    schemas.OfferingPageSchema,
)
