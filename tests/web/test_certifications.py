"""Certifications on the pages: a social enterprise records its Code Sociale Ondernemingen
registration on its Keurmerken page, it awaits verification, the platform admin verifies it
(a badge on the public profile, purchase credit in the match's SROI preview) or rejects it with
a reason; nobody else can see or decide on it."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditLog, OrganisationCertification
from tests.factories import make_contract, make_listing, make_org, make_policy, make_user
from tests.mailbox import outbox_messages
from tests.served import at_once, logged_in

OWNER = "sociaal@example.com"
ADMIN = "admin@example.com"
CSO = "Ingeschreven in het register van de Code Sociale Ondernemingen"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 6, 1), tick=False):
        yield


@pytest.fixture
def supplier(app):
    """A verified social enterprise with its owner."""
    return make_org("social_enterprise", owner=make_user(OWNER), name="Groen Werkt", verified=True)


def page(response) -> str:
    return response.get_data(as_text=True)


def record(client, supplier, **overrides):
    data = {
        "code": "code_sociale_ondernemingen",
        "reference": "CSO-0042",
        "valid_from": "2026-01-01",
        "valid_until": "",
        **overrides,
    }
    return client.post(f"/organisaties/{supplier.slug}/keurmerken", data=data)


@pytest.fixture
def recorded(client, auth, supplier, admin) -> OrganisationCertification:
    auth.login(OWNER)
    assert record(client, supplier).status_code == 302
    auth.logout()
    return db.session.scalar(select(OrganisationCertification))


def test_a_member_records_a_certification_that_awaits_verification(client, auth, supplier):
    auth.login(OWNER)
    empty = page(client.get(f"/organisaties/{supplier.slug}/keurmerken"))
    assert "Nog geen keurmerk vastgelegd." in empty
    assert "Werkbedrijf / SW-bedrijf" in empty  # a social enterprise may be an SW-bedrijf too

    response = record(client, supplier)

    assert response.status_code == 302
    shown = page(client.get(f"/organisaties/{supplier.slug}/keurmerken"))
    assert CSO in shown and "CSO-0042" in shown and "wacht op verificatie" in shown
    cert = db.session.scalar(select(OrganisationCertification))
    assert (cert.organisation_id, cert.valid_from, cert.verified_at) == (
        supplier.id,
        date(2026, 1, 1),
        None,
    )
    assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "certification.recorded"))
    assert CSO not in page(client.get(f"/organisaties/{supplier.slug}"))  # no badge yet


def test_a_werkbedrijf_is_not_offered_what_its_kind_already_says(client, auth, emco):
    auth.login("emco@example.com")
    form = page(client.get(f"/organisaties/{emco.slug}/keurmerken"))
    assert CSO in form and "Werkbedrijf / SW-bedrijf" not in form
    response = record(client, emco, code="werkbedrijf")
    assert response.status_code == 422 and "Kies een keurmerk." in page(response)


def test_every_wrong_field_is_named_at_once_and_nothing_is_saved(client, auth, supplier):
    auth.login(OWNER)

    response = record(client, supplier, code="pso_trede_3", reference=" ", valid_until="2025-12-31")

    assert response.status_code == 422
    body = page(response)
    for message in (
        "Kies een keurmerk.",
        "Vul het registernummer of de lidmaatschapsreferentie in.",
        "De einddatum kan niet vóór de begindatum liggen.",
    ):
        assert message in body
    assert "Vul de datum in vanaf wanneer het geldig is." in page(
        record(client, supplier, valid_from="")
    )
    assert record(client, supplier, valid_from="31-02-2026").status_code == 422
    assert record(client, supplier, reference="x" * 61).status_code == 422
    assert db.session.scalar(select(OrganisationCertification)) is None


def test_the_admin_verifies_it_and_the_badge_and_credit_follow(
    client, auth, supplier, recorded, authority
):
    buyer = make_org("contractor", owner=make_user("koper@example.com"), verified=True)
    make_policy(authority)
    contract = make_contract(authority, buyer, authority.members[0].user)
    demand = make_listing(buyer, "demand", contract_id=contract.id, amount_cents=None)
    make_listing(supplier, amount_cents=1_000_000)
    before = page(client.get(f"/markt/vraag/{demand.id}"))
    directory = "/organisaties?certification=code_sociale_ondernemingen"
    assert "Groen Werkt" not in page(client.get(directory))

    auth.login(ADMIN)
    queue = page(client.get("/beheer/"))
    assert "Te verifiëren keurmerken" in queue and "Groen Werkt" in queue
    confirm = page(client.get(f"/beheer/keurmerken/{recorded.id}"))
    assert "Ja, verifieer keurmerk CSO-0042" in confirm
    response = client.post(f"/beheer/keurmerken/{recorded.id}/verifieren")

    assert response.status_code == 302
    assert "Er wachten geen keurmerken op verificatie." in page(client.get("/beheer/"))
    assert CSO in page(client.get(f"/organisaties/{supplier.slug}"))
    assert "Groen Werkt" in page(client.get(directory))  # re-indexed with its verification
    after = page(client.get(f"/markt/vraag/{demand.id}"))
    assert "telt voor €\xa010.000,00 mee" in after
    assert "telt voor €\xa010.000,00 mee" not in before
    mail = outbox_messages()[-1]
    assert mail["subject"] == "Je keurmerk is geverifieerd"
    auth.logout()
    auth.login(OWNER)
    assert "geverifieerd" in page(client.get(f"/organisaties/{supplier.slug}/keurmerken"))


def test_the_admin_rejects_it_with_a_reason_the_organisation_is_told(
    client, auth, supplier, recorded
):
    auth.login(ADMIN)
    without = client.post(f"/beheer/keurmerken/{recorded.id}/afwijzen", data={"reason": " "})
    assert without.status_code == 422

    response = client.post(
        f"/beheer/keurmerken/{recorded.id}/afwijzen",
        data={"reason": "Niet gevonden in het register."},
    )

    assert response.status_code == 302
    assert outbox_messages()[-1]["subject"] == "Je keurmerk is niet geaccepteerd"
    assert client.post(f"/beheer/keurmerken/{recorded.id}/verifieren").status_code == 409
    auth.logout()
    auth.login(OWNER)
    shown = page(client.get(f"/organisaties/{supplier.slug}/keurmerken"))
    assert "afgewezen" in shown and "Niet gevonden in het register." in shown
    assert CSO not in page(client.get(f"/organisaties/{supplier.slug}"))


def test_others_cannot_see_record_or_decide(client, auth, supplier, recorded, contractor):
    auth.login("owner@contractor.example.com")
    assert client.get(f"/organisaties/{supplier.slug}/keurmerken").status_code == 403
    assert record(client, supplier).status_code == 403
    assert client.get(f"/beheer/keurmerken/{recorded.id}").status_code == 403
    assert client.post(f"/beheer/keurmerken/{recorded.id}/verifieren").status_code == 403
    auth.logout()
    auth.login(ADMIN)
    assert client.get("/beheer/keurmerken/999999").status_code == 404
    assert client.get("/organisaties/bestaat-niet/keurmerken").status_code == 404
    db.session.expire_all()
    assert db.session.get(OrganisationCertification, recorded.id).verification == "pending"


def test_two_admins_verifying_at_once_decide_once(recorded, live):
    make_user("beheer2@example.com", admin=True)
    sessions = [logged_in(live, email) for email in (ADMIN, "beheer2@example.com")]
    path = f"{live.url}/beheer/keurmerken/{recorded.id}/verifieren"

    responses = at_once(
        [lambda s=s: s.post(path, allow_redirects=False, timeout=30) for s in sessions]
    )

    assert sorted(r.status_code for r in responses) == [302, 409]
    db.session.rollback()
    verified = db.session.scalars(
        select(AuditLog.id).where(AuditLog.action == "certification.verified")
    ).all()
    assert len(verified) == 1
