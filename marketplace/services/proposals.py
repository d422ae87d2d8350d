"""Proposals: a social supplier answers an open demand, and the two sides talk in a thread on it
until the poster accepts it (services/deals.py), asks for a revised offer or declines it
(docs/domain.md "Proposals, deals and reviews").

Choices where docs/domain.md is silent:
- Only a verified social enterprise or werkbedrijf proposes: buying from anyone else earns no
  purchase credit, and an unverified organisation could pose as a real one.
- One proposal under discussion (open or revision requested) per supplier per demand, held by a
  partial unique index; a declined or withdrawn one leaves room for a new one.
- Only the demand's poster and the supplier see a proposal, its thread and its attachment: anyone
  else gets 404, as for an id that does not exist. Within the two sides, acting for the other
  side (the supplier declining its own proposal) is 403.
- A demand is `in_conversation` from its first proposal on; the demand's poster is told of each
  proposal, message and revision, the supplier of each message, revision request and decision.
- A revised offer replaces the amount, volume and message of the same proposal (the thread keeps
  the conversation), and opens it again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from marketplace.extensions import db
from marketplace.models import (
    Listing,
    Organisation,
    Proposal,
    ProposalMessage,
    User,
)
from marketplace.models.deals import ACTIVE_PROPOSAL_INDEX, ACTIVE_PROPOSAL_STATES
from marketplace.services import audit, evidence, listings, notifications, organisations
from marketplace.services.errors import Conflict, Forbidden, NotFound, ServiceError

SUPPLIER_KINDS = ("social_enterprise", "werkbedrijf")
# Demand states in which a supplier may still propose.
OPEN_DEMAND = ("open", "in_conversation")
MAX_MESSAGE = 5000
MAX_VOLUME = 80


@dataclass(frozen=True)
class ProposalPanel:
    """What a demand's page shows about proposals to one user: the proposals they see, whether
    they see all (the poster), whether their organisation may propose, and if not, why."""

    proposals: list[Proposal]
    is_poster: bool
    can_propose: bool
    why_not: str = ""


@dataclass
class ProposalData:
    """What a supplier offers: a message, and a price (cents, excl. VAT) and/or a volume."""

    message: str
    amount_cents: int | None = None
    volume: str = ""
    offering_id: int | None = None


def side_of(proposal: Proposal, user: User) -> str | None:
    """ "buyer" (a member of the demand's poster), "supplier" (of the proposing organisation) or
    None for anyone else."""
    if organisations.role_of(user, proposal.listing.organisation) is not None:
        return "buyer"
    if organisations.role_of(user, proposal.organisation) is not None:
        return "supplier"
    return None


def proposal_for_party(proposal_id: int, user: User) -> tuple[Proposal, str]:
    """The proposal and the user's side of it; NotFound for anyone who is not on one side."""
    proposal = db.session.get(Proposal, proposal_id)
    side = side_of(proposal, user) if proposal is not None else None
    if proposal is None or side is None:
        raise NotFound()
    return proposal, side


def _require_side(proposal: Proposal, user: User, side: str) -> None:
    if side_of(proposal, user) != side:
        raise Forbidden(_("This action belongs to the other side of the proposal."))


def _check(data: ProposalData, supplier: Organisation) -> ProposalData:
    """The offer's fields, cleaned, or a ServiceError naming each bad one."""
    fields = {}
    message = (data.message or "").strip()
    volume = (data.volume or "").strip()
    if not message:
        fields["message"] = _("Write a short message with your offer.")
    elif len(message) > MAX_MESSAGE:
        fields["message"] = _("At most %(n)d characters.", n=MAX_MESSAGE)
    if len(volume) > MAX_VOLUME:
        fields["volume"] = _("At most %(n)d characters.", n=MAX_VOLUME)
    if data.amount_cents is not None and data.amount_cents < 0:
        fields["amount_cents"] = _("An amount cannot be negative.")
    if data.amount_cents is None and not volume:
        fields["amount_cents"] = _("Give a price or a volume.")
    if data.offering_id is not None:
        offering = db.session.get(Listing, data.offering_id)
        if (
            offering is None
            or offering.organisation_id != supplier.id
            or offering.kind != "offering"
        ):
            fields["offering_id"] = _("Choose one of your own offerings.")
    if fields:
        raise ServiceError(_("Some fields are not valid."), fields)
    return ProposalData(message, data.amount_cents, volume, data.offering_id)


def _checked_attachment(upload: evidence.Upload | None) -> str | None:
    """The attachment's content type after the evidence checks (type by content, size)."""
    if upload is None:
        return None
    try:
        return evidence.check(upload)
    except ServiceError as exc:
        raise ServiceError(exc.message, {"attachment": exc.message}, code=exc.code) from exc


def supplier_for(orgs: Collection[Organisation], organisation_id: int | None) -> Organisation:
    """The social supplier a user proposes for, of `orgs`, the user's organisations:
    `organisation_id` when given (one of them, else 404), otherwise the user's only social
    enterprise or werkbedrijf; a field message when the user has several, Forbidden when none."""
    if organisation_id is not None:
        chosen = next((o for o in orgs if o.id == organisation_id), None)
        if chosen is None:
            raise NotFound()
        return chosen
    mine = [o for o in orgs if o.kind in SUPPLIER_KINDS]
    if not mine:
        raise Forbidden(
            _("Only verified social enterprises and werkbedrijven can make a proposal."),
            code="not_a_social_supplier",
        )
    if len(mine) > 1:
        msg = _("You belong to several organisations: say which one proposes.")
        raise ServiceError(msg, {"organisation_id": msg}, code="organisation_required")
    return mine[0]


def open_demand(listing_id: int, user: User, member_of: Collection[int] | None = None) -> Listing:
    """The demand a supplier answers: one the user may see (listings.visible_listing; `member_of`
    as there)."""
    return listings.visible_listing(listing_id, user, "demand", member_of)


def propose(
    demand: Listing,
    supplier: Organisation | None,
    data: ProposalData,
    by: User,
    attachment: evidence.Upload | None = None,
) -> Proposal:
    """A verified social supplier answers an open demand; the poster is told."""
    if supplier is None:
        raise Forbidden(_("Choose the organisation you act for."), code="no_organisation")
    organisations.require_role(by, supplier)
    if demand.kind != "demand":
        raise NotFound()
    listings.lock(demand)  # an accept at the same moment declines this proposal or refuses it
    if demand.status not in OPEN_DEMAND:
        raise Conflict(_("This demand no longer takes proposals."), code="demand_closed")
    if supplier.kind not in SUPPLIER_KINDS or not supplier.is_verified:
        raise Forbidden(
            _("Only verified social enterprises and werkbedrijven can make a proposal."),
            code="not_a_social_supplier",
        )
    if supplier.id == demand.organisation_id:
        raise Forbidden(_("You cannot answer your own demand."), code="own_demand")
    clean = _check(data, supplier)
    mime = _checked_attachment(attachment)
    proposal = Proposal(
        listing_id=demand.id,
        organisation_id=supplier.id,
        created_by_id=by.id,
        message=clean.message,
        amount_cents=clean.amount_cents,
        volume=clean.volume,
        offering_id=clean.offering_id,
    )
    if attachment is not None and mime is not None:
        _attach(proposal, attachment, mime)
    try:
        db.session.add(proposal)
        db.session.flush()
        listings.advance(demand, "start_conversation", by)
        audit.record("proposal.created", proposal, after=_snapshot(proposal), actor=by)
        notifications.notify(
            demand.organisation_id,
            "proposal_received",
            {"title": demand.title, "organisation": supplier.name},
            _thread(proposal),
            _l("New proposal for %(title)s", title=demand.title),
            [
                _l(
                    "%(supplier)s made a proposal for your demand %(title)s.",
                    supplier=supplier.name,
                    title=demand.title,
                )
            ],
        )
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        _discard(proposal)
        if ACTIVE_PROPOSAL_INDEX in str(exc.orig) or "proposals.listing_id" in str(exc.orig):
            raise Conflict(
                _("Your organisation already has a proposal under discussion for this demand."),
                code="proposal_exists",
            ) from exc
        raise
    except Exception:
        db.session.rollback()
        _discard(proposal)
        raise
    return proposal


def _attach(proposal: Proposal, upload: evidence.Upload, mime: str) -> None:
    proposal.attachment_stored_name = evidence.write(upload, mime)
    proposal.attachment_name = evidence.display_name(upload.filename, mime)
    proposal.attachment_content_type = mime
    proposal.attachment_sha256 = hashlib.sha256(upload.content).hexdigest()


def _discard(proposal: Proposal) -> None:
    """Remove the attachment written for a proposal that was not saved."""
    if proposal.attachment_stored_name:
        (evidence.folder() / proposal.attachment_stored_name).unlink(missing_ok=True)


def attachment_of(proposal_id: int, user: User) -> tuple[Proposal, Path]:
    """The proposal's attachment for one of its two sides; NotFound otherwise."""
    proposal, _side = proposal_for_party(proposal_id, user)
    if not proposal.attachment_stored_name:
        raise NotFound()
    return proposal, evidence.folder() / proposal.attachment_stored_name


def post_message(proposal: Proposal, body: str, by: User) -> ProposalMessage:
    """Add a message to the thread; the other side is told."""
    side = side_of(proposal, by)
    if side is None:
        raise NotFound()
    text = (body or "").strip()
    if not text or len(text) > MAX_MESSAGE:
        msg = _("Write a message.") if not text else _("At most %(n)d characters.", n=MAX_MESSAGE)
        raise ServiceError(msg, {"body": msg})
    org_id = proposal.listing.organisation_id if side == "buyer" else proposal.organisation_id
    message = ProposalMessage(
        proposal_id=proposal.id, author_id=by.id, organisation_id=org_id, body=text
    )
    db.session.add(message)
    db.session.flush()
    audit.record("proposal.message", proposal, after={"message_id": message.id}, actor=by)
    notifications.notify(
        _other_side(proposal, side),
        "proposal_message",
        {"title": proposal.listing.title, "organisation": message.organisation.name},
        _thread(proposal),
        _l("New message about %(title)s", title=proposal.listing.title),
        [
            _l(
                "%(who)s wrote about the proposal for %(title)s:",
                who=message.organisation.name,
                title=proposal.listing.title,
            ),
            text,
        ],
    )
    db.session.commit()
    return message


def request_revision(proposal: Proposal, note: str, by: User) -> Proposal:
    """The poster asks the supplier for a revised offer, saying what should change (again, if
    the first answer was not it yet)."""
    _require_side(proposal, by, "buyer")
    text = (note or "").strip()
    if not text or len(text) > MAX_MESSAGE:
        msg = _("Say what should change in the offer.")
        raise ServiceError(msg, {"note": msg})
    _move(proposal, ACTIVE_PROPOSAL_STATES, "revision_requested", by)
    db.session.add(
        ProposalMessage(
            proposal_id=proposal.id,
            author_id=by.id,
            organisation_id=proposal.listing.organisation_id,
            body=text,
        )
    )
    notifications.notify(
        proposal.organisation_id,
        "proposal_revision",
        {"title": proposal.listing.title, "organisation": proposal.listing.organisation.name},
        _thread(proposal),
        _l("Revised offer requested for %(title)s", title=proposal.listing.title),
        [
            _l(
                "%(buyer)s asks you to revise your proposal for %(title)s:",
                buyer=proposal.listing.organisation.name,
                title=proposal.listing.title,
            ),
            text,
        ],
    )
    db.session.commit()
    return proposal


def revise(proposal: Proposal, data: ProposalData, by: User) -> Proposal:
    """The supplier answers a revision request with a new offer; the proposal is open again."""
    _require_side(proposal, by, "supplier")
    clean = _check(data, proposal.organisation)
    before = _snapshot(proposal)
    _move(proposal, ("revision_requested",), "open", by, audit_it=False)
    proposal.message, proposal.amount_cents = clean.message, clean.amount_cents
    proposal.volume, proposal.offering_id = clean.volume, clean.offering_id
    audit.record("proposal.revised", proposal, before=before, after=_snapshot(proposal), actor=by)
    notifications.notify(
        proposal.listing.organisation_id,
        "proposal_received",
        {
            "title": proposal.listing.title,
            "organisation": proposal.organisation.name,
            "revised": True,
        },
        _thread(proposal),
        _l("Revised proposal for %(title)s", title=proposal.listing.title),
        [
            _l(
                "%(supplier)s revised its proposal for %(title)s.",
                supplier=proposal.organisation.name,
                title=proposal.listing.title,
            )
        ],
    )
    db.session.commit()
    return proposal


def decline(proposal: Proposal, by: User) -> Proposal:
    """The poster declines the proposal; the supplier is told, politely."""
    _require_side(proposal, by, "buyer")
    _move(proposal, ACTIVE_PROPOSAL_STATES, "declined", by)
    tell_declined(proposal)
    db.session.commit()
    return proposal


def withdraw(proposal: Proposal, by: User) -> Proposal:
    """The supplier withdraws its own proposal; the poster is told."""
    _require_side(proposal, by, "supplier")
    _move(proposal, ACTIVE_PROPOSAL_STATES, "withdrawn", by)
    notifications.notify(
        proposal.listing.organisation_id,
        "proposal_withdrawn",
        {"title": proposal.listing.title, "organisation": proposal.organisation.name},
        _thread(proposal),
        _l("Proposal withdrawn for %(title)s", title=proposal.listing.title),
        [
            _l(
                "%(supplier)s withdrew its proposal for %(title)s.",
                supplier=proposal.organisation.name,
                title=proposal.listing.title,
            )
        ],
    )
    db.session.commit()
    return proposal


def tell_declined(proposal: Proposal) -> None:
    """Tell the supplier, politely, that its proposal was not chosen (declined, or another one
    accepted)."""
    title = proposal.listing.title
    notifications.notify(
        proposal.organisation_id,
        "proposal_declined",
        {"title": title},
        _thread(proposal),
        _l("Your proposal for %(title)s", title=title),
        [
            _l(
                "Thank you for your proposal for %(title)s. %(buyer)s has decided not to go "
                "ahead with it this time. We hope to see you again on the marketplace.",
                title=title,
                buyer=proposal.listing.organisation.name,
            )
        ],
    )


def _move(
    proposal: Proposal, from_states: tuple[str, ...], to: str, by: User, *, audit_it: bool = True
) -> None:
    """Change the proposal's status in one conditional UPDATE, so of two decisions at once only
    one applies; a Conflict for the other, and for a proposal in another state."""
    before = _snapshot(proposal)
    result = db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.status.in_(from_states))
        .values(status=to)
        .execution_options(synchronize_session="evaluate")
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict(
            _("This proposal is no longer open for that: someone decided on it first."),
            code="proposal_decided",
        )
    if audit_it:
        audit.record("proposal." + to, proposal, before=before, after=_snapshot(proposal), actor=by)


