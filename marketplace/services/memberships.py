"""Network memberships: an organisation applies with a plan, the network admin accepts or rejects
it, the accepted member is invoiced and becomes active once the invoice is paid (docs/domain.md
"Memberships", "Membership states").

Every decision is one conditional UPDATE on the membership's state, so two admins deciding at
once, or a double click, decide once; the loser gets a Conflict. Payment without Stripe is a
manual invoice (services/invoices.py) that the admin marks paid."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from marketplace.domain import membership as rules
from marketplace.domain.invoicing import Period, first_period
from marketplace.extensions import db
from marketplace.labels import membership_status_label
from marketplace.models import Invoice, Membership, Organisation, Plan, User
from marketplace.models._types import utcnow
from marketplace.services import (
    audit,
    invoices,
    membership_status,
    notify,
    organisations,
    plans,
    stripe_billing,
    stripe_client,
)
from marketplace.services.errors import Conflict, MembershipBlocked, NotFound, ServiceError

# The states that still hold a place in a network (one per organisation and network).
OPEN_STATUSES = ("pending", "active", "past_due", "suspended")
REASON_MAX = 1000


def apply(org: Organisation, plan_id: int | None, by: User) -> Membership:
    """An owner of `org` applies for a network's active plan; the network's admins are told.
    Refused when the organisation already has an open membership of that network. Commits."""
    organisations.require_role(by, org, "owner")
    plan = db.session.get(Plan, plan_id) if plan_id is not None else None
    if plan is None or not plan.active or plan.network.kind != "network":
        msg = _("Choose one of the network's plans.")
        raise ServiceError(msg, {"plan_id": msg})
    if plan.network_id == org.id:
        raise ServiceError(_("A network cannot be a member of itself."), code="own_network")
    if open_membership(org, plan.network) is not None:
        raise Conflict(
            _("Your organisation already applied to or is a member of this network."),
            code="already_member",
        )
    membership = Membership(
        network_id=plan.network_id, organisation_id=org.id, plan=plan, applied_by_id=by.id
    )
    db.session.add(membership)
    db.session.flush()
    audit.record("membership.applied", membership, after={"plan": plan.name}, actor=by)
    notify.organisation(
        plan.network_id,
        _l("%(org)s applies for membership", org=org.name),
        _l(
            "%(org)s applies for membership of %(network)s with plan %(plan)s. Accept or "
            "reject the application on the network's applications page.",
            org=org.name,
            network=plan.network.name,
            plan=plan.name,
        ),
    )
    db.session.commit()
    return membership


def network_for_admin(slug: str, by: User) -> Organisation:
    """The network whose admin pages `by` may open; NotFound for anyone but its owners (and
    for an organisation that is not a network), as if the pages did not exist."""
    network = organisations.by_slug(slug)
    if network.kind != "network" or organisations.role_of(by, network) != "owner":
        raise NotFound()
    return network


def public_network(slug: str) -> Organisation:
    """A network's public page: any network organisation, NotFound for other kinds."""
    network = organisations.by_slug(slug)
    if network.kind != "network":
        raise NotFound()
    return network


def open_membership(org: Organisation, network: Organisation) -> Membership | None:
    """The organisation's membership of the network that still holds a place, if any."""
    return db.session.scalar(
        select(Membership).where(
            Membership.organisation_id == org.id,
            Membership.network_id == network.id,
            Membership.status.in_(OPEN_STATUSES),
        )
    )


def get_for_admin(membership_id: int, by: User) -> Membership:
    """A membership its network's admin may manage; NotFound for anyone else."""
    membership = db.session.get(Membership, membership_id)
    if membership is None or organisations.role_of(by, membership.network) != "owner":
        raise NotFound()
    return membership


