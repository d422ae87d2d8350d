"""Small factories that make tests one-liners (after CTFd's gen_* helpers)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from marketplace.extensions import db
from marketplace.models import (
    Contract,
    Membership,
    Organisation,
    OrganisationMember,
    Plan,
    Realisation,
    SroiPolicy,
    User,
)
from marketplace.models._types import utcnow
from marketplace.services import accounts, invoices, memberships, organisations, plans

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_user(email: str | None = None, *, admin: bool = False) -> User:
    email = email or f"user{next(_seq)}@example.com"
    return accounts.create_user(email, PASSWORD, admin=admin)


def make_org(
    kind: str = "contractor",
    *,
    owner: User | None = None,
    name: str | None = None,
    verified: bool | None = None,
    **fields,
) -> Organisation:
    """An organisation with its owner; authorities are verified unless `verified=False` (only
    verified authorities publish policies and register contracts), others unverified unless
    `verified=True`."""
    n = next(_seq)
    data = organisations.OrganisationData(
        name=name or f"Organisatie {n}",
        kind=kind,
        kvk_number=fields.pop("kvk_number", f"{10000000 + n}"),
        authority_type=fields.pop("authority_type", "gemeente" if kind == "authority" else None),
        street="Straat 1",
        postcode="7811 AP",
        city="Emmen",
        province="Drenthe",
        arbeidsmarktregio="Drenthe",
        **fields,
    )
    org = organisations.register(data, owner or make_user())
    if verified if verified is not None else kind == "authority":
        org.verified_at = utcnow()
        db.session.commit()
    return org


def add_member(org: Organisation, user: User, role: str = "member") -> None:
    db.session.add(OrganisationMember(user_id=user.id, organisation_id=org.id, role=role))
    db.session.commit()


def make_policy(authority: Organisation, **overrides):
    """Authority policy: 5% from € 250.000 and 6 months, PSO trede 1 halves, Utrecht-like table."""
    from datetime import date
    from decimal import Decimal

    from marketplace.domain.valuation import Block
    from marketplace.services import policies

    blocks = overrides.pop(
        "blocks",
        [
            policies.BlockData(
                "Participatiewet",
                Block("PW", "fte_year", 4000000, Decimal(12), 730, {"age_50_plus": 1000000}),
            ),
            policies.BlockData("Werkervaringsplek", Block("WEP", "month", 75000)),
            policies.BlockData("Maatschappelijke activiteit", Block("MA", "hour", 10000)),
            policies.BlockData("Inkoop bij sociale onderneming", Block("INK", "invoice")),
            policies.BlockData("Opleidingskosten", Block("KOS", "cost")),
        ],
    )
    values = {
        "name": "Beleid",
        "effective_from": date(2025, 1, 1),
        "threshold_cents": 25000000,
        "min_duration_months": 6,
        "percentage_bp": 500,
        "pso_remaining_bp": {"trede_1": 5000, "trede_2": 0},
        **overrides,
    }
    return policies.create_policy(authority, policies.policy_data(values, blocks), None)


def make_contract(authority: Organisation, contractor: Organisation, officer: User, **overrides):
    """A contract registered by `officer`; the contractor is verified first (only verified
    contractors can be chosen: an unverified company is invited, see services/invitations)."""
    from datetime import date

    from marketplace.services import contracts

    if not contractor.is_verified:
        contractor.verified_at = utcnow()
        db.session.commit()

    data = contracts.ContractData(
        title=overrides.pop("title", "Onderhoud"),
        reference=overrides.pop("reference", f"REF-{next(_seq)}"),
        contractor_id=contractor.id,
        value_cents=overrides.pop("value_cents", 120000000),
        award_date=overrides.pop("award_date", date(2026, 2, 1)),
        start_date=overrides.pop("start_date", date(2026, 3, 1)),
        end_date=overrides.pop("end_date", date(2028, 2, 29)),
        **overrides,
    )
    return contracts.register(authority, data, officer)


def fte_realisation(candidate="KAND-1", start=None, end=None, **kw):
    """A PW realisation (fte_year, 24 hours a week) for make_policy's table, 2026-03-01..08-31."""
    from datetime import date
    from decimal import Decimal

    from marketplace.services import realisations

    return realisations.RealisationData(
        block_code="PW",
        candidate_ref=candidate,
        start_date=start or date(2026, 3, 1),
        end_date=end or date(2026, 8, 31),
        hours_per_week=Decimal(24),
        **kw,
    )