def _other_side(proposal: Proposal, side: str) -> int:
    return proposal.organisation_id if side == "buyer" else proposal.listing.organisation_id


def _thread(proposal: Proposal) -> notifications.Link:
    """The proposal's thread, where a notification about it leads."""
    return notifications.Link("proposal", {"proposal_id": proposal.id})


def _snapshot(p: Proposal) -> dict:
    return {
        "status": p.status,
        "amount_cents": p.amount_cents,
        "volume": p.volume,
        "listing_id": p.listing_id,
        "organisation_id": p.organisation_id,
    }


def of_demand(demand: Listing, member_of: Collection[int]) -> list[Proposal]:
    """The demand's proposals a user in organisations `member_of` sees: all of them for the
    poster's members, their own organisations' for a supplier, none for anyone else."""
    q = (
        select(Proposal)
        .where(Proposal.listing_id == demand.id)
        .options(joinedload(Proposal.organisation))
        .order_by(Proposal.id)
    )
    if demand.organisation_id not in member_of:
        q = q.where(Proposal.organisation_id.in_(list(member_of) or [0]))
    return list(db.session.scalars(q))


def panel_for(
    demand: Listing, user: User, org: Organisation | None, member_of: Collection[int]
) -> ProposalPanel:
    """The proposals part of a demand's page for `user` acting for `org` (the current one);
    `member_of`: the ids of the user's organisations, which the page has already loaded."""
    is_poster = demand.organisation_id in member_of
    seen = of_demand(demand, member_of) if user.is_authenticated else []
    if is_poster or demand.status not in OPEN_DEMAND:
        return ProposalPanel(seen, is_poster, can_propose=False)
    why_not = _why_not(org, seen)
    return ProposalPanel(seen, is_poster, can_propose=not why_not, why_not=why_not)


