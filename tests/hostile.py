"""Hostile input for the property tests of the input boundary (tests/web/test_hostile_forms.py,
tests/api/test_hostile_json.py): one world with something behind every route, the value of each
path parameter in it, and one hypothesis strategy per class of input that once made a 500.

The classes: text a database cannot store (a NUL byte, a lone surrogate), whole numbers beyond
64 bits, decimals whose exponent is huge ("1E-999999999"), and search syntax in query strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Flask
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter, Rule

from marketplace.extensions import db, limiter
from marketplace.models import (
    Deal,
    Membership,
    Organisation,
    OutboxJob,
    Proposal,
    Realisation,
    User,
)
from marketplace.services import (
    certifications,
    deals,
    invoices,
    listing_reports,
    memberships,
    notifications,
    organisations,
    proposals,
    pso,
    realisations,
    saved_searches,
)
from marketplace.services.search import Filters
from tests.factories import (
    PASSWORD,
    add_member,
    fte_realisation,
    make_contract,
    make_listing,
    make_network,
    make_org,
    make_plan,
    make_policy,
    make_user,
)

UNSTORABLE = ("\x00", "\ud800", "\udfff", "\udc80")


def unstorable_text() -> st.SearchStrategy[str]:
    """Any text with at least one NUL byte or lone surrogate somewhere in it."""
    return st.tuples(st.text(max_size=8), st.sampled_from(UNSTORABLE), st.text(max_size=8)).map(
        "".join
    )


def huge_integers() -> st.SearchStrategy[int]:
    """Whole numbers beyond a signed 64-bit integer, either sign."""
    return st.integers(min_value=2**63, max_value=10**40) | st.integers(
        min_value=-(10**40), max_value=-(2**63) - 1
    )


def huge_exponents() -> st.SearchStrategy[str]:
    """Decimals as text whose exponent makes exact arithmetic explode."""
    exponent = st.integers(min_value=31, max_value=10**9) | st.just(999_999_999)
    return st.builds(
        lambda sign, mantissa, e: f"{mantissa}E{sign}{e}",
        st.sampled_from(["-", "+", ""]),
        st.sampled_from(["1", "0", "9.99", "0,5", "1.5"]),
        exponent,
    )


def query_syntax() -> st.SearchStrategy[str]:
    """Text a full-text engine (FTS5 MATCH, tsquery) or a LIKE would read as syntax, and sizes
    no one types: each must find nothing or something, never fail."""
    return st.sampled_from(
        [
            '"',
            '""',
            "'",
            "NEAR(",
            "title:",
            "*",
            "-",
            "-x",
            "x*",
            "AND",
            "OR NOT",
            "(",
            ")",
            "^",
            "\\",
            "%",
            "_",
            "😀",
            "x" * 10_000,
            "-1",
            "0",
            "1E-999999999",
            "page=2",
        ]
    )


def contains_unstorable(value: Any) -> bool:
    """Whether a NUL byte or lone surrogate is anywhere in `value` (strings, lists, dicts)."""
    if isinstance(value, str):
        return any(c in value for c in UNSTORABLE) or any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, dict):
        return any(contains_unstorable(k) or contains_unstorable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_unstorable(v) for v in value)
    return False


@dataclass
class World:
    """An authority with its officer and policy, a contractor with its owner and a member, a
    contract with a submitted and a draft realisation, an admin with two organisations (so the
    organisation switch shows), an unverified organisation, PSO certificate and certification
    (so their verification shows), a failed job (so its retry shows), an open demand of the
    contractor (so its pages and moves show) with a werkbedrijf's proposal on it, and a deal on
    another demand (so the proposal and deal pages and their actions are posted too), and a
    network of the admin's with an application and an invoice (so its admin pages show), and a
    later policy version no contract uses (so its value table's row forms show)."""

    officer: User
    owner: User
    admin: User
    colleague: User  # the contractor's member: whose password reset form is posted
    authority: Organisation
    contractor: Organisation
    path_values: dict[str, Any]
    # Pages no GET route reaches with the path values, e.g. a second deal in another state.
    extra_pages: list[str] = field(default_factory=list)

    def users(self) -> dict[str, User]:
        return {"owner": self.owner, "officer": self.officer, "admin": self.admin}


def make_world() -> World:
    officer = make_user("inkoper@gemeente.example.com")
    owner = make_user("eigenaar@aannemer.example.com")
    admin = make_user("beheer@platform.example.com", admin=True)
    authority = make_org("authority", owner=officer, name="Gemeente Proef")
    contractor = make_org("contractor", owner=owner, name="Aannemer Proef B.V.")
    colleague = make_user("collega@aannemer.example.com")
    add_member(contractor, colleague)
    pending = make_org("contractor", owner=admin, name="Beheer Eén")
    rejected = make_org("contractor", owner=admin, name="Beheer Drie")
    organisations.reject(rejected, "KvK-nummer hoort bij een ander bedrijf", admin)
    supplier = make_org("social_enterprise", owner=admin, name="Beheer Twee", verified=True)
    policy = make_policy(authority)
    contract = make_contract(authority, contractor, officer)
    # A later version no contract uses yet: its value table's rows can be edited and deleted.
    later = make_policy(authority, name="Beleid 2030", effective_from=date(2030, 1, 1))
    later_row, purchase_row = later.blocks[0].id, later.blocks[3].id  # PW and INK: other fields
    submitted = realisations.submit(contract, fte_realisation("KAND-A"), owner)
    draft: Realisation = realisations.submit(contract, fte_realisation("KAND-B"), owner, draft=True)
    member = contractor.members[-1]
    certificate = pso.record_certificate(
        contractor, "trede_1", "PSO-PROEF-1", date(2027, 6, 30), owner, date(2026, 6, 1)
    )
    certification = certifications.record(
        supplier, "code_sociale_ondernemingen", "CSO-PROEF-1", date(2026, 1, 1), None, admin
    )
    failed = OutboxJob(
        job_name="recompute_contract",
        args=[contract.id],
        status="failed",
        attempts=3,
        last_error="TimeoutError: the job took too long",
    )
    db.session.add(failed)
    db.session.commit()
    demand = make_listing(contractor, "demand", contract_id=contract.id)
    proposal, deal, delivered, placement = _deals(contractor, contract, supplier, owner, admin)
    network_pages = _network_pages(admin, contractor, make_org("contractor", owner=admin))
    # A notification and a saved search of the owner, and a report in the admin's queue.
    notifications.notify(owner, "listing_match", {"title": demand.title, "kind": "demand"})
    db.session.commit()
    saved_searches.save(owner, "schoonmaak", Filters(sector=("schoonmaak",)))
    listing_reports.report(demand.id, officer, "Deze vraag lijkt geen echte vraag te zijn.")
    return World(
        officer=officer,
        owner=owner,
        admin=admin,
        colleague=colleague,
        authority=authority,
        contractor=contractor,
        path_values={
            "contract_id": contract.id,
            "policy_id": policy.id,
            "block_id": later_row,
            "realisation_id": submitted.id,
            "draft_id": draft.id,
            "job_id": failed.id,
            "certificate_id": certificate.id,
            "certification_id": certification.id,
            "authority_id": authority.id,
            "org_id": contractor.id,
            "member_id": member.id,
            "lang": "en",
            "year": 2026,
            "what": "contracten",
            "listing_id": demand.id,
            "side": "vraag",
            "action": "pause",
            "move": "pauzeren",
            "proposal_id": proposal.id,
            "deal_id": deal.id,
        },
        extra_pages=[
            f"/markt/deals/{delivered.id}",
            f"/markt/deals/{placement.id}",
            f"/opdrachtnemer/realisaties/{draft.id}/bewerken",
            f"/opdrachtnemer/realisaties/{draft.id}/verwijderen",
            f"/organisaties/{contractor.slug}/keurmerken",
            f"/organisaties/{authority.slug}/bewaartermijnen",
            f"/sroi-calculator?policy={policy.id}",
            f"/inkoop/beleid/{later.id}/waardetabel/nieuw",
            f"/inkoop/beleid/{later.id}/waardetabel/{later_row}",
            f"/inkoop/beleid/{later.id}/waardetabel/{purchase_row}",
            f"/inkoop/beleid/{later.id}/waardetabel/{later_row}/verwijderen",
            f"/beheer/organisaties/{pending.id}",  # the verify and reject forms
            f"/organisaties/{rejected.slug}",  # its owner's "ask again"
            *network_pages,
        ],
    )


def _deals(contractor, contract, supplier, buyer, seller) -> tuple[Proposal, Deal, Deal, Deal]:
    """On demands of their own (the world's open demand keeps its moves): a proposal with a
    revised offer asked for (the buyer's and the supplier's forms on one page), an agreed deal
    (the invoice form), a delivered one (the review form) and an agreed placement deal (the
    placement form)."""
    offer = proposals.ProposalData("Wij doen het.", 100000, "1 fte")

    def proposed(kind: str = "service") -> Proposal:
        demand = make_listing(contractor, "demand", contract_id=contract.id, type=kind)
        return proposals.propose(demand, supplier, offer, seller)

    proposal = proposals.request_revision(proposed(), "Kan het goedkoper?", buyer)
    deal = deals.accept(proposed(), buyer)
    delivered = deals.deliver(
        deals.accept(proposed(), buyer),
        deals.InvoiceData("F-PROEF-1", date(2026, 6, 1), 1000),
        buyer,
    )
    placement = deals.accept(proposed("placement"), buyer)
    return proposal, deal, delivered, placement


def _network_pages(admin: User, applicant: Organisation, member: Organisation) -> list[str]:
    """A network of the admin's with a plan, the applicant's open application and the member's
    accepted one with its invoice: the public page first, then the network admin's pages."""
    network = make_network(admin, name="Netwerk Proef")
    plan = make_plan(network)
    waiting = memberships.apply(applicant, plan.id, applicant.members[0].user)
    accepted = memberships.apply(member, plan.id, admin)
    memberships.accept(accepted.id, admin, date(2026, 6, 1))
    [invoice] = invoices.of_membership(accepted)
    # A suspended member, whose page offers to resume it.
    paused = memberships.apply(make_org("contractor", owner=admin), plan.id, admin)
    paused.status = "suspended"
    # An accepted member whose first invoice was cancelled: the admin may issue it again.
    cancelled = memberships.apply(make_org("contractor", owner=admin), plan.id, admin)
    memberships.accept(cancelled.id, admin, date(2026, 6, 1))
    [first] = invoices.of_membership(cancelled)
    memberships.cancel_invoice(first.id, admin, date(2026, 6, 2))
    # The applicant is a member of two more networks: of one with two plans (its page offers a
    # change of plan and cancelling), and of one it leaves at the end of the period (and may stay).
    staying = _running(applicant, make_network(admin, name="Netwerk Twee"), second_plan=True)
    _running(applicant, make_network(admin, name="Netwerk Drie")).cancel_at_period_end = True
    db.session.commit()
    admin_pages = f"/netwerken/{network.slug}/beheer"
    return [
        f"/netwerken/{network.slug}",
        admin_pages,
        f"{admin_pages}/leden/{accepted.id}",
        f"{admin_pages}/leden/{accepted.id}/pauzeren",
        f"{admin_pages}/leden/{paused.id}",
        f"{admin_pages}/pakketten",
        f"{admin_pages}/pakketten/{plan.id}",
        f"{admin_pages}/aanmeldingen",
        f"{admin_pages}/aanmeldingen/{waiting.id}/accepteren",
        f"{admin_pages}/facturen/{invoice.id}/betaling",
        f"{admin_pages}/facturen/{invoice.id}/annuleren",
        f"/netwerken/lidmaatschap/{staying.id}/opzeggen",
    ]


def _running(org: Organisation, network: Organisation, *, second_plan: bool = False) -> Membership:
    """An active membership of `org` in its first period (2026), written directly."""
    membership = memberships.apply(org, make_plan(network).id, org.members[0].user)
    if second_plan:
        make_plan(network, name="Groot")
    membership.status = "active"
    membership.current_period_start, membership.current_period_end = (
        date(2026, 1, 1),
        date(2026, 12, 31),
    )
    return membership


def login(client, user: User) -> None:
    """Log in through the form; the hostile posts to the login form before this one used up
    the rate limit of the test machine's address, so it starts afresh."""
    limiter.reset()
    response = client.post("/account/inloggen", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, f"{user.email} could not log in: {response.status}"


def int_arguments(rule: Rule) -> list[str]:
    """Path parameters of `rule` read by an integer converter (the app's bounded one included)."""
    return [
        name
        for name, converter in rule._converters.items()
        if isinstance(converter, IntegerConverter)
    ]


# Routes no page's form posts to, with their hostile input tested where they are: Stripe's
# webhook (signed JSON: tests/integration/test_stripe.py refuses bad signatures and bodies) and
# the Stripe pay button, which has no field of the member's and shows only with Stripe set up.
NOT_FORMS = frozenset({"webhooks.stripe_webhook", "networks.pay_with_stripe"})


def rules(app: Flask, method: str, *, api: bool) -> list[Rule]:
    """The app's rules for `method`, under /api/ or not; static files and NOT_FORMS left out."""
    return [
        rule
        for rule in app.url_map.iter_rules()
        if method in (rule.methods or ())
        and rule.endpoint != "static"
        and rule.endpoint not in NOT_FORMS
        and rule.rule.startswith("/api/") == api
    ]
