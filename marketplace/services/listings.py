"""Marketplace listings: posting, editing and moving demand (vraag) and offerings (aanbod)
through their states, who sees them, and the daily expiry (rules in domain/listings.py,
docs/domain.md "The marketplace" and "Listings").

Every change of a listing goes through `_save`: the audit row and the search index's entry
(services/search.py) are written in the listing's transaction, so what is found is what is stored.
Other organisations' drafts and paused listings answer 404 like ids that do not exist, and so
do network-only listings for anyone outside the network; a member whose membership lost its
member features (suspended, cancelled) is told so, with the way to pay (MembershipBlocked, 403).
A visible listing of another organisation cannot be changed (403).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import joinedload

from marketplace import clock
from marketplace.domain import listings as rules
from marketplace.domain.money import MAX_CENTS
from marketplace.domain.taxonomy import ARBEIDSMARKTREGIOS, SECTORS
from marketplace.extensions import db
from marketplace.models import Contract, Listing, Organisation, User
from marketplace.models._types import utcnow
from marketplace.models.market import LISTING_KINDS, LISTING_TYPES
from marketplace.services import (
    audit,
    contracts,
    memberships,
    notifications,
    organisations,
    outbox,
    pages,
    search,
)
from marketplace.services.errors import Forbidden, MembershipBlocked, NotFound, ServiceError
from marketplace.services.pages import CountedPagination

TITLE_MIN, TITLE_MAX = 5, 160
DESCRIPTION_MAX = 5000
VOLUME_MAX = 80
MAX_FTE = Decimal("10000")
# How far ahead a date may lie: far enough for any tender, near enough to be a real date.
MAX_YEARS_AHEAD = 10
NATIONAL = "national"
REGIONS = (NATIONAL, *ARBEIDSMARKTREGIOS)


@dataclass(frozen=True)
class ListingData:
    """The fields an owner writes; forms and the API build this. `date_from` is an offering's
    available-from date; `last_day` is a demand's wanted-by date or an offering's end of
    availability (its `expires_on`). `contract_id` and `network_id` (seen by that network's
    members only; None: public) are for demand only."""

    title: str
    description: str
    sector: str
    type: str
    region: str
    amount_cents: int | None = None
    volume: str = ""
    fte: Decimal | None = None
    date_from: date | None = None
    last_day: date | None = None
    contract_id: int | None = None
    network_id: int | None = None


# reading -----------------------------------------------------------------------------------------


def _org_ids(user: User | None) -> set[int]:
    """The organisations `user` is a member of (none for a visitor)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return {o.id for o in organisations.organisations_of(user)}


def _is_member(user: User | None, org_id: int, member_of: Collection[int] | None = None) -> bool:
    """Whether `user` belongs to organisation `org_id`; `member_of`, the ids of the user's
    organisations a page has already loaded, saves asking the database again."""
    return org_id in (member_of if member_of is not None else _org_ids(user))


def visible_listing(
    listing_id: int,
    user: User | None,
    kind: str | None = None,
    member_of: Collection[int] | None = None,
) -> Listing:
    """The listing if `user` may see it (public, or of one of their organisations, whose ids a
    page may pass as `member_of`; a network-only one also to the network's members); a 404 for
    others' drafts and paused listings, for network-only listings outside the network, for ids
    that do not exist and for the other kind; MembershipBlocked for a member of the network
    whose membership lost its member features. Read with its organisation and network, which
    every page of it shows."""
    listing = db.session.get(
        Listing,
        listing_id,
        options=[joinedload(Listing.organisation), joinedload(Listing.network)],
    )
    if listing is None or (kind is not None and listing.kind != kind):
        raise NotFound()
    mine = member_of if member_of is not None else _org_ids(user)
    own = listing.organisation_id in mine
    access = memberships.NO_ACCESS
    if listing.network_id is not None and not own:
        access = memberships.access_of(mine)
    if not rules.may_see(listing.status, listing.network_id, own=own, networks=access.networks):
        if rules.is_public(listing.status) and listing.network_id is not None:
            memberships.refuse_blocked(access, listing.network_id)
        raise NotFound()
    return listing


