"""Deals: the poster accepts one proposal on a demand, the buyer marks the deal delivered with the
supplier's invoice, and that invoice becomes an `invoice` realisation on the demand's contract,
submitted for the officer's approval, without re-typing (docs/domain.md "Proposals, deals and
reviews", "Purchase credit by supplier certification", "Realisations, approval and no double
counting").
After delivery both sides may review each other.

Choices where docs/domain.md is silent:
- Accepting is decided by the database: the demand's row is locked (`listings.lock`) and moves to
  `matched` only from `in_conversation`, so of two proposals accepted at once exactly one becomes
  a deal and the other request, which waited for the lock, gets 409. The other proposals under
  discussion are then declined and their suppliers told politely.
- The invoice realisation goes through `realisations.submit`, so every rule of a realisation holds
  for it as for one typed in (one invoice counts once per supplier KvK, the obligation must be due,
  audit, recompute). Its supplier name, KvK number and certification are read from the supplier's
  profile, the certification as it was on the invoice date (domain/certification.py).
- An invoice date lies on or before today: an invoice is entered once it exists.
- A deal without a contract is simply marked delivered: there is no contract to count for.
- A placement deal (a demand of type `placement`) with a contract is delivered without an
  invoice: it opens a realisation draft on the contract with the building block the buyer picks
  (a people block of the contract's policy) and the deal's period, for the contractor to complete
  with the pseudonymous candidate reference and the hours, and submit (issue 13). Its invoice, if
  any, is not what counts: the person's work is.
- Reviews are published without a job: each review's `published_at` is set when it is written to
  14 days later, and to now for both when the second side writes theirs. A review is public from
  its `published_at` on, so reading decides (and a frozen clock tests it).
- A public profile counts the organisation's delivered deals and their agreed value, on either
  side, without naming the demand or contract: those belong to the two parties only.
- The front page's figures of a year: the deals agreed in it (matches) and their agreed value,
  and the value of the approved realisations deals created in it (an invoice entered in January
  for a December deal counts in January, when the value was realised). Years are UTC years, as
  for the listings' figures (services/market_figures.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    BuildingBlock,
    Contract,
    Deal,
    Organisation,
    Proposal,
    Realisation,
    Review,
    User,
)
from marketplace.models._types import utcnow
from marketplace.models.deals import ACTIVE_PROPOSAL_STATES
from marketplace.services import (
    audit,
    certifications,
    evidence,
    listings,
    notifications,
    organisations,
    policies,
    proposals,
    realisations,
)
from marketplace.services.errors import Conflict, Forbidden, NotFound, ServiceError

REVIEW_DELAY = timedelta(days=14)
MAX_REVIEW = 2000
MAX_INVOICE_NUMBER = 60


@dataclass
class PlacementData:
    """What a placement's realisation draft starts with: the building block, and the period
    (the deal's, unless the buyer corrects it)."""

    block_code: str
    start_date: date | None
    end_date: date | None


@dataclass
class InvoiceData:
    """The supplier's invoice as the buyer enters it: amount excluding VAT, in cents."""

    invoice_number: str
    invoice_date: date
    amount_cents: int


def accept(
    proposal: Proposal, by: User, start_date: date | None = None, end_date: date | None = None
) -> Deal:
    """The demand's poster accepts one proposal: a deal is recorded, the demand is matched, the
    supplier is told, and the other suppliers under discussion are told politely that it was not
    theirs. A Conflict (409) when another proposal or decision was first."""
    if proposals.side_of(proposal, by) != "buyer":
        raise Forbidden(_("This action belongs to the other side of the proposal."))
    demand = proposal.listing
    start = start_date or clock.today()
    if end_date is not None and end_date < start:
        msg = _("The end date lies before the start date.")
        raise ServiceError(msg, {"end_date": msg})
    listings.lock(demand)  # a second accept waits here, then finds the demand matched
    if not listings.advance(demand, "match", by):
        db.session.rollback()
        raise Conflict(
            _("This demand is no longer open: a proposal was accepted already or it was closed."),
            code="demand_matched",
        )
    before = {"status": proposal.status}
    taken = db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.status.in_(ACTIVE_PROPOSAL_STATES))
        .values(status="accepted")
        .execution_options(synchronize_session="evaluate")
    )
    if taken.rowcount != 1:
        db.session.rollback()
        raise Conflict(
            _("This proposal is no longer open for that: someone decided on it first."),
            code="proposal_decided",
        )
    deal = Deal(
        proposal_id=proposal.id,
        buyer_id=demand.organisation_id,
        supplier_id=proposal.organisation_id,
        listing_id=demand.id,
        contract_id=demand.contract_id,
        agreed_amount_cents=proposal.amount_cents,
        start_date=start,
        end_date=end_date,
    )
    try:
        db.session.add(deal)
        db.session.flush()
        audit.record(
            "proposal.accepted", proposal, before=before, after={"status": "accepted"}, actor=by
        )
        audit.record("deal.agreed", deal, after=_snapshot(deal), actor=by)
        _decline_the_others(proposal, by)
        notifications.notify(
            deal.supplier_id,
            "proposal_accepted",
            {"title": demand.title},
            _page(deal),
            _l("Your proposal for %(title)s was accepted", title=demand.title),
            [
                _l(
                    "%(buyer)s accepted your proposal for %(title)s. The deal is recorded.",
                    buyer=demand.organisation.name,
                    title=demand.title,
                )
            ],
        )
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(_("This proposal was accepted already."), code="proposal_decided") from exc
    return deal


