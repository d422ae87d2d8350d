"""/markt: an organisation's demand (vraag) and offerings (aanbod): posting, editing, the
detail pages, the owner's moves (publish, pause, resume, close, re-open, delete a draft) and
'Mijn markt'. Routes stay thin: each calls services/listings.py and renders; another
organisation's hidden listing is a 404, a change to another's visible one a 403.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace import clock
from marketplace.blueprints.formhelpers import apply_service_error, page_arg
from marketplace.blueprints.market.forms import ListingForm
from marketplace.domain.listings import STATUSES
from marketplace.labels import (
    listing_kind_label,
    listing_status_label,
    listing_status_labels,
    listing_type_label,
    match_reason_label,
    region_label,
    sector_label,
)
from marketplace.models import Listing
from marketplace.services import deals, listings, matches, memberships, proposals
from marketplace.services.errors import NotFound, ServiceError

bp = Blueprint("market", __name__)

# The Dutch path segment of each side, and back.
SIDES = {"demand": "vraag", "offering": "aanbod"}
KINDS = {side: kind for kind, side in SIDES.items()}
SIDE = "<any(vraag, aanbod):side>"
PER_PAGE = 20
OWNER_MOVES = ("publish", "pause", "resume", "reopen")


def listing_helpers() -> dict:
    """Template helpers for the marketplace pages, which create_app makes global to every
    template."""
    return {
        "listing_url": listing_url,
        "listing_kind_label": listing_kind_label,
        "match_reason_label": match_reason_label,
        "listing_status_label": listing_status_label,
        "listing_type_label": listing_type_label,
        "region_label": region_label,
        "sector_label": sector_label,
        "sides": SIDES,
    }


def listing_url(listing: Listing, action: str | None = None) -> str:
    """The listing's page, or the URL of one of its actions."""
    side = SIDES[listing.kind]
    if action is None:
        return url_for("market.detail", side=side, listing_id=listing.id)
    return url_for(f"market.{action}", side=side, listing_id=listing.id)


def _own(side: str, listing_id: int) -> Listing:
    return listings.owned_listing(listing_id, current_user, KINDS[side])


def _refused(exc: ServiceError, form: ListingForm | None = None) -> None:
    if exc.status in (403, 404):
        raise exc
    if form is not None:
        apply_service_error(form, exc)
    else:
        flash(exc.message, "error")


def _all_errors(form: ListingForm, listing: Listing | None) -> None:
    """When a field did not parse, also show what the service would refuse in the others, so
    every wrong field is marked at once."""
    org = listing.organisation if listing else g.current_org
    errors = listings.field_errors(org, form.kind, form.listing_data(), listing, clock.today())
    unmarked = {n: msg for n, msg in errors.items() if n in form and not form[n].errors}
    if unmarked:
        apply_service_error(form, ServiceError(_("Some fields are not valid."), unmarked))


def _saved(listing: Listing) -> None:
    if listing.status == "draft":
        flash(_("Your draft is saved."), "ok")
    elif listing.published_at is not None and request.form.get("action") == "publish":
        flash(_("Your listing is published."), "ok")
    else:
        flash(_("Your changes are saved."), "ok")


@bp.route("/markt/nieuw", methods=["GET", "POST"])
@login_required
def new():
    """A new demand (?soort=vraag) or offering (?soort=aanbod) of the current organisation;
    a demand may come pre-filled from a contract (?contract=, sector, region, budget)."""
    org = g.current_org
    if org is None:
        return redirect(url_for("orgs.register"))
    default = "offering" if listings.may_post(org, "offering") else "demand"
    kind = KINDS.get(request.args.get("soort", ""), default)
    if not listings.may_post(org, kind):
        flash(_("Your organisation cannot post this kind of listing."), "error")
        return redirect(url_for("market.mine"))
    audience = listings.network_options(org, kind)
    form = ListingForm(
        kind,
        listings.contract_choices(org) if kind == "demand" else [],
        networks=audience.networks,
    )
    if request.method == "GET":
        form.prefill(request.args, org.arbeidsmarktregio)
    elif form.validate():
        # An unverified organisation has no publish button; a forged click saves the draft.
        publish = request.form.get("action") == "publish" and org.is_verified
        try:
            listing = listings.create(
                org, current_user, kind, form.listing_data(), clock.today(), publish=publish
            )
        except ServiceError as exc:
            _refused(exc, form)
        else:
            _saved(listing)
            return redirect(listing_url(listing))
    else:
        _all_errors(form, None)
    return render_template(
        "market/form.html",
        form=form,
        kind=kind,
        listing=None,
        verified=org.is_verified,
        blocked=audience.blocked,
    )