def owned_listing(listing_id: int, user: User, kind: str | None = None) -> Listing:
    """The listing for a change by `user`: a 404 when they may not see it, a 403 when they see it
    but are not a member of the organisation that posted it."""
    listing = visible_listing(listing_id, user, kind)
    if not _is_member(user, listing.organisation_id):
        raise Forbidden(_("Only the organisation that posted this listing can change it."))
    return listing


def is_owner(listing: Listing, user: User | None, member_of: Collection[int] | None = None) -> bool:
    return _is_member(user, listing.organisation_id, member_of)


def listings_of(org: Organisation, status: str | None = None, kind: str | None = None) -> Select:
    """The listings of `org` (its members see every status), most recently changed first; a
    select for the caller to page."""
    query = select(Listing).where(Listing.organisation_id == org.id)
    if status:
        query = query.where(Listing.status == status)
    if kind:
        query = query.where(Listing.kind == kind)
    return query.order_by(Listing.updated_at.desc(), Listing.id.desc())


def page_of(org: Organisation, status: str | None, number: int, per_page: int) -> CountedPagination:
    """Page `number` of the listings of `org` ('Mijn markt'); NotFound past the last page."""
    return pages.existing_page(listings_of(org, status), number, per_page)


def status_counts(org: Organisation) -> dict[str, int]:
    """How many listings `org` has per status (the tabs of 'Mijn markt')."""
    rows = db.session.execute(
        select(Listing.status, func.count())
        .where(Listing.organisation_id == org.id)
        .group_by(Listing.status)
    )
    return {status: count for status, count in rows}


def public_listings(
    *,
    kind: str | None = None,
    organisation_id: int | None = None,
    status: str | None = None,
    user: User | None = None,
) -> Select:
    """Listings anyone may see, plus the network-only ones of the networks where the user's
    organisations have member features and the private ones of the user's own organisations,
    newest first; a select for the caller to page (the API's list)."""
    mine = _org_ids(user)
    networks = memberships.access_of(mine).networks
    seen = Listing.network_id.is_(None)
    if networks:
        seen = or_(seen, Listing.network_id.in_(networks))
    query = select(Listing).where(
        (Listing.status.not_in(rules.PRIVATE_STATUSES) & seen) | Listing.organisation_id.in_(mine)
    )
    if kind:
        query = query.where(Listing.kind == kind)
    if organisation_id:
        query = query.where(Listing.organisation_id == organisation_id)
    if status:
        query = query.where(Listing.status == status)
    return query.order_by(Listing.created_at.desc(), Listing.id.desc())


def a_page(query: Select, page: int, per_page: int) -> tuple[list[Listing], int]:
    """One page of `query` and the total on all pages (a page past the end is empty)."""
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return list(result.items), result.total or 0


def contract_choices(org: Organisation) -> list[Contract]:
    """The contracts a demand of `org` may serve: those where it is the contractor."""
    return contracts.contractor_contracts(org.id)


def posting_org(user: User, kind: str, organisation_id: int | None) -> Organisation:
    """The organisation an API client posts `kind` for: the one named (403 unless the user is
    a member), else the user's only organisation that may post it (422 asking to choose when
    there are several, 403 when there is none)."""
    orgs = organisations.organisations_of(user)
    if organisation_id is not None:
        for org in orgs:
            if org.id == organisation_id:
                return org
        raise Forbidden(_("You are not a member of this organisation."))
    able = [org for org in orgs if may_post(org, kind)]
    if len(able) == 1:
        return able[0]
    if not able:
        raise Forbidden(
            _("Your organisation cannot post this kind of listing."), "kind_not_allowed"
        )
    msg = _("You are a member of several organisations: choose one.")
    raise ServiceError(msg, {"organisation_id": msg}, code="organisation_required")


def may_post(org: Organisation, kind: str) -> bool:
    return org.kind in rules.POSTER_KINDS.get(kind, ())