def _decline_the_others(accepted: Proposal, by: User) -> None:
    others = list(
        db.session.scalars(
            select(Proposal).where(
                Proposal.listing_id == accepted.listing_id,
                Proposal.id != accepted.id,
                Proposal.status.in_(ACTIVE_PROPOSAL_STATES),
            )
        )
    )
    for other in others:
        before = {"status": other.status}
        other.status = "declined"
        audit.record(
            "proposal.declined", other, before=before, after={"status": "declined"}, actor=by
        )
    for other in others:
        proposals.tell_declined(other)


def deal_for_party(deal_id: int, user: User) -> tuple[Deal, str]:
    """The deal and the user's side ("buyer" or "supplier"); NotFound for anyone else."""
    deal = db.session.get(Deal, deal_id)
    side = _side_of(deal, user) if deal is not None else None
    if deal is None or side is None:
        raise NotFound()
    return deal, side


def _side_of(deal: Deal, user: User) -> str | None:
    if organisations.role_of(user, deal.buyer) is not None:
        return "buyer"
    if organisations.role_of(user, deal.supplier) is not None:
        return "supplier"
    return None


def _check_invoice(data: InvoiceData, today: date) -> InvoiceData:
    fields = {}
    number = (data.invoice_number or "").strip()
    if not number:
        fields["invoice_number"] = _("Enter the invoice number.")
    elif len(number) > MAX_INVOICE_NUMBER:
        fields["invoice_number"] = _("At most %(n)d characters.", n=MAX_INVOICE_NUMBER)
    if data.invoice_date is None:
        fields["invoice_date"] = _("Enter the invoice date.")
    elif data.invoice_date > today:
        fields["invoice_date"] = _("The invoice date cannot lie in the future.")
    if data.amount_cents is None or data.amount_cents <= 0:
        fields["amount_cents"] = _("Enter the invoice amount excluding VAT.")
    if fields:
        raise ServiceError(_("Some fields are not valid."), fields)
    return InvoiceData(number, data.invoice_date, data.amount_cents)


def invoice_block(contract: Contract) -> BuildingBlock:
    """The contract's policy block that values purchases (realisations.invoice_blocks)."""
    block = realisations.invoice_blocks({contract.policy_id}).get(contract.policy_id)
    if block is None:
        msg = _("The policy of this contract has no building block for purchases.")
        raise ServiceError(msg, {"invoice_number": msg}, code="no_invoice_block")
    return block


def is_placement(deal: Deal) -> bool:
    """A placement deal on a contract: delivered as a realisation draft, not an invoice."""
    return deal.listing.type == "placement" and deal.contract is not None


