"""Proposal and deal events tell the other side in the app as well as by mail, through
services/notifications.py, so each kind can be turned off per channel like every other."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Notification, NotificationOptOut
from marketplace.services import deals, proposals
from tests.deal_parties import DealParties, make_deal_parties
from tests.mailbox import outbox_messages

OFFER = proposals.ProposalData("Wij doen dit met 3 fte en begeleiding.", 1800000, "3 fte")


@pytest.fixture
def p(app) -> DealParties:
    with time_machine.travel(datetime(2026, 7, 1, 10, 0), tick=False):
        yield make_deal_parties()


def inbox(user) -> list[tuple[str, dict, str | None, dict]]:
    db.session.expire_all()
    return [
        (n.kind, n.params, n.link_name, n.link_args)
        for n in db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    ]


def test_a_proposal_tells_the_poster_in_the_app_with_a_link_to_the_thread(p):
    proposal = proposals.propose(p.demand, p.supplier, OFFER, p.seller)

    assert inbox(p.buyer)[-1] == (
        "proposal_received",
        {"title": "Schoonmaak van het gemeentehuis", "organisation": "EMCO-groep"},
        "proposal",
        {"proposal_id": proposal.id},
    )
    assert "EMCO-groep" in outbox_messages(p.buyer.email)[-1].get_content()


def test_accepting_tells_the_chosen_supplier_and_the_others_in_the_app(p):
    chosen = proposals.propose(p.demand, p.supplier, OFFER, p.seller)
    other = proposals.propose(p.demand, p.other_supplier, OFFER, p.other_seller)

    deal = deals.accept(chosen, p.buyer)

    assert inbox(p.seller)[-1][:3] == ("proposal_accepted", {"title": p.demand.title}, "deal")
    assert inbox(p.seller)[-1][3] == {"deal_id": deal.id}
    assert inbox(p.other_seller)[-1][0] == "proposal_declined"
    assert inbox(p.other_seller)[-1][3] == {"proposal_id": other.id}
    assert "Bedankt voor je voorstel" in outbox_messages(p.other_seller.email)[-1].get_content()


def test_a_message_turned_off_by_mail_still_shows_in_the_app(p):
    proposal = proposals.propose(p.demand, p.supplier, OFFER, p.seller)
    db.session.add(
        NotificationOptOut(user_id=p.seller.id, kind="proposal_message", channel="email")
    )
    db.session.commit()
    mails = len(outbox_messages(p.seller.email))

    proposals.post_message(proposal, "Kunnen jullie ook op zaterdag?", p.buyer)

    assert inbox(p.seller)[-1][0] == "proposal_message"
    assert len(outbox_messages(p.seller.email)) == mails
