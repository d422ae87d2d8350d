"""The pages of invitations and verification: the officer invites a company from the contract
form, the admin checks and verifies or rejects an organisation, the owner asks again, and an
unconfirmed user asks for a new confirmation link."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Contract, Organisation
from marketplace.services import accounts, organisations
from tests.factories import make_org, make_policy, make_user
from tests.mailbox import outbox_messages

OFFICER = "officer@authority.example.com"
KVK = "87654321"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 1, 15), tick=False):
        yield


@pytest.fixture
def policy(authority):
    return make_policy(authority)


def contract_form(**fields) -> dict:
    return {
        "title": "Nieuwbouw sporthal",
        "reference": "SPH-01",
        "contractor_id": "",
        "value_cents": "1.200.000",
        "award_date": "2026-02-01",
        "start_date": "2026-03-01",
        "end_date": "2028-02-29",
        **fields,
    }


def page_of(response) -> str:
    return response.get_data(as_text=True)


def waiting_contract(client, auth, **invite) -> Contract:
    auth.login(OFFICER)
    response = client.post("/inkoop/contracten/nieuw", data=contract_form(**invite))
    assert response.status_code == 302, page_of(response)
    auth.logout()
    return db.session.scalar(select(Contract))


def test_the_officer_invites_a_company_by_kvk_and_the_page_says_it_waits(
    client, auth, authority, policy
):
    auth.login(OFFICER)

    response = client.post(
        "/inkoop/contracten/nieuw",
        data=contract_form(invited_kvk="8765 4321"),
        follow_redirects=True,
    )

    page = page_of(response)
    assert "wacht op registratie van KvK 87654321" in page
    assert "Dit contract wacht tot het uitgenodigde bedrijf zich" in page
    assert "€ 60.000,00" in page


def test_the_dashboard_names_what_a_waiting_contract_waits_for(client, auth, authority, policy):
    waiting_contract(client, auth, invited_email="info@nieuw.example.com")
    auth.login(OFFICER)

    page = page_of(client.get("/inkoop/"))

    assert "wacht op registratie van info@nieuw.example.com" in page


def test_the_invitation_is_mailed(client, auth, authority, policy):
    waiting_contract(client, auth, invited_kvk=KVK, invited_email="info@nieuw.example.com")

    [message] = outbox_messages("info@nieuw.example.com")
    assert "SPH-01" in message["Subject"]


def test_every_wrong_invitation_field_is_marked_at_once(client, auth, authority, policy):
    auth.login(OFFICER)

    response = client.post(
        "/inkoop/contracten/nieuw",
        data=contract_form(invited_kvk="12", invited_email="geen-adres", end_date="2025-01-01"),
    )

    page = page_of(response)
    assert "Een KvK-nummer heeft precies 8 cijfers." in page
    assert 'id="invited_email-error"' in page and 'id="end_date-error"' in page
    assert db.session.scalar(select(func.count()).select_from(Contract)) == 0


def test_only_verified_contractors_are_offered(client, auth, authority, policy):
    make_org("contractor", name="Geverifieerd B.V.", verified=True)
    make_org("contractor", name="Onbekend B.V.")
    auth.login(OFFICER)

    page = page_of(client.get("/inkoop/contracten/nieuw"))

    assert "Geverifieerd B.V." in page and "Onbekend B.V." not in page


def test_an_unverified_contractor_posted_anyway_is_refused(client, auth, authority, policy):
    unknown = make_org("contractor", name="Onbekend B.V.")
    auth.login(OFFICER)

    response = client.post("/inkoop/contracten/nieuw", data=contract_form(contractor_id=unknown.id))

    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Contract)) == 0


def test_a_waiting_contract_is_404_for_another_authority(client, auth, authority, policy):
    contract = waiting_contract(client, auth, invited_kvk=KVK)
    other = make_user("inkoper@elders.example.com")
    make_org("authority", owner=other, name="Gemeente Elders")
    auth.login(other.email)

    assert client.get(f"/contracten/{contract.id}").status_code == 404
    assert client.get(f"/inkoop/contracten/{contract.id}/bewerken").status_code == 404


def test_the_company_registering_the_kvk_finds_the_contract_after_verification(
    client, auth, authority, policy, admin
):
    contract = waiting_contract(client, auth, invited_kvk=KVK)
    owner = make_user("baas@nieuw.example.com")
    company = make_org("contractor", owner=owner, name="Nieuwbouw B.V.", kvk_number=KVK)
    auth.login(owner.email)
    assert client.get(f"/contracten/{contract.id}").status_code == 404
    auth.logout()

    auth.login(admin.email)
    client.post(f"/beheer/organisaties/{company.id}/verifieren")
    auth.logout()
    auth.login(owner.email)

    assert client.get(f"/contracten/{contract.id}").status_code == 200
    assert "SPH-01" in page_of(client.get("/opdrachtnemer/"))


def test_the_officer_sees_the_linked_company_awaiting_verification(client, auth, authority, policy):
    contract = waiting_contract(client, auth, invited_kvk=KVK)
    make_org("contractor", name="Nieuwbouw B.V.", kvk_number=KVK)
    auth.login(OFFICER)

    page = page_of(client.get(f"/contracten/{contract.id}"))

    assert "Nieuwbouw B.V. (wacht op verificatie)" in page


def test_the_edit_form_keeps_the_linked_unverified_contractor(client, auth, authority, policy):
    contract = waiting_contract(client, auth, invited_kvk=KVK)
    company = make_org("contractor", name="Nieuwbouw B.V.", kvk_number=KVK)
    auth.login(OFFICER)

    response = client.post(
        f"/inkoop/contracten/{contract.id}/bewerken",
        data=contract_form(contractor_id=company.id, title="Sporthal Noord"),
    )

    assert response.status_code == 302
    assert db.session.get(Contract, contract.id).title == "Sporthal Noord"


# The admin's verification page


def test_the_admin_sees_the_details_the_registrant_and_similar_names(client, auth, admin):
    make_org("authority", name="Gemeente Emmen")
    starter = make_user("starter@example.com")
    newcomer = make_org(
        "contractor", owner=starter, name="Gem. Emmen B.V.", btw_number="NL004495445B01"
    )
    auth.login(admin.email)

    page = page_of(client.get(f"/beheer/organisaties/{newcomer.id}"))

    assert newcomer.kvk_number in page and "NL004495445B01" in page and "Straat 1" in page
    assert "starter@example.com" in page
    assert "Gemeente Emmen" in page


def test_the_verification_page_is_for_admins_only(client, auth, contractor):
    auth.login(contractor.members[0].user.email)

    assert client.get(f"/beheer/organisaties/{contractor.id}").status_code == 403


def test_an_unknown_organisation_is_404(client, auth, admin):
    auth.login(admin.email)

    assert client.get("/beheer/organisaties/999999").status_code == 404


def test_rejecting_needs_a_reason(client, auth, admin, contractor):
    auth.login(admin.email)

    response = client.post(f"/beheer/organisaties/{contractor.id}/afwijzen", data={"reason": ""})

    assert response.status_code == 422
    assert "Geef aan waarom de organisatie is afgewezen." in page_of(response)
    assert db.session.get(Organisation, contractor.id).rejected_at is None


def test_the_rejection_reaches_the_owner_who_asks_again(client, auth, admin, contractor):
    owner = contractor.members[0].user
    auth.login(admin.email)
    client.post(
        f"/beheer/organisaties/{contractor.id}/afwijzen", data={"reason": "Adres klopt niet"}
    )
    auth.logout()
    auth.login(owner.email)

    page = page_of(client.get(f"/organisaties/{contractor.slug}"))
    assert "Adres klopt niet" in page
    client.post(f"/organisaties/{contractor.slug}/verificatie-aanvragen")

    assert contractor in organisations.unverified()
    assert any("Adres klopt niet" in m.get_content() for m in outbox_messages(owner.email))


def test_another_user_cannot_ask_again_for_an_organisation(client, auth, admin, contractor):
    organisations.reject(contractor, "Adres klopt niet", admin)
    auth.login(make_user("vreemde@example.com").email)

    response = client.post(f"/organisaties/{contractor.slug}/verificatie-aanvragen")

    assert response.status_code == 403
    assert db.session.get(Organisation, contractor.id).rejected_at is not None


# A new confirmation link


def test_a_new_confirmation_link_answers_alike_for_known_and_unknown_addresses(client):
    accounts.register("nieuw@example.com", "een lang wachtwoord")

    known = client.post("/account/bevestiging-opnieuw", data={"email": "nieuw@example.com"})
    unknown = client.post("/account/bevestiging-opnieuw", data={"email": "niemand@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert len(outbox_messages("nieuw@example.com")) == 2


def test_asking_for_confirmation_links_is_rate_limited_per_address(client):
    accounts.register("nieuw@example.com", "een lang wachtwoord")

    statuses = [
        client.post("/account/bevestiging-opnieuw", data={"email": "nieuw@example.com"}).status_code
        for _ in range(4)
    ]

    assert statuses == [302, 302, 302, 429]
    assert len(outbox_messages("nieuw@example.com")) == 4