def placement_blocks(deal: Deal) -> list[BuildingBlock]:
    """The building blocks a placement on the deal's contract can count under: the people
    blocks of its policy (per FTE-year, month or hour), in the value table's order."""
    if deal.contract is None:
        return []
    return [b for b in deal.contract.policy.blocks if b.unit in realisations.PEOPLE_UNITS]


def deliver_placement(deal: Deal, data: PlacementData, by: User) -> Deal:
    """The buyer marks a placement deal delivered: a realisation draft opens on the deal's
    contract with the block and period, linked to the deal, for the contractor to complete with
    the candidate reference and submit (module docstring). The supplier is told. All or
    nothing; a second delivery is a Conflict."""
    if _side_of(deal, by) != "buyer":
        raise Forbidden(_("Only the buyer marks a deal delivered."))
    if not is_placement(deal):
        raise ServiceError(_("This deal is delivered with its invoice."), code="not_placement")
    if data.block_code not in {b.code for b in placement_blocks(deal)}:
        msg = _("Choose a building block for people from the contract's value table.")
        raise ServiceError(msg, {"block_code": msg}, code="unknown_block")
    draft = realisations.RealisationData(
        block_code=data.block_code,
        start_date=data.start_date,
        end_date=data.end_date,
        description=_(
            "Placement through the marketplace: %(title)s, with %(supplier)s",
            title=deal.listing.title,
            supplier=deal.supplier.name,
        ),
    )
    # Checked before the deal moves, so a refused period leaves the deal as it was.
    realisations.check_input(deal.contract, draft, realisations.DRAFT)
    _claim_delivery(deal)
    deal.delivered_at = utcnow()

    def link(realisation: Realisation) -> None:
        deal.realisation_id = realisation.id
        _delivered(deal, by)

    try:
        realisations.submit(deal.contract, draft, by, draft=True, on_saved=link)
    except Exception:
        db.session.rollback()
        raise
    return deal


