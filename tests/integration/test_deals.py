"""From a contractor's demand to counted social return: a social supplier proposes, the two sides
talk, the poster accepts one proposal (the others are told politely), and the delivered deal's
invoice becomes an `invoice` realisation on the contract, submitted for the officer's approval
(docs/domain.md "The marketplace", "Purchase credit by supplier certification")."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select, update

from marketplace.extensions import db
from marketplace.models import Deal, Listing, Proposal, Realisation
from marketplace.services import audit, deals, proposals, realisations
from marketplace.services.errors import Conflict, Forbidden, NotFound, ServiceError
from marketplace.services.evidence import Upload
from tests import backends
from tests.deal_parties import DealParties, make_deal_parties
from tests.factories import make_listing, make_org, make_user
from tests.mailbox import outbox_messages

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OFFER = proposals.ProposalData("Wij doen dit met 3 fte en begeleiding.", 1800000, "3 fte")
INVOICE = deals.InvoiceData("F-2026-0042", date(2026, 6, 30), 1234567)


@pytest.fixture
def p(app) -> DealParties:
    return make_deal_parties()


@pytest.fixture(autouse=True)
def summer(app):
    with time_machine.travel(datetime(2026, 7, 1, 10, 0), tick=False):
        yield


def propose(p: DealParties, supplier=None, seller=None) -> Proposal:
    return proposals.propose(p.demand, supplier or p.supplier, OFFER, seller or p.seller)


def test_a_proposal_puts_the_demand_in_conversation_and_tells_the_poster(p):
    proposal = propose(p)

    assert proposal.status == "open"
    assert p.demand.status == "in_conversation"
    mails = outbox_messages(p.buyer.email)
    assert "EMCO-groep" in mails[-1].get_content()


@pytest.mark.skipif(
    backends.backend() != "postgresql",
    reason="a write by another transaction while this one reads; SQLite lets one writer in",
)
def test_accepting_decides_on_the_demand_as_committed_not_as_read_before(p):
    """The demand is moved the way every listing is (listings.lock, then _move): read afresh
    under the lock, so its audit row shows what another request committed in between."""
    proposal = propose(p)
    assert proposal.listing.title == p.demand.title  # read in this transaction
    with db.engine.connect() as other:
        other.execute(
            update(Listing).where(Listing.id == p.demand.id).values(title="Schoonmaak stadhuis")
        )
        other.commit()

    deals.accept(proposal, p.buyer)

    matched = audit.history("Listing", p.demand.id)[0]
    assert matched.action == "listing.match"
    assert (matched.before["title"], matched.after["title"]) == ("Schoonmaak stadhuis",) * 2


def test_one_open_proposal_per_supplier_per_demand(p):
    propose(p)

    with pytest.raises(Conflict) as refused:
        propose(p)

    assert refused.value.code == "proposal_exists"
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 1


def test_a_contractor_cannot_propose(p):
    with pytest.raises(Forbidden):
        proposals.propose(p.demand, p.contractor, OFFER, p.buyer)


def test_an_unverified_social_enterprise_cannot_propose(p):
    seller = make_user()
    unverified = make_org("social_enterprise", owner=seller, verified=False)

    with pytest.raises(Forbidden):
        propose(p, unverified, seller)


def test_a_proposal_needs_a_message_and_a_price_or_volume(p):
    with pytest.raises(ServiceError) as refused:
        proposals.propose(p.demand, p.supplier, proposals.ProposalData("  "), p.seller)

    assert set(refused.value.fields) == {"message", "amount_cents"}


def test_an_attachment_that_is_not_a_pdf_or_image_is_refused(p):
    upload = Upload("offerte.pdf", b"<script>alert(1)</script>")

    with pytest.raises(ServiceError) as refused:
        proposals.propose(p.demand, p.supplier, OFFER, p.seller, upload)

    assert "attachment" in refused.value.fields
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


def test_only_the_two_sides_see_a_proposal(p):
    proposal = propose(p)

    assert proposals.proposal_for_party(proposal.id, p.buyer)[1] == "buyer"
    assert proposals.proposal_for_party(proposal.id, p.seller)[1] == "supplier"
    for stranger in (p.outsider, p.other_seller, p.officer):
        with pytest.raises(NotFound):
            proposals.proposal_for_party(proposal.id, stranger)


def test_a_message_reaches_the_other_side(p):
    proposal = propose(p)

    proposals.post_message(proposal, "Kunnen jullie ook in het weekend?", p.buyer)

    assert [m.body for m in proposal.messages] == ["Kunnen jullie ook in het weekend?"]
    assert "weekend" in outbox_messages(p.seller.email)[-1].get_content()


def test_asking_for_a_revised_offer_and_getting_it(p):
    proposal = propose(p)

    proposals.request_revision(proposal, "Kan het voor 15.000?", p.buyer)
    assert proposal.status == "revision_requested"
    revised = proposals.ProposalData("Akkoord: 15.000.", 1500000, "3 fte")
    proposals.revise(proposal, revised, p.seller)

    assert (proposal.status, proposal.amount_cents) == ("open", 1500000)


def test_the_supplier_cannot_decline_its_own_proposal(p):
    proposal = propose(p)

    with pytest.raises(Forbidden):
        proposals.decline(proposal, p.seller)


def test_accepting_records_a_deal_matches_the_demand_and_declines_the_others_politely(p):
    chosen = propose(p)
    other = propose(p, p.other_supplier, p.other_seller)

    deal = deals.accept(chosen, p.buyer)

    assert (deal.buyer_id, deal.supplier_id, deal.contract_id) == (
        p.contractor.id,
        p.supplier.id,
        p.contract.id,
    )
    assert deal.agreed_amount_cents == 1800000
    assert p.demand.status == "matched"
    db.session.refresh(other)
    assert (chosen.status, other.status) == ("accepted", "declined")
    assert "Bedankt voor je voorstel" in outbox_messages(p.other_seller.email)[-1].get_content()
    assert "geaccepteerd" in outbox_messages(p.seller.email)[-1]["Subject"]


def test_a_second_accept_on_the_same_demand_is_a_conflict(p):
    first = propose(p)
    second = propose(p, p.other_supplier, p.other_seller)
    deals.accept(first, p.buyer)

    with pytest.raises(Conflict):
        deals.accept(second, p.buyer)

    assert db.session.scalar(select(func.count()).select_from(Deal)) == 1


def test_the_invoice_becomes_a_submitted_invoice_realisation_valued_by_the_certification(p):
    deal = deals.accept(propose(p), p.buyer)

    deals.deliver(deal, INVOICE, p.buyer, Upload("factuur.pdf", PDF))

    realisation = db.session.get(Realisation, deal.realisation_id)
    assert deal.status == "delivered"
    assert realisation.state == "submitted"
    assert realisation.contract_id == p.contract.id
    assert (realisation.supplier_name, realisation.supplier_kvk) == ("EMCO-groep", "04036427")
    # A verified werkbedrijf earns 100% purchase credit (docs/domain.md table).
    assert realisation.supplier_certification == "werkbedrijf"
    assert realisation.value_cents == 1234567
    assert [e.filename for e in realisation.evidence] == ["factuur.pdf"]
    assert realisation in db.session.scalars(realisations.awaiting_decision(p.authority.id))


def test_the_certification_is_the_one_held_on_the_invoice_date(p):
    seller = make_user()
    unverified_kind = make_org("social_enterprise", owner=seller, verified=True)
    deal = deals.accept(propose(p, unverified_kind, seller), p.buyer)

    deals.deliver(deal, INVOICE, p.buyer)

    realisation = db.session.get(Realisation, deal.realisation_id)
    assert (realisation.supplier_certification, realisation.value_cents) == ("none", 0)


def test_one_invoice_counts_once_through_the_realisations_rule(p):
    deal = deals.accept(propose(p), p.buyer)
    demand = make_listing(p.contractor, "demand", contract_id=p.contract.id)
    second = deals.accept(proposals.propose(demand, p.supplier, OFFER, p.seller), p.buyer)
    deals.deliver(deal, INVOICE, p.buyer)

    with pytest.raises(ServiceError) as refused:
        deals.deliver(second, deals.InvoiceData("f 2026 0042", date(2026, 6, 30), 5000), p.buyer)

    assert "invoice_number" in refused.value.fields
    db.session.refresh(second)
    assert (second.status, second.realisation_id) == ("agreed", None)


def test_an_invoice_dated_in_the_future_is_refused_and_nothing_is_saved(p):
    deal = deals.accept(propose(p), p.buyer)

    with pytest.raises(ServiceError) as refused:
        deals.deliver(deal, deals.InvoiceData("F-1", date(2026, 7, 2), 100), p.buyer)

    assert "invoice_date" in refused.value.fields
    assert db.session.scalar(select(func.count()).select_from(Realisation)) == 0


def test_a_deal_without_contract_is_just_delivered(p):
    demand = make_listing(p.contractor, "demand")
    deal = deals.accept(proposals.propose(demand, p.supplier, OFFER, p.seller), p.buyer)

    deals.deliver(deal, INVOICE, p.buyer)

    assert (deal.status, deal.realisation_id) == ("delivered", None)


def test_only_the_buyer_marks_delivered(p):
    deal = deals.accept(propose(p), p.buyer)

    with pytest.raises(Forbidden):
        deals.deliver(deal, INVOICE, p.seller)
    with pytest.raises(NotFound):
        deals.deal_for_party(deal.id, p.outsider)


def test_reviews_are_published_together_when_both_exist(p):
    deal = deals.accept(propose(p), p.buyer)
    deals.deliver(deal, INVOICE, p.buyer)
    now = datetime(2026, 7, 1, 10, 0)

    deals.review(deal, 5, "Prima samengewerkt.", p.buyer)
    assert deals.visible_reviews(deal, "supplier", now) == ([], False)
    deals.review(deal, 4, "Duidelijke opdrachtgever.", p.seller)

    shown, reviewed = deals.visible_reviews(deal, "supplier", now)
    assert sorted(r.rating for r in shown) == [4, 5] and reviewed


def test_a_lone_review_is_published_fourteen_days_later(p):
    deal = deals.accept(propose(p), p.buyer)
    deals.deliver(deal, INVOICE, p.buyer)
    deals.review(deal, 5, "Prima samengewerkt.", p.buyer)
    written = datetime(2026, 7, 1, 10, 0)

    assert deals.published_reviews_of(p.supplier, written + timedelta(days=13)) == []
    assert len(deals.published_reviews_of(p.supplier, written + timedelta(days=14))) == 1


def test_one_review_per_side_and_only_after_delivery(p):
    deal = deals.accept(propose(p), p.buyer)
    with pytest.raises(ServiceError):
        deals.review(deal, 5, "Te vroeg.", p.buyer)
    deals.deliver(deal, INVOICE, p.buyer)
    deals.review(deal, 5, "Prima.", p.buyer)

    with pytest.raises(Conflict):
        deals.review(deal, 1, "Nog eens.", p.buyer)