@bp.route(f"/markt/{SIDE}/<int:listing_id>")
def detail(side: str, listing_id: int):
    mine = {o.id for o in g.user_orgs}
    listing = listings.visible_listing(listing_id, current_user, KINDS[side], mine)
    owner = listings.is_owner(listing, current_user, mine)
    # An offering's matches include the network-only demand the viewer may see.
    networks = memberships.access_of(mine).networks if listing.kind == "offering" else ()
    return render_template(
        "market/detail.html",
        listing=listing,
        owner=owner,
        actions=listings.actions_for(listing) if owner else (),
        matches=matches.matches_of(listing, mine, networks=networks),
        panel=(
            proposals.panel_for(listing, current_user, g.current_org, mine)
            if listing.kind == "demand"
            else None
        ),
    )


@bp.route(f"/markt/{SIDE}/<int:listing_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit(side: str, listing_id: int):
    listing = _own(side, listing_id)
    audience = listings.network_options(listing.organisation, listing.kind)
    form = ListingForm(
        listing.kind,
        listings.contract_choices(listing.organisation),
        networks=audience.networks,
        kept_network=listing.network,
    )
    if request.method == "GET":
        form.fill(listing)
    elif form.validate():
        publish = (
            request.form.get("action") == "publish"
            and listing.status == "draft"
            and listing.organisation.is_verified
        )
        try:
            listings.change(
                listing,
                current_user,
                clock.today(),
                data=form.listing_data(),
                status="open" if publish else None,
            )
        except ServiceError as exc:
            _refused(exc, form)
        else:
            _saved(listing)
            return redirect(listing_url(listing))
    else:
        _all_errors(form, listing)
    return render_template(
        "market/form.html",
        form=form,
        kind=listing.kind,
        listing=listing,
        verified=listing.organisation.is_verified,
        blocked=audience.blocked,
    )


@bp.post(f"/markt/{SIDE}/<int:listing_id>/<any({', '.join(OWNER_MOVES)}):action>")
@login_required
def move(side: str, listing_id: int, action: str):
    """Publish, pause, resume or re-open: one click, undone by the opposite move."""
    listing = _own(side, listing_id)
    try:
        listings.move(listing, current_user, action, clock.today())
        flash(
            _("The listing is now %(status)s.", status=listing_status_label(listing.status)), "ok"
        )
    except ServiceError as exc:
        _refused(exc)
    back_to_mine = request.form.get("next") == "mine"
    return redirect(url_for("market.mine") if back_to_mine else listing_url(listing))


def _after_confirming(
    listing: Listing, action: str, do: Callable[[], object], done: str, then: str
):
    """Closing and deleting end something for good: the GET asks on a page of its own, the POST
    does it and goes to `then`."""
    if request.method == "POST":
        try:
            do()
        except ServiceError as exc:
            _refused(exc)
        else:
            flash(done, "ok")
            return redirect(then)
    return render_template("market/confirm.html", listing=listing, action=action)


@bp.route(f"/markt/{SIDE}/<int:listing_id>/sluiten", methods=["GET", "POST"])
@login_required
def close(side: str, listing_id: int):
    """Closing ends the listing for everyone until it is re-opened."""
    listing = _own(side, listing_id)
    return _after_confirming(
        listing,
        "close",
        lambda: listings.move(listing, current_user, "close", clock.today()),
        _("The listing is closed. You can re-open it later."),
        listing_url(listing),
    )


@bp.route(f"/markt/{SIDE}/<int:listing_id>/verwijderen", methods=["GET", "POST"])
@login_required
def delete(side: str, listing_id: int):
    """Deleting a draft is for good."""
    listing = _own(side, listing_id)
    return _after_confirming(
        listing,
        "delete",
        lambda: listings.delete_draft(listing, current_user),
        _("The draft is deleted."),
        url_for("market.mine"),
    )


@bp.route("/markt/mijn")
@login_required
def mine():
    """'Mijn markt': the current organisation's listings by status, with their actions."""
    org = g.current_org
    if org is None:
        return render_template("market/mine.html", org=None)
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        raise NotFound()
    page = listings.page_of(org, status, page_arg(), PER_PAGE)
    return render_template(
        "market/mine.html",
        org=org,
        status=status,
        counts=listings.status_counts(org),
        status_labels=listing_status_labels(),
        page=page,
        may_post={kind: listings.may_post(org, kind) for kind in SIDES},
        actions_by_id={listing.id: listings.actions_for(listing) for listing in page.items},
        proposals_in=proposals.incoming(org),
        proposals_out=proposals.outgoing(org),
        deals=deals.deals_of(org),
    )
