"""Deals in public: the front page counts the year's matches, their value and the SROI value
their approved realisations added; a profile shows the organisation's delivered deals and only
its published reviews; both pages in a few statements."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from marketplace.extensions import db
from marketplace.services import deals, proposals, realisations
from tests.deal_parties import DealParties, make_deal_parties
from tests.factories import make_listing
from tests.querycount import counting_statements

MAX_STATEMENTS = 10
OFFER = proposals.ProposalData("Wij doen dit met 3 fte.", 1800000, "3 fte")


@pytest.fixture(autouse=True)
def summer(app):
    with time_machine.travel(datetime(2026, 7, 1, 10, 0), tick=False):
        yield


@pytest.fixture
def p(app) -> DealParties:
    return make_deal_parties()


def _delivered_deal(p: DealParties, title: str, invoice: str, amount_cents: int):
    demand = make_listing(p.contractor, "demand", contract_id=p.contract.id, title=title)
    deal = deals.accept(proposals.propose(demand, p.supplier, OFFER, p.seller), p.buyer)
    deals.deliver(deal, deals.InvoiceData(invoice, date(2026, 6, 30), amount_cents), p.buyer)
    return deal


def test_the_front_page_counts_only_approved_realisations_as_realised(client, p):
    approved = _delivered_deal(p, "Schoonmaak gemeentehuis", "F-1", 1234567)
    _delivered_deal(p, "Groenonderhoud", "F-2", 500000)
    realisations.approve([approved.realisation_id], p.officer)

    page = client.get("/").get_data(as_text=True)

    figures = page[page.index('id="figures-heading"') :]
    assert 'Matches</dt><dd class="app-card__figure">2<' in figures and "36.000,00" in figures
    assert "12.345,67" in figures and "17.345,67" not in figures


def test_a_profile_shows_delivered_deals_and_only_published_reviews(client, p):
    both = _delivered_deal(p, "Schoonmaak gemeentehuis", "F-1", 100000)
    one_sided = _delivered_deal(p, "Groenonderhoud", "F-2", 100000)
    deals.review(both, 5, "Prima samengewerkt.", p.buyer)
    deals.review(both, 4, "Fijne klant.", p.seller)
    deals.review(one_sided, 2, "Nog niet openbaar.", p.buyer)

    page = client.get(f"/organisaties/{p.supplier.slug}").get_data(as_text=True)

    assert "Prima samengewerkt." in page and "5 van 5" in page
    assert "Nog niet openbaar." not in page and "Fijne klant." not in page
    assert "Afgeronde deals" in page and "36.000,00" in page
    assert "EMM-2026-001" not in page and "Schoonmaak gemeentehuis" not in page


@pytest.mark.parametrize("page", ["front", "profile"])
def test_the_pages_with_deals_stay_within_a_few_statements(client, p, page):
    for i in range(3):
        deal = _delivered_deal(p, f"Vraag {i}", f"F-{i}", 100000)
        deals.review(deal, 4, f"Review {i}", p.buyer)
        deals.review(deal, 4, f"Terug {i}", p.seller)
    url = "/" if page == "front" else f"/organisaties/{p.supplier.slug}"
    db.session.expire_all()

    with counting_statements(db.engine) as statements:
        assert client.get(url).status_code == 200

    assert statements.count <= MAX_STATEMENTS, str(statements)