@dataclass(frozen=True)
class NetworkOptions:
    """What the listing form offers for its audience: the networks `org` may post a `kind`
    listing for only (where it has member features, or itself when it is a network), and why
    it may not in those where it lost them (each with its way to pay)."""

    networks: list[Organisation]
    blocked: list[MembershipBlocked]


def network_options(org: Organisation, kind: str) -> NetworkOptions:
    if kind not in rules.NETWORK_KINDS:
        return NetworkOptions([], [])
    access = memberships.access_of([org.id])
    return NetworkOptions(
        memberships.networks_by_name(access.networks), memberships.blocked_notices(access)
    )


def _require_member_features(org_id: int, network_id: int) -> None:
    """Putting a network-only listing in the open is a member-only feature: refused with the
    way to pay when the membership lost it, and plainly when there is none."""
    access = memberships.access_of([org_id])
    if network_id not in access.networks:
        memberships.refuse_blocked(access, network_id)
        msg = _("Your organisation is not a member of this listing's network.")
        raise ServiceError(msg, {"network_id": msg}, code="not_a_member")


def _network_errors(
    org: Organisation, kind: str, data: ListingData, before: Listing | None
) -> dict[str, str]:
    """A network-only listing needs member features in its network; one that was already for
    that network may keep it while they are lost (it is not seen meanwhile anyway)."""
    if data.network_id is None or (before is not None and before.network_id == data.network_id):
        return {}
    if kind not in rules.NETWORK_KINDS:
        return {"network_id": _("Only demand can be shown to one network's members.")}
    access = memberships.access_of([org.id])
    if data.network_id in access.networks:
        return {}
    memberships.refuse_blocked(access, data.network_id)
    return {"network_id": _("Choose a network your organisation is a member of.")}


def actions_for(listing: Listing) -> tuple[str, ...]:
    """The moves the owner may make now (buttons on the page, `actions` in the API)."""
    return rules.allowed_actions(listing.status, verified=listing.organisation.is_verified)


# validation --------------------------------------------------------------------------------------


def field_errors(
    org: Organisation, kind: str, data: ListingData, before: Listing | None, today: date
) -> dict[str, str]:
    """A message per wrong field, all at once (`before`: the stored listing when editing).
    Dates already stored may have passed since (an offering available since last month); only
    a date that is new or changed must not be past."""
    fields: dict[str, str] = {}
    title = data.title.strip()
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        fields["title"] = _(
            "Enter a title of %(min)d to %(max)d characters.", min=TITLE_MIN, max=TITLE_MAX
        )
    if not data.description.strip():
        fields["description"] = _("Describe what you ask or offer.")
    elif len(data.description.strip()) > DESCRIPTION_MAX:
        fields["description"] = _(
            "Keep the description under %(max)d characters.", max=DESCRIPTION_MAX
        )
    if data.sector not in SECTORS:
        fields["sector"] = _("Choose a sector from the list.")
    if data.type not in LISTING_TYPES:
        fields["type"] = _("Choose a type from the list.")
    if data.region not in REGIONS:
        fields["region"] = _("Choose a labour-market region, or national.")
    if data.amount_cents is not None and not 0 <= data.amount_cents <= MAX_CENTS:
        fields["amount_cents"] = _("Enter an amount of 0 or more.")
    if len(data.volume.strip()) > VOLUME_MAX:
        fields["volume"] = _("Keep the volume under %(max)d characters.", max=VOLUME_MAX)
    if data.fte is not None and not (0 < data.fte <= MAX_FTE and data.fte == round(data.fte, 2)):
        fields["fte"] = _("Enter a number of FTE above 0, with at most two decimals.")
    latest = today.replace(year=today.year + MAX_YEARS_AHEAD)
    for name, value, stored in (
        ("date_from", data.date_from, before.available_from if before else None),
        ("last_day", data.last_day, before.expires_on if before else None),
    ):
        if value is None or value == stored:
            continue
        if value < today:
            fields[name] = _("Choose today or a later date.")
        elif value > latest:
            fields[name] = _("Choose a date within %(years)d years.", years=MAX_YEARS_AHEAD)
    if (
        kind == "offering"
        and "date_from" not in fields
        and "last_day" not in fields
        and data.date_from is not None
        and data.last_day is not None
        and data.last_day < data.date_from
    ):
        fields["last_day"] = _("The end of availability is before the start.")
    if (
        kind == "demand"
        and data.contract_id is not None
        and data.contract_id not in {c.id for c in contract_choices(org)}
    ):
        fields["contract_id"] = _("Choose one of the contracts of your organisation.")
    fields.update(_network_errors(org, kind, data, before))
    return fields


