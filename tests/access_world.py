"""One world with a user in every role of the access matrix (tests/access_matrix.py) and an
object of each kind behind every route, owned by organisation A, authority X or network N, and
the same kinds owned by B and Y: the "other organisation" the roles of B and Y must not reach.

Built once per test module (tests/web/test_access_matrix.py, tests/api/test_openapi_fuzz.py):
the objects are made through the services, as users make them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Flask, request_started
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Notification, OutboxJob, User
from marketplace.services import (
    accounts,
    certifications,
    deals,
    evidence,
    invoices,
    listing_reports,
    memberships,
    notifications,
    proposals,
    pso,
    realisations,
    report_files,
    saved_searches,
)
from marketplace.services.search import Filters
from tests.factories import (
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


@contextmanager
def world_in(shared) -> Iterator[tuple[Flask, World]]:
    """The world in the worker's shared app (conftest's `_shared_app`, renewed first), for one
    test module: its app context held throughout, its tables emptied at the end."""
    from tests.conftest import _forget_login, empty_tables

    shared.renew()
    app = shared.app
    with app.app_context(), request_started.connected_to(_forget_login, app):
        yield app, make_world()
        db.session.remove()
        empty_tables()
        db.session.remove()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# The roles, in the order the failure messages list them. "anonymous" has no user.
ROLES = (
    "anonymous",
    "no_org",  # logged in, no organisation
    "owner_a",  # owner of contractor A
    "member_a",  # member of contractor A
    "member_b",  # member of contractor B
    "officer_x",  # procurement officer of authority X
    "officer_y",  # procurement officer of authority Y
    "social",  # owner of a verified social enterprise
    "werkbedrijf",  # owner of a verified werkbedrijf
    "network_admin",  # owner of network N
    "network_member",  # owner of an organisation with an active membership of N
    "admin",  # platform admin, member of no organisation
)


@dataclass
class World:
    users: dict[str, User]
    ids: dict[str, Any]  # default values of the routes' path parameters
    named: dict[str, Any]  # other values an entry of the matrix may ask for by name
    tokens: dict[str, str] = field(default_factory=dict)  # role -> API bearer token


def make_world() -> World:
    users = {role: make_user(f"{role.replace('_', '-')}@matrix.example.com") for role in ROLES[1:]}
    users["admin"].is_admin = True
    x = make_org("authority", owner=users["officer_x"], name="Gemeente X")
    y = make_org("authority", owner=users["officer_y"], name="Gemeente Y")
    a = make_org("contractor", owner=users["owner_a"], name="Aannemer A", verified=True)
    add_member(a, users["member_a"])
    b = make_org("contractor", name="Aannemer B", verified=True)
    add_member(b, users["member_b"])
    social = make_org("social_enterprise", owner=users["social"], name="Sociaal", verified=True)
    werkbedrijf = make_org(
        "werkbedrijf", owner=users["werkbedrijf"], name="Werkbedrijf", verified=True
    )
    unverified = make_org("contractor", name="Nog niet geverifieerd")
    network = make_network(users["network_admin"], name="Netwerk N")
    plan = make_plan(network)
    member_org = make_org("contractor", owner=users["network_member"], name="Lid van N")
    membership = memberships.apply(member_org, plan.id, users["network_member"])
    memberships.accept(membership.id, users["network_admin"], date(2026, 6, 1))
    [invoice] = invoices.of_membership(membership)
    memberships.record_payment(
        invoice.id, date(2026, 6, 2), invoice.total_cents, 0, users["network_admin"]
    )
    waiting = memberships.apply(b, plan.id, b.members[0].user)

    policy_x, policy_y = make_policy(x), make_policy(y)
    contract = make_contract(x, a, users["officer_x"], title="Contract X-A")
    contract_y = make_contract(y, b, users["officer_y"], title="Contract Y-B")
    upload = evidence.Upload("loonstrook.pdf", PDF)
    submitted = realisations.submit(contract, fte_realisation("KAND-A"), users["owner_a"], [upload])
    draft = realisations.submit(contract, fte_realisation("KAND-B"), users["owner_a"], draft=True)
    submitted_y = realisations.submit(contract_y, fte_realisation("KAND-Y"), b.members[0].user)
    certificate = pso.record_certificate(
        a, "trede_1", "PSO-A-1", date(2027, 6, 30), users["owner_a"], date(2026, 6, 1), upload
    )
    certification = certifications.record(
        social, "code_sociale_ondernemingen", "CSO-1", date(2026, 1, 1), None, users["social"]
    )
    failed = OutboxJob(job_name="recompute_contract", args=[contract.id], status="failed")
    db.session.add(failed)
    db.session.commit()

    demand = make_listing(a, "demand", contract_id=contract.id)
    offering = make_listing(social, "offering")
    offer = proposals.ProposalData("Wij doen het.", 100000, "1 fte")
    proposal = proposals.propose(
        demand, social, offer, users["social"], evidence.Upload("offerte.pdf", PDF)
    )
    second = make_listing(a, "demand", contract_id=contract.id, title="Tweede vraag")
    deal = deals.accept(
        proposals.propose(second, werkbedrijf, offer, users["werkbedrijf"]), users["owner_a"]
    )
    third = make_listing(a, "demand", contract_id=contract.id, title="Derde vraag")
    delivered = deals.deliver(
        deals.accept(
            proposals.propose(third, werkbedrijf, offer, users["werkbedrijf"]), users["owner_a"]
        ),
        deals.InvoiceData("F-1", date(2026, 6, 1), 1000),
        users["owner_a"],
        evidence.Upload("factuur.pdf", PDF),
    )

    notifications.notify(
        users["owner_a"], "listing_match", {"title": demand.title, "kind": "demand"}
    )
    db.session.commit()
    notification = db.session.scalar(select(Notification).order_by(Notification.id.desc()))
    saved = saved_searches.save(users["owner_a"], "schoonmaak", Filters(sector=("schoonmaak",)))
    listing_report = listing_reports.report(offering.id, users["officer_x"], "Geen echt aanbod.")
    report_file = report_files.ask_year_pdf(users["officer_x"], x, 2026)
    db.session.refresh(report_file)

    tokens = {role: accounts.create_token(user, "matrix") for role, user in users.items()}
    return World(
        users=users,
        tokens=tokens,
        ids={
            "authority_id": x.id,
            "certificate_id": certificate.id,
            "certification_id": certification.id,
            "contract_id": contract.id,
            "deal_id": deal.id,
            "draft_id": draft.id,
            "evidence_id": submitted.evidence[0].id,
            "filename": report_file.filename,
            "invoice_id": invoice.id,
            "job_id": failed.id,
            "kind": "csv",
            "lang": "en",
            "listing_id": demand.id,
            "member_id": a.members[-1].id,
            "membership_id": membership.id,
            "move": "pauzeren",
            "action": "pause",
            "notification_id": notification.id,
            "org_id": unverified.id,
            "plan_id": plan.id,
            "policy_id": policy_x.id,
            "block_id": policy_x.blocks[0].id,
            "proposal_id": proposal.id,
            "realisation_id": submitted.id,
            "report_id": listing_report.id,
            "saved_search_id": saved.id,
            "side": "vraag",
            "slug": a.slug,
            "token": "not-a-token",
            "what": "contracten",
            "year": 2026,
        },
        named={
            "a": a.id,
            "b": b.id,
            "x": x.id,
            "y": y.id,
            "network": network.id,
            "network_slug": network.slug,
            "x_slug": x.slug,
            "offering_id": offering.id,
            "delivered_deal_id": delivered.id,
            "draft_id": draft.id,
            "report_file_id": report_file.id,
            "waiting_membership_id": waiting.id,
            "contract_y_id": contract_y.id,
            "policy_y_id": policy_y.id,
            "realisation_y_id": submitted_y.id,
        },
    )