def _decide(membership: Membership, by: User, **values: object) -> None:
    """Record the decision on an undecided application, once (Conflict for the second)."""
    decided = db.session.execute(
        update(Membership)
        .where(
            Membership.id == membership.id,
            Membership.status == "pending",
            Membership.accepted_at.is_(None),
            Membership.rejected_at.is_(None),
        )
        .values(decided_by_id=by.id, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if decided != 1:
        db.session.rollback()
        raise Conflict(_("This application has already been decided."), code="decided")
    db.session.refresh(membership)


def accept(membership_id: int, by: User, today: date) -> Membership:
    """Accept an application: the membership's first period starts today and its first invoice
    is issued (a plan without a fee makes it active at once). With Stripe configured no manual
    invoice is issued: the member pays through Stripe from the membership page
    (services/stripe_billing.py), and Stripe's invoice is the invoice. The applicant is told.
    Nothing is saved when the network cannot invoice yet. Commits."""
    membership = get_for_admin(membership_id, by)
    _decide(membership, by, accepted_at=utcnow())
    plan = membership.plan
    period = first_period(plan.billing_rule, today)
    membership.joined_on = today
    membership.current_period_start, membership.current_period_end = period.start, period.end
    free = plan.yearly_fee_cents == 0
    by_stripe = not free and stripe_client.configured()
    try:
        invoice = (
            None
            if free or by_stripe
            else invoices.add_membership_invoice(membership, period, today, by)
        )
    except ServiceError:
        db.session.rollback()
        raise
    if free:
        membership.status = rules.transition(membership.status, "pay")
    audit.record(
        "membership.accepted",
        membership,
        after={"status": membership.status, "invoice": invoice.number if invoice else None},
        actor=by,
    )
    network = membership.network.name
    if free:
        body = _l(
            "%(network)s accepted your application. Your membership is active.", network=network
        )
    elif by_stripe:
        body = _l(
            "%(network)s accepted your application. Your membership starts once you have paid "
            'with Stripe: choose "Pay with Stripe" on your membership page.',
            network=network,
        )
    else:
        body = _l(
            "%(network)s accepted your application. Your membership starts once the invoice "
            "you receive separately is paid.",
            network=network,
        )
    notify.organisation(
        membership.organisation_id, _l("Welcome to %(network)s", network=network), body
    )
    db.session.commit()
    return membership


def reject(membership_id: int, reason: str, by: User) -> Membership:
    """Reject an application with the reason the applicant is told. Commits."""
    membership = get_for_admin(membership_id, by)
    reason = (reason or "").strip()
    if not reason:
        msg = _("Say why the application is rejected.")
        raise ServiceError(msg, {"reason": msg})
    _decide(
        membership,
        by,
        rejected_at=utcnow(),
        rejection_reason=reason[:REASON_MAX],
        status="rejected",
    )
    audit.record("membership.rejected", membership, after={"reason": reason[:REASON_MAX]}, actor=by)
    notify.organisation(
        membership.organisation_id,
        _l("Your application to %(network)s", network=membership.network.name),
        _l(
            "%(network)s did not accept your application. The reason: %(reason)s",
            network=membership.network.name,
            reason=reason[:REASON_MAX],
        ),
    )
    db.session.commit()
    return membership


def get_invoice_for_admin(invoice_id: int, by: User) -> Invoice:
    """An invoice its network's admin may manage; NotFound for anyone else."""
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None or organisations.role_of(by, invoice.membership.network) != "owner":
        raise NotFound()
    return invoice


def get_invoice_for_member(invoice_id: int, by: User) -> Invoice:
    """An invoice its member or its network may read; NotFound for anyone else."""
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None or not (
        organisations.role_of(by, invoice.membership.organisation)
        or organisations.role_of(by, invoice.membership.network) == "owner"
    ):
        raise NotFound()
    return invoice


def record_payment(
    invoice_id: int, paid_on: date, amount_cents: int, seen_paid_cents: int, by: User
) -> Invoice:
    """The network admin records a transfer received for an invoice; once it is paid in full
    the membership becomes active (docs/domain.md "Membership states"). Commits."""
    invoice = get_invoice_for_admin(invoice_id, by)
    if invoices.record_payment(invoice, paid_on, amount_cents, seen_paid_cents, by):
        membership_status.apply(invoice.membership, "pay", by=by, source="manual_invoice")
    db.session.commit()
    return invoice


def waiting_for_payment(network: Organisation, by: User) -> list[tuple[Membership, bool]]:
    """Accepted applications waiting for their first payment, each with whether an invoice is in
    force for it (False: it was cancelled, and the admin may issue it again); one query."""
    plans.require_network_admin(by, network)
    invoiced = (
        exists()
        .where(
            Invoice.membership_id == Membership.id,
            Invoice.credit_of_id.is_(None),
            Invoice.status.in_(("open", "paid")),
        )
        .label("invoiced")
    )
    rows = db.session.execute(
        select(Membership, invoiced)
        .options(joinedload(Membership.organisation), joinedload(Membership.plan))
        .where(
            Membership.network_id == network.id,
            Membership.status == "pending",
            Membership.accepted_at.is_not(None),
        )
        .order_by(Membership.accepted_at, Membership.id)
    )
    return [(membership, bool(has)) for membership, has in rows]


def reissue_first_invoice(membership_id: int, by: User, today: date) -> Invoice:
    """Issue an accepted application's first invoice again after it was cancelled (a wrong
    address, a wrong plan): the same period, dated today. Refused while an invoice for the
    period is in force (the unique index decides a double click). Commits."""
    membership = get_for_admin(membership_id, by)
    if membership.status != "pending" or membership.accepted_at is None:
        raise Conflict(
            _("Only an accepted application waiting for payment gets its invoice again."),
            code="not_waiting",
        )
    period = Period(membership.current_period_start, membership.current_period_end)
    try:
        invoice = invoices.add_membership_invoice(membership, period, today, by)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            _("This period has an invoice already; cancel it first."), code="invoiced"
        ) from None
    return invoice


def cancel_invoice(invoice_id: int, by: User, today: date) -> Invoice:
    """Cancel an open invoice by a credit invoice; returns the credit invoice. Commits."""
    invoice = get_invoice_for_admin(invoice_id, by)
    credit = invoices.add_credit_invoice(invoice, today, by)
    notify.organisation(
        invoice.membership.organisation_id,
        _l("Invoice %(number)s cancelled", number=invoice.number),
        _l(
            "%(network)s cancelled invoice %(number)s with credit invoice %(credit)s; you "
            "need not pay it.",
            network=invoice.seller_name,
            number=invoice.number,
            credit=credit.number,
        ),
    )
    db.session.commit()
    return credit


def of_network(network: Organisation, by: User, *, statuses: tuple[str, ...]) -> list[Membership]:
    """The network's memberships in `statuses`, for its admin: oldest application first."""
    plans.require_network_admin(by, network)
    return list(
        db.session.scalars(
            select(Membership)
            .options(joinedload(Membership.organisation), joinedload(Membership.plan))
            .where(Membership.network_id == network.id, Membership.status.in_(statuses))
            .order_by(Membership.applied_at, Membership.id)
        )
    )


def invoices_of_network(network: Organisation, by: User) -> list[Invoice]:
    """The network's invoices for its admin, newest first."""
    plans.require_network_admin(by, network)
    return list(
        db.session.scalars(
            select(Invoice)
            .where(Invoice.network_id == network.id)
            .order_by(Invoice.year.desc(), Invoice.sequence.desc())
        )
    )


def of_organisation(org: Organisation, by: User) -> list[Membership]:
    """An organisation's memberships of networks, for its members: newest first."""
    organisations.require_role(by, org)
    return list(
        db.session.scalars(
            select(Membership)
            .options(joinedload(Membership.network), joinedload(Membership.plan))
            .where(Membership.organisation_id == org.id)
            .order_by(Membership.applied_at.desc(), Membership.id.desc())
        )
    )


# --- member-only features ----------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkAccess:
    """What a viewer's organisations may use of networks: `networks`, where one of them has
    member features (docs/domain.md "Memberships": active or past_due) or is the network
    itself; `blocked`, network id → the membership that lost them (suspended, cancelled) where
    none of them has a usable one."""

    networks: frozenset[int] = frozenset()
    blocked: Mapping[int, int] = field(default_factory=dict)


NO_ACCESS = NetworkAccess()


def access_of(org_ids: Collection[int]) -> NetworkAccess:
    """The network access of the organisations `org_ids` (a user's), in one statement; none
    without organisations (a visitor)."""
    ids = list(org_ids)
    if not ids:
        return NO_ACCESS
    memberships_ = select(Membership.network_id, Membership.status, Membership.id).where(
        Membership.organisation_id.in_(ids), Membership.status.not_in(("pending", "rejected"))
    )
    own_networks = select(Organisation.id, literal("network"), literal(0)).where(
        Organisation.id.in_(ids), Organisation.kind == "network"
    )
    networks: set[int] = set()
    lost: dict[int, tuple[int, int]] = {}
    for network_id, status, membership_id in db.session.execute(
        memberships_.union_all(own_networks)
    ):
        if status == "network" or rules.has_member_features(status):
            networks.add(network_id)
        elif rules.lost_member_features(status):
            # A suspended membership (still payable) says more than an old cancelled one.
            rank = (status == "suspended", membership_id)
            if network_id not in lost or rank > lost[network_id]:
                lost[network_id] = rank
    blocked = {n: rank[1] for n, rank in lost.items() if n not in networks}
    return NetworkAccess(frozenset(networks), blocked)


def refuse_blocked(access: NetworkAccess, network_id: int) -> None:
    """Raise MembershipBlocked when `access` lost the member features of `network_id`."""
    blocked = blocked_notice(access, network_id)
    if blocked is not None:
        raise blocked


def blocked_notices(access: NetworkAccess) -> list[MembershipBlocked]:
    """Why each blocked network is, as `blocked_notice` says it (a form shows them)."""
    return [n for n in (blocked_notice(access, k) for k in sorted(access.blocked)) if n]


def blocked_notice(access: NetworkAccess, network_id: int) -> MembershipBlocked | None:
    """The refusal for a member-only feature of `network_id` when `access` lost it: the
    message says why and how to get it back (pay the open invoice, or apply again)."""
    membership_id = access.blocked.get(network_id)
    if membership_id is None:
        return None
    membership = db.session.get(Membership, membership_id)
    invoice = _open_invoice(membership) if _payable(membership) else None
    network = membership.network.name
    if invoice is not None:
        message = _(
            "The membership of %(org)s of %(network)s is %(status)s, so member-only features "
            "are blocked. Pay invoice %(number)s to use them again.",
            org=membership.organisation.name,
            network=network,
            status=membership_status_label(membership.status),
            number=invoice.number,
        )
    elif _payable(membership):
        message = _(
            "The membership of %(org)s of %(network)s is %(status)s, so member-only features "
            "are blocked. Contact %(network)s to use them again.",
            org=membership.organisation.name,
            network=network,
            status=membership_status_label(membership.status),
        )
    else:
        message = _(
            "The membership of %(org)s of %(network)s is %(status)s, so member-only features "
            "are blocked. Apply again to use them.",
            org=membership.organisation.name,
            network=network,
            status=membership_status_label(membership.status),
        )
    return MembershipBlocked(
        message,
        network_name=network,
        network_slug=membership.network.slug,
        status=membership.status,
        invoice_id=invoice.id if invoice is not None else None,
        membership_id=membership.id,
    )


@dataclass(frozen=True)
class BlockedPayment:
    """How the blocked page lets `user` pay: the Stripe button of `stripe_membership_id`
    (Stripe configured, the membership paid through it, and the user an owner, who alone may
    start it), else the transfer details of the open `invoice`; neither when nothing is open."""

    stripe_membership_id: int | None
    invoice: Invoice | None
    iban: str | None


def blocked_payment(blocked: MembershipBlocked, user: User) -> BlockedPayment:
    membership = db.session.get(Membership, blocked.membership_id or 0)
    role = organisations.role_of(user, membership.organisation) if membership else None
    if role is None:
        return BlockedPayment(None, None, None)
    if role == "owner" and stripe_billing.can_pay(membership):
        return BlockedPayment(membership.id, None, None)
    invoice = db.session.get(Invoice, blocked.invoice_id) if blocked.invoice_id else None
    if invoice is None:
        return BlockedPayment(None, None, None)
    return BlockedPayment(None, invoice, invoices.iban_text(invoice.seller_iban))


def _payable(membership: Membership) -> bool:
    return membership.status in rules.ACTIONS["pay"][0]


def _open_invoice(membership: Membership) -> Invoice | None:
    """The membership's oldest open invoice: the one whose payment makes it active again."""
    return db.session.scalar(
        select(Invoice)
        .where(
            Invoice.membership_id == membership.id,
            Invoice.status == "open",
            Invoice.credit_of_id.is_(None),
        )
        .order_by(Invoice.due_date, Invoice.id)
        .limit(1)
    )


def networks_by_name(network_ids: Collection[int]) -> list[Organisation]:
    """The networks of `network_ids` (an access's), by name; no statement for none."""
    if not network_ids:
        return []
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.id.in_(list(network_ids)))
            .order_by(Organisation.name)
        )
    )


