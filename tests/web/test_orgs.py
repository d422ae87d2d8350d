"""Registering organisations, members, invitations, verification, profiles."""

from __future__ import annotations

import re

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditLog, Organisation, OrganisationMember
from marketplace.services import search
from tests.factories import make_org, make_user
from tests.mailbox import outbox_messages

VALID = {
    "name": "Schoonmaak Noord B.V.",
    "kind": "contractor",
    "kvk_number": "12345678",
    "btw_number": "NL000099998B57",
    "street": "Markt 1",
    "postcode": "7811ap",
    "city": "Emmen",
    "arbeidsmarktregio": "Drenthe",
    "sectors": ["schoonmaak"],
}


def test_register_organisation_makes_the_user_owner(client, auth, user):
    auth.login(user.email)
    response = client.post("/organisaties/registreren", data=VALID)
    assert response.status_code == 302
    org = db.session.scalar(select(Organisation).where(Organisation.kvk_number == "12345678"))
    assert org.postcode == "7811 AP"
    assert org.province == "Drenthe"
    assert not org.is_verified
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nog niet geverifieerd" in page
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "organisation.registered"))


def test_invalid_identifiers_are_shown_next_to_their_fields(client, auth, user):
    auth.login(user.email)
    bad = {**VALID, "kvk_number": "1234", "btw_number": "NL123456789B01", "postcode": "0123 AB"}
    response = client.post("/organisaties/registreren", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Een KvK-nummer heeft precies 8 cijfers" in page
    assert "geen geldig Nederlands btw-nummer" in page
    assert "Vul een Nederlandse postcode in" in page
    assert db.session.scalar(select(Organisation)) is None


def test_authority_needs_its_type(client, auth, user):
    auth.login(user.email)
    response = client.post("/organisaties/registreren", data={**VALID, "kind": "authority"})
    assert "Kies het soort aanbestedende dienst" in response.get_data(as_text=True)


def test_duplicate_kvk_is_refused(client, auth, user):
    make_org(kvk_number="12345678")
    auth.login(user.email)
    response = client.post("/organisaties/registreren", data=VALID)
    assert "al een organisatie met dit KvK-nummer" in response.get_data(as_text=True)


def test_owner_invites_member_who_accepts(client, auth, contractor):
    auth.login("owner@contractor.example.com")
    client.post(
        f"/organisaties/{contractor.slug}/leden",
        data={"email": "new@x.example.com", "role": "member"},
    )
    body = outbox_messages("new@x.example.com")[-1].get_content()
    link = re.search(r"https?://\S+", body).group(0).replace("http://localhost", "")
    auth.logout()
    make_user("new@x.example.com")
    auth.login("new@x.example.com")
    response = client.get(link, follow_redirects=True)
    assert "Je bent nu lid van" in response.get_data(as_text=True)
    assert "new@x.example.com" in client.get(f"/organisaties/{contractor.slug}/leden").get_data(
        as_text=True
    )


def test_member_cannot_see_other_organisations_members(client, auth, contractor):
    make_user("stranger@x.example.com")
    auth.login("stranger@x.example.com")
    assert client.get(f"/organisaties/{contractor.slug}/leden").status_code == 403


def test_last_owner_cannot_step_down(client, auth, contractor):
    auth.login("owner@contractor.example.com")
    member_id = contractor.members[0].id
    response = client.post(
        f"/organisaties/{contractor.slug}/leden/{member_id}/rol",
        data={"role": "member"},
        follow_redirects=True,
    )
    assert "minstens één eigenaar" in response.get_data(as_text=True)


def test_user_switches_between_organisations(client, auth):
    user = make_user("multi@x.example.com")
    first = make_org(owner=user, name="Eerste")
    second = make_org(owner=user, name="Tweede")
    auth.login(user.email)
    client.post("/organisatie/wissel", data={"org_id": second.id, "next": "/"})
    page = client.get("/organisaties/mijn").get_data(as_text=True)
    assert f'<option value="{second.id}" selected>' in page
    assert client.post("/organisatie/wissel", data={"org_id": 99999}).status_code == 403
    assert first.id != second.id


def test_admin_verifies_organisation(client, auth, admin, contractor):
    auth.login(admin.email)
    client.post(f"/beheer/organisaties/{contractor.id}/verifieren")
    db.session.refresh(contractor)
    assert contractor.is_verified


def test_non_admin_cannot_verify(client, auth, contractor):
    auth.login("owner@contractor.example.com")
    assert client.post(f"/beheer/organisaties/{contractor.id}/verifieren").status_code == 403


def test_a_verified_organisations_profile_is_visible_without_login(client):
    org = make_org("contractor", owner=make_user("o@x.example.com"), name="Bouw BV", verified=True)
    response = client.get(f"/organisaties/{org.slug}")
    assert response.status_code == 200
    assert "Bouw BV" in response.get_data(as_text=True)


def test_an_unverified_organisations_profile_is_seen_by_its_members_and_the_admin_only(
    client, auth, admin, emco
):
    """Nobody has checked an unverified organisation yet: to others its page does not exist,
    and the directory does not list it either, even once indexed."""
    org = make_org("werkbedrijf", owner=make_user("nieuw@x.example.com"), name="Nieuw Werk")
    for indexed in (org, emco):
        search.index_organisation(indexed)
    db.session.commit()
    profile = f"/organisaties/{org.slug}"
    assert client.get(profile).status_code == 404
    assert "Nieuw Werk" not in client.get("/organisaties").get_data(as_text=True)
    assert "EMCO-groep" in client.get("/organisaties").get_data(as_text=True)
    auth.login("emco@example.com")
    assert client.get(profile).status_code == 404
    auth.logout()
    for viewer in ("nieuw@x.example.com", admin.email):
        auth.login(viewer)
        response = client.get(profile)
        assert response.status_code == 200
        assert "Nieuw Werk" in response.get_data(as_text=True)
        auth.logout()


def test_members_land_on_their_workspace(client, auth, contractor, authority):
    auth.login("owner@contractor.example.com")
    assert client.get("/").headers["Location"].endswith("/opdrachtnemer/")
    auth.logout()
    auth.login("officer@authority.example.com")
    assert client.get("/").headers["Location"].endswith("/inkoop/")


PROFILE = {
    "street": "Weerdingerstraat 250",
    "postcode": "7811 ap",
    "city": "Emmen",
    "arbeidsmarktregio": "Drenthe",
    "description": "Groepsdetachering in assemblage en verpakken",
    "sectors": ["productie_assemblage"],
    "regions": ["Groningen", "Twente"],
    "capacity": "40 fte in groepsdetachering",
}


def test_owner_edits_the_profile_the_directory_shows(client, auth, emco):
    auth.login("emco@example.com")
    response = client.post(f"/organisaties/{emco.slug}/profiel", data=PROFILE)
    assert response.status_code == 302
    db.session.refresh(emco)
    assert (emco.postcode, emco.regions) == ("7811 AP", ["Groningen", "Twente"])
    page = client.get(f"/organisaties/{emco.slug}").get_data(as_text=True)
    assert "40 fte in groepsdetachering" in page
    assert "Groningen, Twente" in page
    row = db.session.scalar(
        select(AuditLog).where(AuditLog.action == "organisation.profile_changed")
    )
    assert row.before["capacity"] == "" and row.after["capacity"] == "40 fte in groepsdetachering"
    found = client.get("/organisaties?q=verpakken").get_data(as_text=True)
    assert "EMCO-groep" in found


def test_profile_errors_are_all_shown_and_nothing_is_saved(client, auth, emco):
    auth.login("emco@example.com")
    bad = {**PROFILE, "postcode": "12", "btw_number": "NL12", "capacity": "x" * 121}
    page = client.post(f"/organisaties/{emco.slug}/profiel", data=bad).get_data(as_text=True)
    assert "1234 AB" in page and "NL + 9" in page and "120" in page
    db.session.refresh(emco)
    assert emco.capacity == ""


def test_only_owners_edit_a_profile(client, auth, emco, contractor):
    member = make_user("member@emco.example.com")
    db.session.add(OrganisationMember(user_id=member.id, organisation_id=emco.id, role="member"))
    db.session.commit()
    auth.login("member@emco.example.com")
    assert client.get(f"/organisaties/{emco.slug}/profiel").status_code == 403
    auth.logout()
    auth.login("owner@contractor.example.com")
    assert client.post(f"/organisaties/{emco.slug}/profiel", data=PROFILE).status_code == 403
    db.session.refresh(emco)
    assert emco.capacity == ""
