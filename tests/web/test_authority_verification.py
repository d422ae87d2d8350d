"""Only verified authorities act as authorities: an unverified "Gemeente Emmen" cannot publish a
policy or register a contract on a real contractor, and the admin sees look-alike names."""

from __future__ import annotations

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Contract, SroiPolicy
from marketplace.models._types import utcnow
from tests.factories import make_org, make_policy, make_user

OFFICER = "officer@authority.example.com"
NOT_VERIFIED = "Je organisatie is nog niet geverifieerd"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def unverify(org) -> None:
    org.verified_at = None
    db.session.commit()


def contract_form(contractor) -> dict:
    return {
        "title": "Groenonderhoud",
        "reference": "2026-GRO-01",
        "contractor_id": str(contractor.id),
        "value_cents": "1.200.000",
        "award_date": "2026-02-01",
        "start_date": "2026-03-01",
        "end_date": "2028-02-29",
    }


def test_unverified_authority_cannot_register_a_contract_on_a_real_contractor(
    client, auth, authority, contractor
):
    make_policy(authority)
    unverify(authority)
    auth.login(OFFICER)

    response = client.post("/inkoop/contracten/nieuw", data=contract_form(contractor))

    assert response.status_code == 403
    assert NOT_VERIFIED in response.get_data(as_text=True)
    assert count(Contract) == 0


def test_unverified_authority_sees_why_instead_of_the_contract_form(client, auth, authority):
    unverify(authority)
    auth.login(OFFICER)

    response = client.get("/inkoop/contracten/nieuw")

    assert response.status_code == 403
    assert NOT_VERIFIED in response.get_data(as_text=True)


def test_unverified_authority_cannot_publish_a_policy(client, auth, authority):
    unverify(authority)
    auth.login(OFFICER)

    response = client.post(
        "/inkoop/beleid/nieuw",
        data={"name": "Beleid", "effective_from": "2026-01-01", "percentage_bp": "5"},
    )

    assert response.status_code == 403
    assert NOT_VERIFIED in response.get_data(as_text=True)
    assert count(SroiPolicy) == 0


def test_dashboard_of_an_unverified_authority_says_it_awaits_verification(client, auth, authority):
    unverify(authority)
    auth.login(OFFICER)

    page = client.get("/inkoop/").get_data(as_text=True)

    assert NOT_VERIFIED in page
    assert 'href="/inkoop/beleid/nieuw"' not in page


def test_once_verified_by_the_admin_the_authority_registers_contracts(
    client, auth, admin, authority, contractor
):
    make_policy(authority)
    contractor.verified_at = utcnow()  # only verified contractors can be chosen
    unverify(authority)
    auth.login(admin.email)
    client.post(f"/beheer/organisaties/{authority.id}/verifieren")
    auth.logout()
    auth.login(OFFICER)

    response = client.post("/inkoop/contracten/nieuw", data=contract_form(contractor))

    assert response.status_code == 302
    assert count(Contract) == 1


def test_admin_sees_a_new_organisation_named_like_an_existing_one(client, auth, admin):
    make_org("authority", name="Gemeente Emmen", kvk_number="01180000")
    make_org("authority", name="gemeente  emmen", verified=False)
    make_org("authority", name="Gemeente Epe", verified=False)
    auth.login(admin.email)

    page = client.get("/beheer/").get_data(as_text=True)

    flagged, rest = page.split("Gemeente Epe", 1)
    assert "Lijkt op:" in flagged
    assert "KvK 01180000" in flagged
    assert "Lijkt op:" not in rest.split("</li>", 1)[0]


def test_new_user_registering_an_authority_starts_unverified(client, auth):
    make_user("nieuw@example.com")
    auth.login("nieuw@example.com")
    client.post(
        "/organisaties/registreren",
        data={
            "name": "Gemeente Emmen",
            "kind": "authority",
            "authority_type": "gemeente",
            "kvk_number": "87654321",
            "street": "Markt 1",
            "postcode": "7811ap",
            "city": "Emmen",
            "arbeidsmarktregio": "Drenthe",
        },
    )

    response = client.get("/inkoop/contracten/nieuw")

    assert response.status_code == 403