def with_member_features(network_id: int, org_ids: Collection[int]) -> set[int]:
    """Which of `org_ids` may use the member-only features of `network_id` (the network
    itself included): for telling members, and only members, of a network-only listing."""
    ids = list(org_ids)
    if not ids:
        return set()
    found = set(
        db.session.scalars(
            select(Membership.organisation_id).where(
                Membership.network_id == network_id,
                Membership.organisation_id.in_(ids),
                Membership.status.in_(rules.MEMBER_STATUSES),
            )
        )
    )
    return found | ({network_id} & set(ids))


def member_networks_of(org: Organisation) -> list[Organisation]:
    """The networks where `org` has member features now (its profile's member badges), by
    name: while its membership is active or past due, whatever its consent to be listed on
    the network's page (the badge is the member's own)."""
    return list(
        db.session.scalars(
            select(Organisation)
            .join(Membership, Membership.network_id == Organisation.id)
            .where(
                Membership.organisation_id == org.id,
                Membership.status.in_(rules.MEMBER_STATUSES),
            )
            .order_by(Organisation.name)
        )
    )


def _members(network: Organisation, *, listed_only: bool) -> list[Membership]:
    query = (
        select(Membership)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .options(joinedload(Membership.organisation))
        .where(Membership.network_id == network.id, Membership.status.in_(rules.MEMBER_STATUSES))
        .order_by(Organisation.name, Membership.id)
    )
    if listed_only:
        query = query.where(Membership.listed_publicly.is_(True))
    return list(db.session.scalars(query))