def _apply(listing: Listing, kind: str, data: ListingData) -> None:
    listing.title = data.title.strip()
    listing.description = data.description.strip()
    listing.sector = data.sector
    listing.type = data.type
    listing.region = data.region
    listing.amount_cents = data.amount_cents
    listing.volume = data.volume.strip()
    listing.fte = data.fte
    listing.expires_on = data.last_day
    listing.wanted_by = data.last_day if kind == "demand" else None
    listing.available_from = data.date_from if kind == "offering" else None
    listing.contract_id = data.contract_id if kind == "demand" else None
    listing.network_id = data.network_id if kind in rules.NETWORK_KINDS else None
    listing.visibility = "public" if listing.network_id is None else "network"


def _snapshot(listing: Listing) -> dict[str, Any]:
    return {
        "kind": listing.kind,
        "title": listing.title,
        "sector": listing.sector,
        "type": listing.type,
        "region": listing.region,
        "amount_cents": listing.amount_cents,
        "volume": listing.volume,
        "fte": str(listing.fte) if listing.fte is not None else None,
        "available_from": listing.available_from.isoformat() if listing.available_from else None,
        "expires_on": listing.expires_on.isoformat() if listing.expires_on else None,
        "contract_id": listing.contract_id,
        "network_id": listing.network_id,
        "status": listing.status,
    }


# writing -----------------------------------------------------------------------------------------


def _save(
    listing: Listing,
    action: str,
    before: dict[str, Any] | None,
    actor: User | None,
) -> Listing:
    """The one way a listing change is written: the listing, its audit row and its search-index
    entry in the caller's transaction, which the caller commits."""
    db.session.add(listing)
    db.session.flush()
    audit.record(f"listing.{action}", listing, before=before, after=_snapshot(listing), actor=actor)
    search.index_listing(listing)
    return listing


def create(
    org: Organisation,
    user: User,
    kind: str,
    data: ListingData,
    today: date,
    *,
    publish: bool = False,
) -> Listing:
    """A new draft of `org` posted by `user` (a member), published at once with `publish`;
    when publishing is refused, nothing is saved."""
    if kind not in LISTING_KINDS:
        raise NotFound()
    if not _is_member(user, org.id):
        raise Forbidden(_("You are not a member of this organisation."))
    if not may_post(org, kind):
        msg = (
            _("Only social enterprises and werkbedrijven post offerings.")
            if kind == "offering"
            else _("Your organisation cannot post demand.")
        )
        raise Forbidden(msg, code="kind_not_allowed")
    fields = field_errors(org, kind, data, None, today)
    if fields:
        raise ServiceError(_("Some fields are not valid."), fields)
    listing = Listing(organisation_id=org.id, created_by_id=user.id, kind=kind, status="draft")
    listing.organisation = org
    _apply(listing, kind, data)
    with _one_transaction():
        _save(listing, "created", None, user)
        if publish:
            _move(listing, user, "publish", today)
    return listing


def data_of(listing: Listing) -> ListingData:
    """What the listing says now, as an owner would write it (the base of a partial change)."""
    return ListingData(
        title=listing.title,
        description=listing.description,
        sector=listing.sector,
        type=listing.type,
        region=listing.region,
        amount_cents=listing.amount_cents,
        volume=listing.volume,
        fte=listing.fte,
        date_from=listing.available_from,
        last_day=listing.expires_on,
        contract_id=listing.contract_id,
        network_id=listing.network_id,
    )