def bulk_realisations(contract, n: int, *, state: str = "submitted") -> list[int]:
    """n PW realisations on `contract` with one audit row each, inserted directly (submitting
    them through the service one by one would make these tests slow without testing more)."""
    from datetime import date, datetime

    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.models import AuditLog, BuildingBlock, Realisation

    block = db.session.scalar(
        select(BuildingBlock).where(BuildingBlock.policy_id == contract.policy_id)
    )
    rows = [
        Realisation(
            contract_id=contract.id,
            block_id=block.id,
            state=state,
            candidate_ref=f"BULK-{i:03d}",
            start_date=date(2026, 3, 1),
            end_date=date(2026, 8, 31),
            hours_per_week=24,
            value_cents=100_00,
            submitted_at=datetime(2026, 9, 1, 12, 0),
        )
        for i in range(n)
    ]
    db.session.add_all(rows)
    db.session.flush()
    db.session.add_all(
        AuditLog(
            action=f"realisation.{state}",
            object_type="Realisation",
            object_id=r.id,
            after={"state": state, "block": "PW", "value_cents": r.value_cents},
        )
        for r in rows
    )
    db.session.commit()
    return [r.id for r in rows]


def make_verified_certificate(org: Organisation, level: str, valid_until, recorded_on=None):
    """A PSO certificate the company records and the platform admin verifies (only a verified
    certificate counts); recorded 30 days before `valid_until` unless `recorded_on` is given."""
    from datetime import timedelta

    from marketplace.services import pso

    cert = pso.record_certificate(
        org,
        level,
        f"PSO-{next(_seq)}",
        valid_until,
        org.members[0].user,
        recorded_on or valid_until - timedelta(days=30),
    )
    verified, _changed = pso.verify(cert.id, make_user(admin=True))
    return verified


def listing_data(**overrides):
    """What an owner writes for a listing: cleaning in Drenthe, € 25.000, 2 fte."""
    from decimal import Decimal

    from marketplace.services import listings

    fields = {
        "title": "Schoonmaak van twee kantoorpanden",
        "description": "Dagelijkse schoonmaak, 5 dagen per week.",
        "sector": "schoonmaak",
        "type": "service",
        "region": "Drenthe",
        "amount_cents": 2500000,
        "volume": "2 fte",
        "fte": Decimal(2),
        **overrides,
    }
    return listings.ListingData(**fields)


def make_listing(org: Organisation, kind: str = "offering", *, status: str = "open", **overrides):
    """A listing of `org` posted by its first member, in `status`: published through the
    service when `org` is verified and `status` is "open", else the status written directly
    (an unverified organisation's open listing, later states)."""
    from marketplace import clock
    from marketplace.services import listings

    user = org.members[0].user
    listing = listings.create(org, user, kind, listing_data(**overrides), clock.today())
    if status == "open" and org.is_verified:
        listings.move(listing, user, "publish", clock.today())
    elif status != "draft":
        listing.status = status
        db.session.commit()
    return listing