def public_members(network: Organisation) -> list[Organisation]:
    """The members the network's public page names: those with member features that said
    it may (`listed_publicly`, off until the member switches it on)."""
    return [m.organisation for m in _members(network, listed_only=True)]


def member_directory(network: Organisation, by: User, org_ids: Collection[int]) -> list[Membership]:
    """The network's members with member features, for its members, its own people and the
    platform admin (a member directory is a member-only feature): NotFound for anyone else,
    MembershipBlocked for a member whose membership lost it. `org_ids`: `by`'s organisations."""
    access = access_of(org_ids)
    if network.id not in access.networks and not by.is_admin:
        refuse_blocked(access, network.id)
        raise NotFound()
    return _members(network, listed_only=False)


def set_listed_publicly(membership_id: int, listed: bool, by: User) -> Membership:
    """The member's consent to be named on the network's public page, given or withdrawn by
    an owner of the member organisation (NotFound for anyone else). Audited. Commits."""
    membership = db.session.get(Membership, membership_id)
    if membership is None or organisations.role_of(by, membership.organisation) != "owner":
        raise NotFound()
    if membership.listed_publicly != listed:
        before = {"listed_publicly": membership.listed_publicly}
        membership.listed_publicly = listed
        audit.record(
            "membership.listing_consent",
            membership,
            before=before,
            after={"listed_publicly": listed},
            actor=by,
        )
    db.session.commit()
    return membership