def move(listing: Listing, user: User | None, action: str, today: date) -> Listing:
    """Publish, pause, resume, close or re-open (the owner). A listing goes into the open only
    with a last day that has not passed."""
    with _one_transaction(listing):
        _move(listing, user, action, today)
    return listing


def change(
    listing: Listing,
    user: User,
    today: date,
    *,
    data: ListingData | None = None,
    status: str | None = None,
) -> Listing:
    """New contents and/or a new status in one transaction (the edit form, the API's PATCH); a
    matched listing's contents stay as agreed. The status is reached by the owner's move that
    leads there from the current one (re-open with a new date works in one change); when either
    part is refused nothing is saved."""
    with _one_transaction(listing):
        if data is not None:
            _update(listing, user, data, today)
        if status is not None and status != listing.status:
            action = rules.action_towards(listing.status, status)
            if action is None:
                msg = _("This is not possible in the listing's current state.")
                raise ServiceError(msg, {"status": msg}, code="not_allowed")
            _move(listing, user, action, today)
    return listing


@contextmanager
def _one_transaction(listing: Listing | None = None) -> Iterator[None]:
    """Commit what the block wrote, or roll all of it back when the block refuses. A stored
    `listing` is first locked and read afresh, so a change made at the same moment waits for this
    one and then decides on what it left: a double publish publishes once, an edit racing a pause
    does not put the paused listing back in the search index, and a listing deleted meanwhile is
    a 404 (docs/architecture.md "Rules that must hold under concurrency")."""
    try:
        if listing is not None:
            lock(listing)
        yield
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()


