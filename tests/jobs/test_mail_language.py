"""Mails are written in their reader's language: the one the user chose last on the site (kept
on the user), Dutch for a user who never chose. A job has no request and no reader's session, so
before this every mail a job wrote was Dutch; a mail to the other side of a request was in the
language of whoever made the request."""

from __future__ import annotations

from datetime import date, timedelta

import time_machine
from sqlalchemy import update

from marketplace.extensions import db
from marketplace.models import Contract, PsoCertificate, User
from marketplace.services import jobs, proposals, pso, realisations, reminders
from tests.conftest import AuthActions
from tests.deal_parties import make_deal_parties
from tests.factories import (
    add_member,
    fte_realisation,
    make_contract,
    make_listing,
    make_org,
    make_user,
)
from tests.mailbox import outbox_messages

TODAY = date(2026, 12, 1)


def chooses_english(app, email: str) -> None:
    """The user logs in and switches the site to English, in a browser session of their own."""
    client = app.test_client()
    AuthActions(client).login(email)
    assert client.post("/taal/en").status_code == 302


def subjects(email: str) -> list[str]:
    return [m["Subject"] for m in outbox_messages(email)]


def test_the_language_chosen_while_logged_in_is_kept_and_comes_back_at_the_next_login(app):
    user = make_user("reader@example.com")
    chooses_english(app, user.email)
    assert db.session.get(User, user.id).locale == "en"

    elsewhere = app.test_client()
    AuthActions(elsewhere).login(user.email)
    assert '<html lang="en"' in elsewhere.get("/meldingen").get_data(as_text=True)


def test_a_language_chosen_before_logging_in_becomes_the_users(app):
    user = make_user("reader@example.com")
    client = app.test_client()
    client.post("/taal/en")
    AuthActions(client).login(user.email)
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"


def test_the_listing_expiry_notice_is_in_each_members_language(app):
    org = make_org("werkbedrijf", owner=make_user("wvs@example.com"), name="WVS", verified=True)
    add_member(org, make_user("english@wvs.example.com"))
    chooses_english(app, "english@wvs.example.com")
    with time_machine.travel(TODAY, tick=False):
        make_listing(org, title="Postbezorging", last_day=TODAY + timedelta(days=5))
        jobs.listing_expiry_sweep()

    assert subjects("wvs@example.com") == ["Je vraag of aanbod verloopt binnenkort"]
    assert subjects("english@wvs.example.com") == ["Your listing expires soon"]
    assert (
        "Change its date in My marketplace"
        in outbox_messages("english@wvs.example.com")[0].get_content()
    )


def test_the_pso_expiry_notice_is_in_each_members_language(app, contractor):
    add_member(contractor, make_user("english@contractor.example.com"))
    chooses_english(app, "english@contractor.example.com")
    db.session.add(
        PsoCertificate(
            organisation_id=contractor.id, level="trede_2", number="PSO-1", valid_until=TODAY
        )
    )
    db.session.commit()

    pso.expiry_sweep(TODAY)

    assert subjects("owner@contractor.example.com") == ["Je PSO-certificaat verloopt binnenkort"]
    assert subjects("english@contractor.example.com") == ["Your PSO certificate expires soon"]


def test_the_realisation_reminder_is_in_each_members_language_amounts_included(
    app, parties, authority, contractor
):
    add_member(contractor, make_user("english@contractor.example.com"))
    chooses_english(app, "english@contractor.example.com")
    make_contract(authority, contractor, parties.officer)
    db.session.execute(update(Contract).values(created_at=date(2026, 1, 1), status="at_risk"))
    db.session.commit()

    assert reminders.send_reminders(date(2026, 6, 1)) == 1

    dutch = outbox_messages(parties.owner.email)[-1].get_content()
    english = outbox_messages("english@contractor.example.com")[-1].get_content()
    assert "Resterende verplichting" in dutch and "60.000,00" in dutch
    assert "Remaining obligation: €60,000.00" in english


def test_a_proposal_is_told_to_the_poster_in_the_posters_language(app):
    with time_machine.travel(date(2026, 7, 1), tick=False):
        p = make_deal_parties()
        chooses_english(app, p.buyer.email)
        offer = proposals.ProposalData("Wij doen dit met 3 fte.", 1800000, "3 fte")
        proposals.propose(p.demand, p.supplier, offer, p.seller)

    assert subjects(p.buyer.email)[-1] == f"New proposal for {p.demand.title}"


def test_a_decision_by_a_dutch_officer_reaches_an_english_contractor_in_english(
    app, parties, contract, client, auth
):
    """The officer decides in a Dutch session: what was translated in that request used to be
    Dutch for everyone; each mail is now worded in its reader's language."""
    add_member(parties.contractor, make_user("english@contractor.example.com"))
    chooses_english(app, "english@contractor.example.com")
    r = realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)
    auth.login(parties.officer.email)

    response = client.post(
        "/inkoop/beoordelen",
        data={"ids": [r.id], "reject": "1", "reason": "Het contract ontbreekt."},
    )

    assert response.status_code == 302
    english = outbox_messages("english@contractor.example.com")[-1]
    assert english["Subject"] == "Realisations rejected: Onderhoud openbare ruimte (EMM-01)"
    text = english.get_content()
    assert "Gemeente Test rejected 1 realisation on the contract" in text
    assert "Reason: Het contract ontbreekt." in text and "choose “Send again”" in text
    dutch = outbox_messages(parties.owner.email)[-1]
    assert dutch["Subject"] == "Realisaties afgewezen: Onderhoud openbare ruimte (EMM-01)"


def test_a_submission_by_a_dutch_contractor_reaches_an_english_officer_in_english(
    app, parties, contract, client, auth
):
    chooses_english(app, parties.officer.email)
    auth.login(parties.owner.email)
    draft = realisations.submit(contract, fte_realisation("KAND-1"), parties.owner, draft=True)

    response = client.post(f"/opdrachtnemer/realisaties/{draft.id}/indienen")

    assert response.status_code == 302
    [mail] = [m for m in outbox_messages(parties.officer.email) if "status" not in m["Subject"]]
    assert mail["Subject"] == "Realisation to decide on: Onderhoud openbare ruimte (EMM-01)"
    assert "What to do: open the contract" in mail.get_content()


def test_a_verifier_acting_in_dutch_tells_an_english_member_in_english(
    app, parties, contract, client, auth
):
    """The PSO verdict is sent from the officer's request: every text reaches each member in
    that member's language (services/notify.py refuses texts translated in the request)."""
    add_member(parties.contractor, make_user("english@contractor.example.com"))
    chooses_english(app, "english@contractor.example.com")
    cert = PsoCertificate(
        organisation_id=parties.contractor.id, level="trede_2", number="PSO-9", valid_until=TODAY
    )
    db.session.add(cert)
    db.session.commit()
    auth.login(parties.officer.email)

    with app.test_request_context():  # a request in the officer's (Dutch) session
        pso.reject(cert.id, "Het nummer klopt niet.", parties.officer)

    english = outbox_messages("english@contractor.example.com")[-1]
    assert english["Subject"] == "Your PSO certificate was not accepted"
    assert "Het nummer klopt niet." in english.get_content()
    assert subjects(parties.owner.email)[-1] == "Je PSO-certificaat is niet geaccepteerd"
