"""A person's AVG rights on the site: download their data, delete their account (anonymised,
business records kept); an owner's export of the organisation; an authority's retention terms;
the public privacy statement."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import time_machine
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    ApiToken,
    AuditLog,
    LoginThrottle,
    OrganisationMember,
    Realisation,
    User,
)
from marketplace.services import accounts, login_throttle, realisations
from tests.factories import PASSWORD, add_member, fte_realisation, make_org, make_user

OWNER = "owner@contractor.example.com"
OFFICER = "officer@authority.example.com"


def test_the_privacy_statement_is_public_and_names_the_terms(client):
    page = client.get("/privacy", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "2 jaar" in page and "7 jaar" in page


def test_the_privacy_statement_says_how_long_mails_are_kept(app, client):
    app.config["OUTBOX_KEEP_DAYS"] = 14
    page = client.get("/privacy", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "14 dagen na verzending" in page and "90 dagen" in page


def test_a_user_downloads_their_data_without_secrets(client, auth, contractor):
    auth.login(OWNER)
    response = client.get("/account/gegevens.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == OWNER
    assert data["organisations"][0]["organisation"] == contractor.name
    assert data["organisations"][0]["role"] == "owner"
    assert "password_hash" not in response.get_data(as_text=True)


def test_the_data_download_is_named_by_the_amsterdam_day_and_not_cached(client, auth, user):
    auth.login("someone@example.com")
    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        response = client.get("/account/gegevens.json")
    assert "filename=mijn-gegevens-2027-01-01.json" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_data_download_needs_a_login(client):
    assert client.get("/account/gegevens.json").status_code == 302


def test_a_wrong_password_deletes_nothing(client, auth, contractor):
    auth.login(OWNER)
    response = client.post("/account/verwijderen", data={"password": "wrong", "confirm": "y"})
    assert response.status_code == 422
    assert "not your password" in response.get_data(as_text=True).lower() or (
        "niet je wachtwoord" in response.get_data(as_text=True)
    )
    assert accounts.find_by_email(OWNER) is not None


def test_deleting_the_account_anonymises_the_person_and_keeps_the_realisation(
    client, auth, parties
):
    contract = parties.contract
    realisation = realisations.submit(contract, fte_realisation(), parties.owner)
    accounts.create_token(parties.owner, "boekhouding")
    helper = make_user("helper@contractor.example.com")
    add_member(parties.contractor, helper, "owner")  # another owner: the role is not left empty
    auth.login(OWNER)
    response = client.post("/account/verwijderen", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    user = db.session.get(User, parties.owner.id)
    assert user.email.startswith("verwijderd-") and user.name == ""
    assert accounts.find_by_email(OWNER) is None
    assert db.session.scalar(select(func.count()).where(ApiToken.user_id == user.id)) == 0
    assert db.session.scalar(select(func.count()).where(OrganisationMember.user_id == user.id)) == 0
    kept = db.session.get(Realisation, realisation.id)
    assert kept.created_by_id == user.id and kept.value_cents == realisation.value_cents
    logged = " ".join(json.dumps([a.before, a.after]) for a in db.session.scalars(select(AuditLog)))
    assert OWNER not in logged
    assert client.get("/account").status_code == 302  # the session ended with the account
    assert auth.login(OWNER).status_code == 200  # the login is refused (form shown again)


def test_the_only_owner_of_an_organisation_with_members_must_hand_it_on_first(
    client, auth, contractor
):
    add_member(contractor, make_user("colleague@contractor.example.com"))
    auth.login(OWNER)
    page = client.get("/account").get_data(as_text=True)
    assert contractor.name in page
    response = client.post("/account/verwijderen", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 422
    assert accounts.find_by_email(OWNER) is not None


def test_deleting_the_account_forgets_its_login_counts_from_every_client(client, auth, user):
    login_throttle.reserve_attempt("someone@example.com", "203.0.113.9")  # a failed try elsewhere
    auth.login("someone@example.com")
    client.post("/account/verwijderen", data={"password": PASSWORD, "confirm": "y"})
    key = login_throttle.account_key("someone@example.com")
    assert db.session.scalar(select(func.count()).where(LoginThrottle.account_key == key)) == 0


def test_deleting_needs_the_confirmation_box(client, auth, user):
    auth.login("someone@example.com")
    response = client.post("/account/verwijderen", data={"password": PASSWORD})
    assert response.status_code == 422
    assert accounts.find_by_email("someone@example.com") is not None


def test_an_owner_exports_the_organisation_with_its_contracts(client, auth, parties):
    contract = parties.contract
    realisations.submit(contract, fte_realisation(), parties.owner)
    auth.login(OWNER)
    response = client.get(f"/organisaties/{parties.contractor.slug}/export.json")
    assert response.status_code == 200
    data = json.loads(response.get_data(as_text=True))
    assert data["organisation"]["kvk_number"] == parties.contractor.kvk_number
    assert [c["reference"] for c in data["contracts"]] == [contract.reference]
    assert data["realisations"][0]["candidate_ref"] == "KAND-1"
    assert data["members"][0]["email"] == OWNER


def test_the_authoritys_export_leaves_out_the_contractors_drafts(client, auth, parties):
    contract = parties.contract
    sent = realisations.submit(contract, fte_realisation(), parties.owner)
    realisations.submit(contract, fte_realisation("KAND-2"), parties.owner, draft=True)
    auth.login(OFFICER)
    response = client.get(f"/organisaties/{parties.authority.slug}/export.json")
    data = json.loads(response.get_data(as_text=True))
    assert [r["id"] for r in data["realisations"]] == [sent.id]


def test_a_member_or_a_stranger_cannot_export_the_organisation(client, auth, contractor):
    add_member(contractor, make_user("member@contractor.example.com"))
    make_org("contractor", owner=make_user("stranger@example.com"))
    for email in ("member@contractor.example.com", "stranger@example.com"):
        auth.login(email)
        assert client.get(f"/organisaties/{contractor.slug}/export.json").status_code == 403
        auth.logout()


def test_an_authority_owner_sets_the_retention_terms(client, auth, authority):
    auth.login(OFFICER)
    url = f"/organisaties/{authority.slug}/bewaartermijnen"
    assert client.get(url).status_code == 200
    refused = client.post(url, data={"candidate_years": "0", "financial_years": "3"})
    assert refused.status_code == 200 and "utrecht-form-field--invalid" in refused.get_data(
        as_text=True
    )
    saved = client.post(url, data={"candidate_years": "3", "financial_years": "10"})
    assert saved.status_code == 302
    db.session.refresh(authority)
    assert (authority.retention_candidate_years, authority.retention_financial_years) == (3, 10)


def test_the_retention_form_states_the_domains_bounds(client, auth, authority):
    auth.login(OFFICER)
    page = client.get(f"/organisaties/{authority.slug}/bewaartermijnen").get_data(as_text=True)
    assert "over mensen: 1 tot 10 jaar." in page
    assert "overige bewijsstukken: 7 tot 15 jaar." in page


def test_a_contractor_has_no_retention_terms_page(client, auth, contractor):
    auth.login(OWNER)
    assert client.get(f"/organisaties/{contractor.slug}/bewaartermijnen").status_code == 404


def test_deleting_the_account_removes_the_address_from_mails_already_sent(client, auth, user):
    from marketplace.models import OutboxJob
    from marketplace.services import mail

    mail.send("someone@example.com", "Welkom", "Hallo someone@example.com")
    db.session.commit()  # inline jobs: sent at once, the row is done
    auth.login("someone@example.com")
    data = json.loads(client.get("/account/gegevens.json").get_data(as_text=True))
    assert any(m["kind"] == "send_mail" for m in data["mails_queued_for_you"])
    client.post("/account/verwijderen", data={"password": PASSWORD, "confirm": "y"})
    db.session.expire_all()
    kept = " ".join(json.dumps(job.args) for job in db.session.scalars(select(OutboxJob)))
    assert "someone@example.com" not in kept
