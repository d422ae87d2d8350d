"""The proposal and deal pages: a supplier proposes from the demand's page, the two sides talk in
the thread, the poster accepts behind a confirmation page, the buyer enters the invoice on the
deal page; others get 404, and 'Mijn markt' lists proposals and deals in a bounded number of
queries."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
import time_machine
from sqlalchemy import event

from marketplace.extensions import db
from marketplace.models import Deal, Realisation
from marketplace.services import deals, proposals
from tests.deal_parties import DealParties, make_deal_parties

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OFFER = proposals.ProposalData("Wij doen dit met 3 fte.", 1800000, "3 fte")


@pytest.fixture
def p(app) -> DealParties:
    return make_deal_parties()


@pytest.fixture(autouse=True)
def summer(app):
    with time_machine.travel(datetime(2026, 7, 1, 10, 0), tick=False):
        yield


def test_the_demand_page_invites_a_verified_supplier_to_propose(client, auth, p):
    auth.login(p.seller.email)

    page = client.get(f"/markt/vraag/{p.demand.id}").get_data(as_text=True)

    assert "Doe een voorstel" in page


def test_the_poster_sees_the_proposals_on_its_demand_page(client, auth, p):
    proposals.propose(p.demand, p.supplier, OFFER, p.seller)
    auth.login(p.buyer.email)

    page = client.get(f"/markt/vraag/{p.demand.id}").get_data(as_text=True)

    assert "EMCO-groep" in page and "18.000,00" in page


def test_a_supplier_proposes_with_an_attachment(client, auth, p):
    auth.login(p.seller.email)

    response = client.post(
        f"/markt/vraag/{p.demand.id}/voorstel",
        data={
            "message": "Wij doen dit.",
            "amount_cents": "18.000",
            "volume": "3 fte",
            "attachment": (io.BytesIO(PDF), "offerte.pdf"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    thread = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Wij doen dit." in thread and "offerte.pdf" in thread


def test_a_proposal_form_with_errors_shows_them_and_saves_nothing(client, auth, p):
    auth.login(p.seller.email)

    response = client.post(f"/markt/vraag/{p.demand.id}/voorstel", data={"message": ""})

    assert response.status_code == 422
    assert "Schrijf een kort bericht bij je aanbod." in response.get_data(as_text=True)
    assert proposals.incoming(p.contractor) == []


def test_html_in_a_message_is_shown_as_text(client, auth, p):
    proposal = proposals.propose(p.demand, p.supplier, OFFER, p.seller)
    auth.login(p.buyer.email)

    client.post(f"/markt/voorstellen/{proposal.id}/bericht", data={"body": "<script>x()</script>"})

    page = client.get(f"/markt/voorstellen/{proposal.id}").get_data(as_text=True)
    assert "&lt;script&gt;x()&lt;/script&gt;" in page and "<script>x()" not in page


@pytest.mark.parametrize(
    "path",
    [
        "/markt/voorstellen/{id}",
        "/markt/voorstellen/{id}/accepteren",
        "/markt/voorstellen/{id}/afwijzen",
        "/markt/voorstellen/{id}/bijlage",
    ],
)
def test_others_get_404_on_a_proposal(client, auth, p, path):
    proposal = proposals.propose(p.demand, p.supplier, OFFER, p.seller)
    auth.login(p.other_seller.email)

    assert client.get(path.format(id=proposal.id)).status_code == 404


def test_accepting_asks_for_confirmation_then_records_the_deal(client, auth, p):
    proposal = proposals.propose(p.demand, p.supplier, OFFER, p.seller)
    auth.login(p.buyer.email)

    confirm = client.get(f"/markt/voorstellen/{proposal.id}/accepteren")
    assert "Ja, accepteer en leg de deal vast" in confirm.get_data(as_text=True)
    response = client.post(f"/markt/voorstellen/{proposal.id}/accepteren", data={})

    deal = db.session.query(Deal).one()
    assert response.headers["Location"].endswith(f"/markt/deals/{deal.id}")


def test_declining_asks_for_confirmation(client, auth, p):
    proposal = proposals.propose(p.demand, p.supplier, OFFER, p.seller)
    auth.login(p.buyer.email)

    assert "Ja, wijs af" in client.get(f"/markt/voorstellen/{proposal.id}/afwijzen").get_data(
        as_text=True
    )
    client.post(f"/markt/voorstellen/{proposal.id}/afwijzen")

    db.session.refresh(proposal)
    assert proposal.status == "declined"


def test_the_invoice_on_the_deal_page_creates_the_realisation(client, auth, p):
    deal = deals.accept(proposals.propose(p.demand, p.supplier, OFFER, p.seller), p.buyer)
    auth.login(p.buyer.email)

    response = client.post(
        f"/markt/deals/{deal.id}/factuur",
        data={
            "invoice_number": "F-2026-0042",
            "invoice_date": "2026-06-30",
            "amount_cents": "12.345,67",
            "invoice_file": (io.BytesIO(PDF), "factuur.pdf"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    realisation = db.session.query(Realisation).one()
    assert (realisation.value_cents, realisation.state) == (1234567, "submitted")
    page = client.get(f"/markt/deals/{deal.id}").get_data(as_text=True)
    assert "12.345,67" in page and "ingediend" in page


def test_an_invoice_form_with_errors_saves_nothing(client, auth, p):
    deal = deals.accept(proposals.propose(p.demand, p.supplier, OFFER, p.seller), p.buyer)
    auth.login(p.buyer.email)

    response = client.post(
        f"/markt/deals/{deal.id}/factuur",
        data={"invoice_number": "F-1", "invoice_date": "2026-07-09", "amount_cents": "100"},
    )

    assert response.status_code == 422
    assert "De factuurdatum kan niet in de toekomst liggen." in response.get_data(as_text=True)
    assert db.session.query(Realisation).count() == 0


def test_a_deal_is_404_for_others(client, auth, p):
    deal = deals.accept(proposals.propose(p.demand, p.supplier, OFFER, p.seller), p.buyer)
    auth.login(p.outsider.email)

    assert client.get(f"/markt/deals/{deal.id}").status_code == 404
    assert client.post(f"/markt/deals/{deal.id}/factuur", data={}).status_code == 404


def test_both_sides_review_after_delivery(client, auth, p):
    deal = deals.accept(proposals.propose(p.demand, p.supplier, OFFER, p.seller), p.buyer)
    deals.deliver(deal, deals.InvoiceData("F-1", datetime(2026, 6, 30).date(), 100), p.buyer)
    deals.review(deal, 5, "Prima samengewerkt.", p.buyer)
    auth.login(p.seller.email)

    before = client.get(f"/markt/deals/{deal.id}").get_data(as_text=True)
    client.post(f"/markt/deals/{deal.id}/review", data={"rating": "4", "text": "Fijne klant."})
    after = client.get(f"/markt/deals/{deal.id}").get_data(as_text=True)

    assert "Prima samengewerkt." not in before
    assert "Prima samengewerkt." in after and "Fijne klant." in after


def count_queries(fn) -> int:
    statements = []

    def before(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def test_my_marketplace_lists_proposals_and_deals_in_few_queries(client, auth, p):
    auth.login(p.buyer.email)
    proposals.propose(p.demand, p.supplier, OFFER, p.seller)
    client.get("/markt/mijn")
    few = count_queries(lambda: client.get("/markt/mijn"))
    deals.accept(proposals.propose(p.demand, p.other_supplier, OFFER, p.other_seller), p.buyer)

    page = client.get("/markt/mijn").get_data(as_text=True)
    more = count_queries(lambda: client.get("/markt/mijn"))

    assert "Voorstellen op je vraag" in page and "Menso" in page
    assert more == few <= 10