@dataclass
class Parties:
    """Both sides of a contract: the authority with its officer and policy, the contractor with its
    owner (the `parties` fixture of tests/conftest.py)."""

    authority: Organisation
    officer: User
    contractor: Organisation
    owner: User
    policy: SroiPolicy

    @cached_property
    def contract(self) -> Contract:
        """The factory contract (€ 1.200.000 from 2026-03-01 to 2028-02-29, obligation € 60.000),
        registered when first asked for: a test picks the day it is registered on (time_machine),
        and a test that registers its own contracts gets no other one."""
        return self.register(title="Onderhoud openbare ruimte", reference="EMM-01")

    def sides(self) -> tuple[Organisation, Organisation, User, User]:
        """(authority, contractor, officer, owner), for a test that unpacks them."""
        return self.authority, self.contractor, self.officer, self.owner

    def register(self, **overrides) -> Contract:
        """Another contract between the two (make_contract's defaults, `overrides` applied)."""
        return make_contract(self.authority, self.contractor, self.officer, **overrides)

    def approved(self, contract: Contract, data=None) -> Realisation:
        """`data` (fte_realisation() by default) submitted by the owner, approved by the officer."""
        from marketplace.services import realisations

        realisation = realisations.submit(contract, data or fte_realisation(), self.owner)
        realisations.approve([realisation.id], self.officer)
        return realisation


def make_parties(authority: Organisation, contractor: Organisation, **policy) -> Parties:
    """The contractor verified and the authority's policy published (make_policy, `policy`
    applied); the officer and the owner are the organisations' first members."""
    contractor.verified_at = contractor.verified_at or utcnow()
    db.session.commit()
    return Parties(
        authority=authority,
        officer=authority.members[0].user,
        contractor=contractor,
        owner=contractor.members[0].user,
        policy=make_policy(authority, **policy),
    )


def make_network(
    owner: User | None = None, *, name: str = "MetWerk", iban: bool = True
) -> Organisation:
    """A verified network (an employers' network) ready to invoice: address, BTW number and,
    unless `iban=False`, the IBAN its members pay to; its owner is the network admin."""
    owner = owner or make_user()
    network = make_org(
        "network", owner=owner, name=name, verified=True, btw_number="NL004495445B01"
    )
    if iban:
        invoices.set_iban(network, "NL91 ABNA 0417 1643 00", owner)
    return network


def make_plan(network: Organisation, **overrides) -> Plan:
    """A plan of € 1.200,00 a year with 21% VAT, billed per calendar year pro rata (the worked
    examples in docs/domain.md "Memberships"); `overrides` applied."""
    fields = {
        "name": "Basis",
        "yearly_fee_cents": 120_000,
        "billing_rule": "calendar_year_pro_rata",
        "vat_rate_bp": 2100,
        **overrides,
    }
    return plans.create(network, plans.PlanData(**fields), network.members[0].user)


def make_membership(
    network: Organisation, plan: Plan, on: date, *, org: Organisation | None = None
) -> Membership:
    """An organisation (a new contractor unless `org`) that applied for `plan` and was accepted
    `on` that day: `pending` with its first invoice open (active at once for a free plan)."""
    org = org or make_org("contractor")
    membership = memberships.apply(org, plan.id, org.members[0].user)
    return memberships.accept(membership.id, network.members[0].user, on)


def make_member(network: Organisation, org: Organisation, status: str = "active") -> Membership:
    """`org`'s membership of `network` in `status`, the way it gets there: applied with the
    network's first plan (a new one when it has none), accepted (its first invoice issued) and,
    for "active", that invoice paid; "past_due", "suspended" and "cancelled" are then written as
    the dunning sweep or the admin would leave them, with the invoice still open."""
    from marketplace import clock

    admin = network.members[0].user
    plan = plans.of_network(network, active_only=True)
    plan_id = plan[0].id if plan else make_plan(network).id
    membership = memberships.apply(org, plan_id, org.members[0].user)
    if status in ("pending", "rejected"):
        membership.status = status
        db.session.commit()
        return membership
    memberships.accept(membership.id, admin, clock.today())
    invoice = invoices.of_membership(membership)[0]
    if status == "active":
        memberships.record_payment(invoice.id, clock.today(), invoice.total_cents, 0, admin)
    else:
        membership.status = status
        db.session.commit()
    return membership
