"""A delivered placement deal opens a realisation draft on the linked contract with the building
block and the deal's period, for the contractor to complete with the pseudonymous candidate
reference and submit (issue 13, "Proposals, conversation, deals")."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine

from marketplace.extensions import db
from marketplace.models import Deal, Realisation
from marketplace.services import deals, proposals, realisations
from marketplace.services.errors import Conflict, Forbidden, ServiceError
from tests.deal_parties import DealParties, make_deal_parties
from tests.factories import make_listing
from tests.mailbox import outbox_messages

OFFER = proposals.ProposalData("Wij plaatsen een medewerker via detachering.", 2400000, "1 fte")
PLACEMENT = deals.PlacementData("PW", date(2026, 7, 1), date(2026, 12, 31))


@pytest.fixture(autouse=True)
def summer(app):
    with time_machine.travel(datetime(2026, 7, 1, 10, 0), tick=False):
        yield


@pytest.fixture
def p(app) -> DealParties:
    return make_deal_parties()


def placement_deal(p: DealParties, **dates) -> Deal:
    demand = make_listing(
        p.contractor,
        "demand",
        contract_id=p.contract.id,
        type="placement",
        title="Leerwerkplek in de groenvoorziening",
    )
    proposal = proposals.propose(demand, p.supplier, OFFER, p.seller)
    return deals.accept(proposal, p.buyer, dates.get("start", date(2026, 7, 1)), dates.get("end"))


def test_a_delivered_placement_opens_a_draft_with_block_and_period(p):
    deal = placement_deal(p, end=date(2026, 12, 31))

    deals.deliver_placement(deal, PLACEMENT, p.buyer)

    draft = db.session.get(Realisation, deal.realisation_id)
    assert deal.status == "delivered" and deal.invoice_number is None
    assert (draft.state, draft.contract_id, draft.block.code) == ("draft", p.contract.id, "PW")
    assert (draft.start_date, draft.end_date) == (date(2026, 7, 1), date(2026, 12, 31))
    assert draft.candidate_ref is None and draft.value_cents == 0
    assert "EMCO-groep" in draft.description
    assert "geleverd" in outbox_messages(p.seller.email)[-1]["Subject"]
    # Officers do not see it until the contractor submits it.
    assert draft not in db.session.scalars(realisations.awaiting_decision(p.authority.id))


def test_the_contractor_completes_the_draft_and_submits_it(p):
    deal = placement_deal(p)
    deals.deliver_placement(deal, PLACEMENT, p.buyer)
    draft = db.session.get(Realisation, deal.realisation_id)
    data = realisations._data_of(draft)
    data.candidate_ref, data.hours_per_week = "KAND-2026-031", Decimal(36)

    realisations.correct(draft, data, p.buyer, send=True)

    assert draft.state == "submitted" and draft.value_cents > 0
    assert draft in db.session.scalars(realisations.awaiting_decision(p.authority.id))


def test_a_placement_needs_a_people_block(p):
    deal = placement_deal(p)
    with pytest.raises(ServiceError) as refused:
        deals.deliver_placement(deal, deals.PlacementData("INK", None, None), p.buyer)
    assert "block_code" in refused.value.fields
    assert db.session.get(Deal, deal.id).status == "agreed"


def test_a_period_outside_the_contract_leaves_the_deal_agreed(p):
    deal = placement_deal(p)
    outside = deals.PlacementData("PW", date(2025, 1, 1), date(2025, 6, 30))
    with pytest.raises(ServiceError) as refused:
        deals.deliver_placement(deal, outside, p.buyer)
    assert "start_date" in refused.value.fields
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).status == "agreed"
    assert db.session.get(Deal, deal.id).realisation_id is None


def test_only_the_buyer_delivers_and_only_once(p):
    deal = placement_deal(p)
    with pytest.raises(Forbidden):
        deals.deliver_placement(deal, PLACEMENT, p.seller)
    deals.deliver_placement(deal, PLACEMENT, p.buyer)
    with pytest.raises(Conflict):
        deals.deliver_placement(deal, PLACEMENT, p.buyer)


def test_a_placement_deal_on_a_contract_takes_no_invoice(p):
    deal = placement_deal(p)
    invoice = deals.InvoiceData("F-1", date(2026, 6, 30), 100000)
    with pytest.raises(ServiceError) as refused:
        deals.deliver(deal, invoice, p.buyer)
    assert refused.value.code == "placement_deal"


def test_the_deal_page_delivers_a_placement_and_leads_to_the_draft(client, auth, p):
    deal = placement_deal(p, end=date(2026, 12, 31))
    auth.login(p.buyer.email)
    page = client.get(f"/markt/deals/{deal.id}").get_data(as_text=True)
    assert "Plaatsing als geleverd melden" in page and 'value="2026-12-31"' in page
    assert "Factuurnummer" not in page

    response = client.post(
        f"/markt/deals/{deal.id}/plaatsing",
        data={"block_code": "PW", "start_date": "2026-07-01", "end_date": "2026-12-31"},
    )

    db.session.refresh(deal)
    assert response.status_code == 302
    assert response.location.endswith(f"/opdrachtnemer/realisaties/{deal.realisation_id}/bewerken")
    draft_page = client.get(response.location).get_data(as_text=True)
    assert "Concept bewerken" in draft_page and "Kenmerk kandidaat" in draft_page