def _claim_delivery(deal: Deal) -> None:
    """agreed → delivered in one conditional UPDATE: of two deliveries at once one wins."""
    claimed = db.session.execute(
        update(Deal)
        .where(Deal.id == deal.id, Deal.status == "agreed")
        .values(status="delivered")
        .execution_options(synchronize_session="evaluate")
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise Conflict(_("This deal has been marked delivered already."), code="deal_delivered")


def deliver(
    deal: Deal, data: InvoiceData, by: User, invoice_file: evidence.Upload | None = None
) -> Deal:
    """The buyer marks the deal delivered with the supplier's invoice. On a deal with a contract
    the invoice becomes an `invoice` realisation, submitted for the officer's approval, in the
    same transaction; the supplier is told. All or nothing. A placement deal on a contract is
    delivered with `deliver_placement` instead."""
    if _side_of(deal, by) != "buyer":
        raise Forbidden(_("Only the buyer marks a deal delivered."))
    if is_placement(deal):
        raise ServiceError(
            _("A placement is delivered as a realisation draft, not with an invoice."),
            code="placement_deal",
        )
    clean = _check_invoice(data, clock.today())
    mime = None
    if invoice_file is not None:
        try:
            mime = evidence.check(invoice_file)
        except ServiceError as exc:
            raise ServiceError(exc.message, {"invoice_file": exc.message}, code=exc.code) from exc
    _claim_delivery(deal)
    deal.invoice_number = clean.invoice_number
    deal.invoice_date = clean.invoice_date
    deal.invoice_amount_cents = clean.amount_cents
    deal.delivered_at = utcnow()
    if invoice_file is not None and mime is not None:
        _attach_invoice(deal, invoice_file, mime)
    written = deal.invoice_file_stored_name
    try:
        if deal.contract is None:
            _delivered(deal, by)
            db.session.commit()
        else:
            _submit_invoice(deal, clean, by, invoice_file)
    except Exception:
        db.session.rollback()
        if written:
            (evidence.folder() / written).unlink(missing_ok=True)
        raise
    return deal


def _submit_invoice(
    deal: Deal, invoice: InvoiceData, by: User, invoice_file: evidence.Upload | None
) -> Realisation:
    """The invoice as a realisation on the deal's contract, through the realisations service
    (which commits, together with the deal's own changes)."""
    contract = deal.contract
    block = invoice_block(contract)
    supplier = deal.supplier
    data = realisations.RealisationData(
        block_code=block.code,
        invoice_excl_vat_cents=invoice.amount_cents,
        invoice_number=invoice.invoice_number,
        supplier_name=supplier.name,
        supplier_kvk=supplier.kvk_number,
        supplier_certification=certifications.certification_of(
            supplier, invoice.invoice_date, policies.block_rules(block)
        ),
        description=_(
            "Purchase through the marketplace: %(title)s (invoice of %(date)s)",
            title=deal.listing.title,
            date=format_date(invoice.invoice_date),
        ),
    )

    def link(realisation: Realisation) -> None:
        deal.realisation_id = realisation.id
        _delivered(deal, by)

    uploads = [invoice_file] if invoice_file is not None else []
    return realisations.submit(contract, data, by, uploads, on_saved=link)


def _delivered(deal: Deal, by: User) -> None:
    audit.record(
        "deal.delivered", deal, before={"status": "agreed"}, after=_snapshot(deal), actor=by
    )
    paragraph = (
        _l(
            "%(buyer)s marked the deal for %(title)s delivered and entered your invoice "
            "%(number)s. You can now review each other.",
            buyer=deal.buyer.name,
            title=deal.listing.title,
            number=deal.invoice_number,
        )
        if deal.invoice_number
        else _l(
            "%(buyer)s marked the deal for %(title)s delivered. You can now review each other.",
            buyer=deal.buyer.name,
            title=deal.listing.title,
        )
    )
    notifications.notify(
        deal.supplier_id,
        "deal_update",
        {"title": deal.listing.title},
        _page(deal),
        _l("Deal delivered: %(title)s", title=deal.listing.title),
        [paragraph],
    )


def _attach_invoice(deal: Deal, upload: evidence.Upload, mime: str) -> None:
    deal.invoice_file_stored_name = evidence.write(upload, mime)
    deal.invoice_file_name = evidence.display_name(upload.filename, mime)
    deal.invoice_file_content_type = mime
    deal.invoice_file_sha256 = hashlib.sha256(upload.content).hexdigest()


def invoice_file_of(deal_id: int, user: User) -> tuple[Deal, Path]:
    """The deal and its invoice file, for one of its two sides; NotFound otherwise."""
    deal, _side = deal_for_party(deal_id, user)
    if not deal.invoice_file_stored_name:
        raise NotFound()
    return deal, evidence.folder() / deal.invoice_file_stored_name


def review(deal: Deal, rating: int, text: str, by: User) -> Review:
    """One review per side of a delivered deal. Neither sees the other's before both are
    published: together when both exist, else 14 days after the first (module docstring)."""
    side = _side_of(deal, by)
    if side is None:
        raise NotFound()
    if deal.status != "delivered":
        raise ServiceError(
            _("You can review a deal once it has been delivered."), code="not_delivered"
        )
    fields = {}
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        fields["rating"] = _("Give 1 to 5 stars.")
    body = (text or "").strip()
    if not body:
        fields["text"] = _("Write a few words about the cooperation.")
    elif len(body) > MAX_REVIEW:
        fields["text"] = _("At most %(n)d characters.", n=MAX_REVIEW)
    if fields:
        raise ServiceError(_("Some fields are not valid."), fields)
    author = deal.buyer_id if side == "buyer" else deal.supplier_id
    now = utcnow()
    row = Review(
        deal_id=deal.id,
        author_id=author,
        written_by_id=by.id,
        rating=rating,
        text=body,
        created_at=now,
        published_at=now + REVIEW_DELAY,
    )
    try:
        db.session.add(row)
        db.session.flush()
        for other in deal.reviews:
            if other.id != row.id:
                other.published_at = row.published_at = min(other.published_at, now)
        audit.record("deal.reviewed", deal, after={"author_id": author, "rating": rating}, actor=by)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(
            _("Your organisation has reviewed this deal already."), code="already_reviewed"
        ) from exc
    return row


def visible_reviews(deal: Deal, side: str, now: datetime) -> tuple[list[Review], bool]:
    """The deal's published reviews, and the side's own one even before publication; and
    whether the side has written its review already."""
    own = deal.buyer_id if side == "buyer" else deal.supplier_id
    shown = [r for r in deal.reviews if r.published_at <= now or r.author_id == own]
    return shown, any(r.author_id == own for r in shown)


def published_reviews_of(org: Organisation, now: datetime) -> list[Review]:
    """Published reviews about the organisation (as buyer or supplier), newest first."""
    return list(
        db.session.scalars(
            select(Review)
            .join(Deal, Deal.id == Review.deal_id)
            .where(
                or_(Deal.buyer_id == org.id, Deal.supplier_id == org.id),
                Review.author_id != org.id,
                Review.published_at <= now,
            )
            .order_by(Review.published_at.desc())
        )
    )


@dataclass(frozen=True)
class DealRecord:
    """What an organisation's public profile shows of its deals (module docstring)."""

    delivered: int
    delivered_value_cents: int
    reviews: list[Review]


def record_of(org: Organisation, now: datetime) -> DealRecord:
    """The organisation's delivered deals (count and agreed value) and its published reviews."""
    delivered, value = db.session.execute(
        select(func.count(Deal.id), func.coalesce(func.sum(Deal.agreed_amount_cents), 0)).where(
            or_(Deal.buyer_id == org.id, Deal.supplier_id == org.id), Deal.status == "delivered"
        )
    ).one()
    return DealRecord(delivered, value, published_reviews_of(org, now))


@dataclass(frozen=True)
class YearFigures:
    """A year's deals on the front page: how many were agreed, their agreed value, and the SROI
    value their realisations created that year had once approved (module docstring)."""

    matches: int
    value_cents: int
    realised_cents: int


def year_figures(year: int) -> YearFigures:
    """The deal figures of `year`, in one statement whatever the number of deals."""
    start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    agreed = (Deal.created_at >= start) & (Deal.created_at < end)
    realised = (
        (Realisation.state == "approved")
        & (Realisation.created_at >= start)
        & (Realisation.created_at < end)
    )
    matches, value, realised_cents = db.session.execute(
        select(
            func.count(case((agreed, Deal.id))),
            func.coalesce(func.sum(case((agreed, Deal.agreed_amount_cents))), 0),
            func.coalesce(func.sum(case((realised, Realisation.value_cents))), 0),
        )
        .select_from(Deal)
        .outerjoin(Realisation, Realisation.id == Deal.realisation_id)
        .where(or_(agreed, realised))
    ).one()
    return YearFigures(matches, value, realised_cents)


def deals_of(org: Organisation, limit: int = 20) -> list[Deal]:
    """The organisation's latest deals on either side, newest first, with their demand, parties
    and realisation in the same query."""
    return list(
        db.session.scalars(
            select(Deal)
            .where(or_(Deal.buyer_id == org.id, Deal.supplier_id == org.id))
            .options(
                joinedload(Deal.listing),
                joinedload(Deal.buyer),
                joinedload(Deal.supplier),
                joinedload(Deal.realisation),
            )
            .order_by(Deal.id.desc())
            .limit(limit)
        )
    )


def of_proposal(proposal: Proposal) -> Deal | None:
    return db.session.scalar(select(Deal).where(Deal.proposal_id == proposal.id))


def _page(deal: Deal) -> notifications.Link:
    """The deal's page, where a notification about it leads."""
    return notifications.Link("deal", {"deal_id": deal.id})


def _snapshot(deal: Deal) -> dict:
    return {
        "status": deal.status,
        "proposal_id": deal.proposal_id,
        "contract_id": deal.contract_id,
        "agreed_amount_cents": deal.agreed_amount_cents,
        "invoice_number": deal.invoice_number,
        "invoice_amount_cents": deal.invoice_amount_cents,
        "realisation_id": deal.realisation_id,
    }
