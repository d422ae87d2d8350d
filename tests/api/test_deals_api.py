"""/api/v1 proposals and deals: a supplier proposes on a demand, the poster accepts (once, also
when two accepts arrive at once), the buyer enters the invoice and gets the realisation it
created; others' proposals and deals are 404."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Deal, Proposal, ProposalMessage, Realisation
from marketplace.models.deals import ACTIVE_PROPOSAL_STATES
from marketplace.services import accounts, proposals
from tests.deal_parties import DealParties, make_deal_parties
from tests.factories import add_member, make_listing, make_org
from tests.mailbox import outbox_messages
from tests.served import at_once, bearer_post

OFFER = {"message": "Wij doen dit met 3 fte.", "amount_cents": 1800000, "volume": "3 fte"}
INVOICE = {"invoice_number": "F-2026-0042", "invoice_date": "2026-06-30", "amount_cents": 1234567}


@pytest.fixture
def p(app) -> DealParties:
    return make_deal_parties()


@pytest.fixture(autouse=True)
def summer(app):
    with time_machine.travel(datetime(2026, 7, 1, 10, 0), tick=False):
        yield


def proposals_path(p: DealParties) -> str:
    return f"/api/v1/demands/{p.demand.id}/proposals"


def proposed(bearer, p: DealParties, seller=None) -> int:
    response = bearer(seller or p.seller).post(proposals_path(p), OFFER)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def test_a_supplier_proposes_on_a_demand(bearer, p):
    response = bearer(p.seller).post(proposals_path(p), OFFER)

    assert response.status_code == 201
    body = response.get_json()
    assert (body["demand_id"], body["organisation_id"], body["status"]) == (
        p.demand.id,
        p.supplier.id,
        "open",
    )


def test_a_second_proposal_of_the_same_supplier_is_a_conflict(bearer, p):
    proposed(bearer, p)

    response = bearer(p.seller).post(proposals_path(p), OFFER)

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "proposal_exists"


def test_a_contractor_cannot_propose(bearer, p):
    response = bearer(p.outsider).post(proposals_path(p), OFFER)

    assert response.status_code == 403


def test_a_proposal_without_message_is_refused_with_its_field(bearer, p):
    response = bearer(p.seller).post(proposals_path(p), {"amount_cents": 100})

    assert response.status_code == 422
    assert "message" in response.get_json()["error"]["fields"]


def test_a_negative_price_is_refused(bearer, p):
    response = bearer(p.seller).post(proposals_path(p), {**OFFER, "amount_cents": -1})

    assert response.status_code == 422


def test_a_proposal_on_a_demand_that_does_not_exist_is_404(bearer, p):
    response = bearer(p.seller).post("/api/v1/demands/999999/proposals", OFFER)

    assert response.status_code == 404


def test_a_member_of_two_suppliers_says_which_one_proposes(bearer, p):
    add_member(p.other_supplier, p.seller)

    unnamed = bearer(p.seller).post(proposals_path(p), OFFER)
    named = bearer(p.seller).post(
        proposals_path(p), {**OFFER, "organisation_id": p.other_supplier.id}
    )

    assert unnamed.status_code == 422
    assert "organisation_id" in unnamed.get_json()["error"]["fields"]
    assert named.get_json()["organisation_id"] == p.other_supplier.id


def test_the_poster_accepts_and_gets_the_deal(bearer, p):
    proposal_id = proposed(bearer, p)

    response = bearer(p.buyer).post(f"/api/v1/proposals/{proposal_id}/accept", {})

    assert response.status_code == 201
    deal = response.get_json()
    assert (deal["status"], deal["contract_id"], deal["agreed_amount_cents"]) == (
        "agreed",
        p.contract.id,
        1800000,
    )
    assert bearer(p.seller).get(f"/api/v1/deals/{deal['id']}").status_code == 200


def test_the_supplier_cannot_accept_its_own_proposal(bearer, p):
    proposal_id = proposed(bearer, p)

    response = bearer(p.seller).post(f"/api/v1/proposals/{proposal_id}/accept", {})

    assert response.status_code == 403


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_others_cannot_see_or_decide_a_proposal(bearer, p, action):
    proposal_id = proposed(bearer, p)

    response = bearer(p.other_seller).post(f"/api/v1/proposals/{proposal_id}/{action}", {})

    assert response.status_code == 404


def test_the_poster_declines(bearer, p):
    proposal_id = proposed(bearer, p)

    response = bearer(p.buyer).post(f"/api/v1/proposals/{proposal_id}/decline")

    assert (response.status_code, response.get_json()["status"]) == (200, "declined")


def test_either_side_writes_in_the_thread_and_the_other_is_told(bearer, p):
    proposal_id = proposed(bearer, p)
    path = f"/api/v1/proposals/{proposal_id}/messages"

    asked = bearer(p.buyer).post(path, {"body": "Kunnen jullie ook op zaterdag?"})
    answered = bearer(p.seller).post(path, {"body": "Ja, dat kan."})

    assert (asked.status_code, answered.status_code) == (201, 201)
    assert (asked.get_json()["organisation_id"], answered.get_json()["organisation_id"]) == (
        p.contractor.id,
        p.supplier.id,
    )
    assert asked.get_json()["body"] == "Kunnen jullie ook op zaterdag?"
    assert "Kunnen jullie ook op zaterdag?" in outbox_messages(p.seller.email)[-1].get_content()
    assert "Ja, dat kan." in outbox_messages(p.buyer.email)[-1].get_content()


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": "   "}, {"body": "x" * 5001}])
def test_an_empty_or_too_long_message_is_refused_with_its_field(bearer, p, body):
    proposal_id = proposed(bearer, p)

    response = bearer(p.buyer).post(f"/api/v1/proposals/{proposal_id}/messages", body)

    assert response.status_code == 422
    assert "body" in response.get_json()["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(ProposalMessage)) == 0


def test_the_supplier_withdraws_its_proposal_and_the_poster_is_told(bearer, p):
    proposal_id = proposed(bearer, p)

    response = bearer(p.seller).post(f"/api/v1/proposals/{proposal_id}/withdraw")

    assert (response.status_code, response.get_json()["status"]) == (200, "withdrawn")
    assert "heeft het voorstel voor" in outbox_messages(p.buyer.email)[-1].get_content()
    again = bearer(p.seller).post(f"/api/v1/proposals/{proposal_id}/withdraw")
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "proposal_decided")


def test_the_poster_cannot_withdraw_the_suppliers_proposal(bearer, p):
    proposal_id = proposed(bearer, p)

    response = bearer(p.buyer).post(f"/api/v1/proposals/{proposal_id}/withdraw")

    assert response.status_code == 403
    assert "error" in response.get_json()
    assert db.session.get(Proposal, proposal_id).status == "open"


@pytest.mark.parametrize(("action", "body"), [("messages", {"body": "Hallo"}), ("withdraw", None)])
def test_others_cannot_write_in_or_withdraw_a_proposal(bearer, p, action, body):
    proposal_id = proposed(bearer, p)

    for stranger in (p.outsider, p.other_seller, p.officer):
        response = bearer(stranger).post(f"/api/v1/proposals/{proposal_id}/{action}", body)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    missing = bearer(p.seller).post(f"/api/v1/proposals/{proposal_id + 999}/{action}", body)
    assert missing.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ProposalMessage)) == 0
    assert db.session.get(Proposal, proposal_id).status == "open"


def test_writing_in_a_thread_needs_a_token(client, bearer, p):
    proposal_id = proposed(bearer, p)

    response = client.post(f"/api/v1/proposals/{proposal_id}/messages", json={"body": "Hallo"})

    assert response.status_code == 401


def test_a_deal_is_404_for_others(bearer, p):
    proposal_id = proposed(bearer, p)
    deal_id = bearer(p.buyer).post(f"/api/v1/proposals/{proposal_id}/accept", {}).get_json()["id"]

    for stranger in (p.outsider, p.other_seller, p.officer):
        assert bearer(stranger).get(f"/api/v1/deals/{deal_id}").status_code == 404
        assert bearer(stranger).post(f"/api/v1/deals/{deal_id}/invoice", INVOICE).status_code == 404


def test_the_invoice_answers_with_the_realisation_and_its_value(bearer, p):
    proposal_id = proposed(bearer, p)
    deal_id = bearer(p.buyer).post(f"/api/v1/proposals/{proposal_id}/accept", {}).get_json()["id"]

    response = bearer(p.buyer).post(f"/api/v1/deals/{deal_id}/invoice", INVOICE)

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "delivered"
    realisation = db.session.get(Realisation, body["realisation"]["id"])
    assert body["realisation"]["value_cents"] == realisation.value_cents == 1234567
    assert body["realisation"]["state"] == "submitted"


def test_the_supplier_cannot_enter_the_invoice(bearer, p):
    proposal_id = proposed(bearer, p)
    deal_id = bearer(p.buyer).post(f"/api/v1/proposals/{proposal_id}/accept", {}).get_json()["id"]

    response = bearer(p.seller).post(f"/api/v1/deals/{deal_id}/invoice", INVOICE)

    assert response.status_code == 403


def test_an_invoice_without_date_is_refused(bearer, p):
    proposal_id = proposed(bearer, p)
    deal_id = bearer(p.buyer).post(f"/api/v1/proposals/{proposal_id}/accept", {}).get_json()["id"]

    response = bearer(p.buyer).post(
        f"/api/v1/deals/{deal_id}/invoice", {**INVOICE, "invoice_date": None}
    )

    assert response.status_code == 422
    assert "invoice_date" in response.get_json()["error"]["fields"]


def test_an_invoice_entered_twice_is_a_conflict(bearer, p):
    proposal_id = proposed(bearer, p)
    deal_id = bearer(p.buyer).post(f"/api/v1/proposals/{proposal_id}/accept", {}).get_json()["id"]
    bearer(p.buyer).post(f"/api/v1/deals/{deal_id}/invoice", INVOICE)

    again = bearer(p.buyer).post(f"/api/v1/deals/{deal_id}/invoice", INVOICE)

    assert again.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Realisation)) == 1


# --- at once, against a served app ------------------------------------------------------------


def test_two_proposals_accepted_at_once_make_one_deal(p, live):
    """Two accepts of different proposals on one demand: the database lets one through."""
    first = proposals.propose(p.demand, p.supplier, proposals.ProposalData("A", 100), p.seller)
    second = proposals.propose(
        p.demand, p.other_supplier, proposals.ProposalData("B", 200), p.other_seller
    )
    token = accounts.create_token(p.buyer, "race")
    paths = [f"/api/v1/proposals/{x.id}/accept" for x in (first, second)] * 2

    responses = at_once([lambda path=path: bearer_post(live, token, path, {}) for path in paths])

    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409], [
        r.text for r in responses
    ]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Deal)) == 1


def test_an_invoice_entered_twice_at_once_counts_once(p, live):
    from marketplace.services import deals

    proposal = proposals.propose(p.demand, p.supplier, proposals.ProposalData("A", 100), p.seller)
    deal = deals.accept(proposal, p.buyer)
    token = accounts.create_token(p.buyer, "race")
    path = f"/api/v1/deals/{deal.id}/invoice"

    responses = at_once([lambda: bearer_post(live, token, path, INVOICE)] * 3)

    assert sorted(r.status_code for r in responses) == [201, 409, 409], [r.text for r in responses]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Realisation)) == 1


def test_an_unverified_werkbedrijf_cannot_propose(bearer, p):
    owner = accounts.find_by_email("iemand@elders.example.com")
    make_org("werkbedrijf", owner=owner, verified=False)

    response = bearer(owner).post(proposals_path(p), OFFER)

    assert response.status_code == 403


def test_a_proposal_made_while_another_is_accepted_is_refused_or_declined(p, live):
    """A supplier proposes at the moment the buyer accepts another proposal: the new proposal is
    refused (409), or it came first and is declined with the others; never left open on a
    matched demand."""
    buyer = accounts.create_token(p.buyer, "race")
    seller = accounts.create_token(p.other_seller, "race")
    for _ in range(3):
        demand = make_listing(p.contractor, "demand", title="Groenonderhoud van de parken")
        first = proposals.propose(demand, p.supplier, proposals.ProposalData("A", 100), p.seller)
        accept = f"/api/v1/proposals/{first.id}/accept"
        propose = f"/api/v1/demands/{demand.id}/proposals"

        responses = at_once(
            [
                lambda path=accept: bearer_post(live, buyer, path, {}),
                lambda path=propose: bearer_post(live, seller, path, OFFER),
            ]
        )

        assert all(r.status_code < 500 for r in responses), [r.text for r in responses]
        db.session.rollback()
        left_open = db.session.scalars(
            select(Proposal.id).where(
                Proposal.listing_id == demand.id, Proposal.status.in_(ACTIVE_PROPOSAL_STATES)
            )
        ).all()
        assert left_open == []


def test_the_thread_and_withdraw_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    messages = paths["/api/v1/proposals/{proposal_id}/messages"]["post"]
    withdraw = paths["/api/v1/proposals/{proposal_id}/withdraw"]["post"]
    assert {"201", "401", "404", "422"} <= messages["responses"].keys()
    assert {"200", "401", "403", "404", "409"} <= withdraw["responses"].keys()
    assert messages["requestBody"]["content"]["application/json"]["schema"]
