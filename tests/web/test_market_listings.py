"""The marketplace's listing pages: 'Mijn markt', new demand and offerings, editing, the detail
pages and the owner's moves (docs/domain.md "Listings")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Listing, Organisation
from tests.factories import (
    add_member,
    make_contract,
    make_listing,
    make_org,
    make_policy,
    make_user,
)
from tests.querycount import counting_statements

TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def offering_form(**overrides) -> dict[str, str]:
    return {
        "title": "Groepsdetachering productie",
        "description": "Een team van 6 medewerkers met begeleider.",
        "sector": "productie_assemblage",
        "type": "placement",
        "region": "Drenthe",
        "amount_cents": "45.000",
        "volume": "6 fte",
        "fte": "6",
        "date_from": "2027-01-04",
        "last_day": "",
        **overrides,
    }


def count_listings() -> int:
    return db.session.scalar(select(func.count()).select_from(Listing))


def test_my_marketplace_shows_an_empty_state_for_an_organisation_without_listings(
    client, auth, emco
):
    auth.login("emco@example.com")
    page = client.get("/markt/mijn").get_data(as_text=True)
    assert "EMCO-groep heeft nog geen vraag of aanbod." in page
    assert "Nieuw aanbod" in page


def test_my_marketplace_asks_a_visitor_to_log_in(client):
    assert client.get("/markt/mijn").status_code == 302


def test_a_werkbedrijf_lands_on_my_marketplace_and_a_contractor_on_its_obligations(
    client, auth, emco, contractor
):
    auth.login("emco@example.com")
    assert client.get("/").headers["Location"].endswith("/markt/mijn")
    assert "Mijn markt" in client.get("/markt/mijn").get_data(as_text=True)
    auth.logout()
    auth.login("owner@contractor.example.com")
    assert client.get("/").headers["Location"].endswith("/opdrachtnemer/")


def test_a_verified_werkbedrijf_posts_and_publishes_an_offering(client, auth, emco):
    auth.login("emco@example.com")
    response = client.post(
        "/markt/nieuw?soort=aanbod", data={**offering_form(), "action": "publish"}
    )
    listing = db.session.scalars(select(Listing)).one()
    assert response.headers["Location"].endswith(f"/markt/aanbod/{listing.id}")
    assert (listing.status, listing.amount_cents, listing.available_from) == (
        "open",
        4500000,
        date(2027, 1, 4),
    )
    page = client.get(f"/markt/aanbod/{listing.id}").get_data(as_text=True)
    assert "Groepsdetachering productie" in page
    assert "Productie &amp; assemblage" in page


def test_an_unverified_organisation_saves_a_draft_and_is_told_why_it_cannot_publish(client, auth):
    make_org("social_enterprise", owner=make_user("buurt@example.com"), name="Buurtsupport")
    auth.login("buurt@example.com")
    form = client.get("/markt/nieuw?soort=aanbod").get_data(as_text=True)
    assert "nog niet geverifieerd" in form
    assert "Opslaan en publiceren" not in form
    response = client.post(
        "/markt/nieuw?soort=aanbod", data={**offering_form(), "action": "publish"}
    )
    assert db.session.scalars(select(Listing.status)).one() == "draft"
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Je concept is opgeslagen." in detail
    assert "nog niet geverifieerd" in detail


def test_the_form_marks_every_wrong_field_at_once_and_saves_nothing(client, auth, emco):
    auth.login("emco@example.com")
    hostile = offering_form(
        title="",
        description="",
        sector="kolenmijn",
        region="Atlantis",
        amount_cents="-5",
        fte="veel",
        date_from="2020-01-01",
    )
    page = client.post("/markt/nieuw?soort=aanbod", data=hostile).get_data(as_text=True)
    for message in (
        "Vul een titel in",
        "Beschrijf wat je vraagt of aanbiedt.",
        "Vul een bedrag in euro",
        "Vul een getal in",
        "Kies vandaag of een latere datum.",
    ):
        assert message in page, message
    assert page.count('aria-invalid="true"') >= 7
    assert count_listings() == 0


def test_html_in_a_listing_is_shown_as_text(client, auth, emco):
    listing = make_listing(emco, title="<script>alert(1)</script> schoonmaak")
    page = client.get(f"/markt/aanbod/{listing.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; schoonmaak" in page


def test_a_contractor_posts_demand_for_one_of_its_own_contracts(
    client, auth, contractor, authority
):
    make_policy(authority)
    contract = make_contract(authority, contractor, authority.members[0].user, title="Groenbeheer")
    contractor.verified_at = contractor.created_at
    db.session.commit()
    auth.login("owner@contractor.example.com")
    form = client.get(f"/markt/nieuw?soort=vraag&contract={contract.id}&sector=groenvoorziening")
    assert f'<option selected value="{contract.id}">Groenbeheer' in form.get_data(as_text=True)
    assert '<option selected value="groenvoorziening">' in form.get_data(as_text=True)
    assert '<option selected value="Drenthe">' in form.get_data(as_text=True)
    assert "Nieuw aanbod" not in client.get("/markt/mijn").get_data(as_text=True)
    data = {
        **offering_form(sector="groenvoorziening", type="service"),
        "contract_id": str(contract.id),
        "last_day": "2027-03-01",
    }
    client.post("/markt/nieuw?soort=vraag", data=data)
    demand = db.session.scalars(select(Listing)).one()
    assert (demand.kind, demand.contract_id, demand.wanted_by) == (
        "demand",
        contract.id,
        date(2027, 3, 1),
    )
    assert client.get(f"/markt/vraag/{demand.id}").status_code == 200
    assert client.get(f"/markt/aanbod/{demand.id}").status_code == 404


def test_a_contractor_cannot_open_the_offering_form(client, auth, contractor):
    auth.login("owner@contractor.example.com")
    assert client.get("/markt/nieuw?soort=aanbod").status_code == 302


def test_others_get_404_for_drafts_and_paused_listings_and_403_for_changes(client, auth, emco):
    draft = make_listing(emco, status="draft")
    paused = make_listing(emco, status="paused")
    public = make_listing(emco)
    make_org("contractor", owner=make_user("other@example.com"))
    auth.login("other@example.com")
    for hidden in (draft, paused):
        assert client.get(f"/markt/aanbod/{hidden.id}").status_code == 404
        assert client.get(f"/markt/aanbod/{hidden.id}/bewerken").status_code == 404
    assert client.get(f"/markt/aanbod/{public.id}").status_code == 200
    assert client.get(f"/markt/aanbod/{public.id}/bewerken").status_code == 403
    assert client.post(f"/markt/aanbod/{public.id}/pause").status_code == 403
    assert client.post(f"/markt/aanbod/{public.id}/sluiten").status_code == 403
    assert db.session.get(Listing, public.id).status == "open"


def test_a_colleague_edits_and_the_owner_pauses_resumes_closes_after_confirming_and_reopens(
    client, auth, emco
):
    listing = make_listing(emco)
    colleague = make_user("collega@example.com")
    add_member(emco, colleague)
    auth.login("collega@example.com")
    client.post(
        f"/markt/aanbod/{listing.id}/bewerken",
        data=offering_form(title="Schoonmaak kantoren Emmen", date_from=""),
    )
    assert db.session.get(Listing, listing.id).title == "Schoonmaak kantoren Emmen"
    client.post(f"/markt/aanbod/{listing.id}/pause")
    assert db.session.get(Listing, listing.id).status == "paused"
    client.post(f"/markt/aanbod/{listing.id}/resume", data={"next": "mine"})
    assert db.session.get(Listing, listing.id).status == "open"
    confirm = client.get(f"/markt/aanbod/{listing.id}/sluiten").get_data(as_text=True)
    assert "Ja, sluiten" in confirm
    assert db.session.get(Listing, listing.id).status == "open"
    client.post(f"/markt/aanbod/{listing.id}/sluiten")
    assert db.session.get(Listing, listing.id).status == "closed"
    client.post(f"/markt/aanbod/{listing.id}/reopen")
    assert db.session.get(Listing, listing.id).status == "open"


def test_a_draft_is_deleted_after_confirming(client, auth, emco):
    draft = make_listing(emco, status="draft")
    auth.login("emco@example.com")
    assert "Ja, verwijderen" in client.get(f"/markt/aanbod/{draft.id}/verwijderen").get_data(
        as_text=True
    )
    client.post(f"/markt/aanbod/{draft.id}/verwijderen")
    assert count_listings() == 0


def test_my_marketplace_lists_by_status_and_pages(client, auth, emco):
    for n in range(22):
        make_listing(emco, title=f"Aanbod nummer {n:02d}")
    make_listing(emco, status="draft", title="Nog een concept")
    auth.login("emco@example.com")
    first = client.get("/markt/mijn").get_data(as_text=True)
    assert "Pagina 1 van 2" in first
    assert "Open (22)" in first and "Concept (1)" in first
    drafts = client.get("/markt/mijn?status=draft").get_data(as_text=True)
    assert "Nog een concept" in drafts and "Aanbod nummer" not in drafts
    assert "Niets met deze status." in client.get("/markt/mijn?status=matched").get_data(
        as_text=True
    )
    assert client.get("/markt/mijn?status=bogus").status_code == 404
    assert client.get("/markt/mijn?page=9").status_code == 404


def test_an_expired_listing_reopens_only_after_a_new_date(client, auth, emco):
    listing = make_listing(emco, last_day=TODAY + timedelta(days=1))
    auth.login("emco@example.com")
    with time_machine.travel(TODAY + timedelta(days=3), tick=False):
        listing.status = "expired"
        db.session.commit()
        client.post(f"/markt/aanbod/{listing.id}/reopen")
        assert db.session.get(Listing, listing.id).status == "expired"


def page_statements(client, path: str) -> int:
    """Statements of one request, starting from an empty session as a real request does."""
    db.session.remove()
    with counting_statements(db.engine) as statements:
        assert client.get(path).status_code == 200
    return statements.count


def test_listing_pages_send_the_same_few_statements_at_10_and_at_many_listings(client, auth, emco):
    auth.login("emco@example.com")
    emco_id = emco.id
    for n in range(10):
        make_listing(emco, title=f"Aanbod nummer {n:03d}")
    first_id = make_listing(emco, title="Het aanbod dat we bekijken").id
    paths = (
        "/markt/mijn",
        "/markt/mijn?status=open&page=1",
        f"/markt/aanbod/{first_id}",
        f"/markt/aanbod/{first_id}/bewerken",
        "/markt/nieuw?soort=aanbod",
    )
    few = [page_statements(client, path) for path in paths]
    emco = db.session.get(Organisation, emco_id)
    for n in range(10, 70):
        make_listing(emco, title=f"Aanbod nummer {n:03d}")
    many = [page_statements(client, path) for path in paths]
    assert many == few
    assert max(many) <= 10, dict(zip(paths, many, strict=True))