def _why_not(org: Organisation | None, seen: list[Proposal]) -> str:
    """Why `org` cannot propose on an open demand of another organisation ("" if it can)."""
    if org is None or org.kind not in SUPPLIER_KINDS:
        return _("Social enterprises and werkbedrijven can make a proposal on this demand.")
    if not org.is_verified:
        return _("Your organisation can make proposals once the platform has verified it.")
    if any(p.organisation_id == org.id and p.status in ACTIVE_PROPOSAL_STATES for p in seen):
        return _("Your organisation has a proposal under discussion for this demand.")
    return ""


def incoming(org: Organisation, limit: int = 20) -> list[Proposal]:
    """The latest proposals on the organisation's demand, newest first, with their demand and
    supplier in the same query (a page lists them in a bounded number of queries)."""
    return _listed(
        select(Proposal)
        .join(Listing, Listing.id == Proposal.listing_id)
        .where(Listing.organisation_id == org.id),
        limit,
    )


def outgoing(org: Organisation, limit: int = 20) -> list[Proposal]:
    """The organisation's latest own proposals, newest first (as `incoming`)."""
    return _listed(select(Proposal).where(Proposal.organisation_id == org.id), limit)


def _listed(q, limit: int) -> list[Proposal]:
    return list(
        db.session.scalars(
            q.options(
                joinedload(Proposal.listing).joinedload(Listing.organisation),
                joinedload(Proposal.organisation),
            )
            .order_by(Proposal.updated_at.desc(), Proposal.id.desc())
            .limit(limit)
        )
    )