def lock(listing: Listing) -> None:
    """Hold `listing`'s row until the transaction ends, with its columns as committed now: what
    is decided on its status then holds until the commit (a 404 when it was deleted meanwhile).

    SQLite ignores FOR UPDATE but lets one writer in at a time: a write that changes nothing
    makes this transaction that writer now, so the other one waits for this commit."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            update(Listing)
            .where(Listing.id == listing.id)
            .values(id=Listing.id, updated_at=Listing.updated_at),
            execution_options={"synchronize_session": False},
        )
    locked = db.session.scalar(
        select(Listing)
        .where(Listing.id == listing.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None:
        raise NotFound()


def _update(listing: Listing, user: User, data: ListingData, today: date) -> None:
    if not rules.can_edit(listing.status):
        raise ServiceError(
            _("This listing led to a deal and can no longer be changed."), code="not_editable"
        )
    fields = field_errors(listing.organisation, listing.kind, data, listing, today)
    if fields:
        raise ServiceError(_("Some fields are not valid."), fields)
    before = _snapshot(listing)
    _apply(listing, listing.kind, data)
    _save(listing, "updated", before, user)


_REFUSALS = {
    "unverified": lambda: _(
        "Your organisation is not verified yet. You can save drafts; once the platform has "
        "verified your organisation you can publish them."
    ),
    "not_allowed": lambda: _("This is not possible in the listing's current state."),
}


def _move(listing: Listing, user: User | None, action: str, today: date) -> None:
    """One move of a listing its caller has locked (`lock`; or a new one, which nobody else
    sees yet): the status it is decided on is the committed one and holds until the commit, so
    of two moves at once the second decides on what the first left (docs/architecture.md
    "Rules that must hold under concurrency")."""
    try:
        status = rules.transition(listing.status, action, verified=listing.organisation.is_verified)
    except rules.TransitionRefused as refused:
        raise ServiceError(_REFUSALS[refused.code](), code=refused.code) from None
    if status == "open" and rules.is_expired(listing.expires_on, today):
        msg = _("The last day of this listing has passed: choose a new date first.")
        raise ServiceError(msg, {"last_day": msg}, code="date_passed")
    if status == "open" and listing.network_id is not None:
        _require_member_features(listing.organisation_id, listing.network_id)
    before = _snapshot(listing)
    listing.status = status
    if status == "open":
        listing.published_at = listing.published_at or utcnow()
        listing.expiry_notice_sent_at = None
    _save(listing, action, before, user)
    if action == "publish":
        # The best matches hear of it once the publication is committed (match_notices).
        outbox.enqueue("notify_listing_matches", listing.id)


def advance(listing: Listing, action: str, actor: User | None) -> bool:
    """Move the listing by a step of proposals and deals ("start_conversation", "match") in the
    caller's transaction, which the caller has locked the listing in (`lock`) and commits; the
    same move as an owner's. False when its status is not one the step starts from: of two
    accepts at once the second finds the demand matched once the first has committed."""
    if listing.status not in rules.ACTIONS[action].sources:
        return False
    _move(listing, actor, action, clock.today())
    return True


def delete_draft(listing: Listing, user: User) -> None:
    """Remove a draft for good (it was never public); other listings are closed instead, so
    proposals and deals keep what they answered."""
    with _one_transaction(listing):
        _delete_draft(listing, user)


def _delete_draft(listing: Listing, user: User) -> None:
    if listing.status != "draft":
        raise ServiceError(
            _("Only drafts can be deleted; close a published listing instead."), code="not_draft"
        )
    audit.record("listing.deleted", listing, before=_snapshot(listing), actor=user)
    db.session.delete(listing)


def withdraw(listing: Listing, user: User, today: date) -> None:
    """Take a listing off the market (the API's DELETE): a draft is deleted for good, an open,
    paused or in-conversation one is closed and kept (proposals and deals refer to it), one
    already closed or expired stays as it is. A matched listing belongs to its deal: refused."""
    with _one_transaction(listing):
        if listing.status == "draft":
            _delete_draft(listing, user)
        elif listing.status not in ("closed", "expired"):
            _move(listing, user, "close", today)


# expiry ------------------------------------------------------------------------------------------


def expiry_sweep(today: date) -> dict[str, int]:
    """The daily job: expire listings past their last day, and tell owners once, from 7 days
    before, that theirs is about to. Idempotent: expired listings and `expiry_notice_sent_at`
    record what was done. SQL narrows the rows; the domain decides, on each row as it is once
    locked (`_sweep_one`)."""
    horizon = today + timedelta(days=rules.EXPIRY_NOTICE_DAYS)
    candidates = db.session.scalars(
        select(Listing.id)
        .where(
            Listing.status.in_(rules.ACTIONS["expire"].sources),
            Listing.expires_on <= horizon,
        )
        .order_by(Listing.id)
    ).all()
    db.session.commit()
    done = [_sweep_one(listing_id, today) for listing_id in candidates]
    return {"expired": done.count("expired"), "noticed": done.count("noticed")}


def _sweep_one(listing_id: int, today: date) -> str | None:
    """Expire one listing or tell its owner, in a transaction of its own that first locks the
    row and reads it afresh: an owner who gives it a new date or re-opens it at the same moment
    either goes first, and the sweep decides on the new date, or waits and re-opens the expired
    listing (docs/architecture.md "Rules that must hold under concurrency"). What was done, or
    None."""
    listing = db.session.get(Listing, listing_id)  # only drafts are deleted: it is there
    with _one_transaction(listing):
        if listing.status not in rules.ACTIONS["expire"].sources:
            return None
        if rules.is_expired(listing.expires_on, today):
            _move(listing, None, "expire", today)
            return "expired"
        if rules.expiry_notice_due(
            listing.expires_on,
            today,
            status=listing.status,
            already_sent=listing.expiry_notice_sent_at is not None,
        ):
            listing.expiry_notice_sent_at = utcnow()
            _tell_expiring(listing)
            return "noticed"
    return None


def _tell_expiring(listing: Listing) -> None:
    """Tell the owner's members that the listing expires soon, as a notification they can turn
    off like the marketplace's others."""
    date_ = listing.expires_on.isoformat()
    notifications.notify(
        listing.organisation_id,
        "listing_expiry",
        {"title": listing.title, "date": date_},
        notifications.Link(listing.kind, {"listing_id": listing.id}),
        _l("Your listing expires soon"),
        [
            _l(
                'Your listing "%(title)s" is open until %(date)s. Change its date in '
                "My marketplace to keep it open longer.",
                title=listing.title,
                date=date_,
            )
        ],
    )
