"""/zoeken, /organisaties, the organisation profile and the front page: what a visitor finds,
that every choice is a shareable GET URL, and that the pages send a fixed number of SQL
statements however many listings there are."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from marketplace.extensions import db
from marketplace.services import search
from tests.factories import make_org, make_verified_certificate
from tests.integration.test_search import directory_org, listed
from tests.querycount import counting_statements

MAX_STATEMENTS = 10


@pytest.fixture
def supplier(app):
    return directory_org(
        "Werkbedrijf Schoon",
        sectors=["schoonmaak"],
        description="Schoonmaak met mensen met een afstand tot de arbeidsmarkt.",
        capacity="40 medewerkers",
        regions=["Twente"],
    )


def test_search_page_finds_by_a_dutch_form_and_links_to_the_listing(client, supplier):
    listing = listed(supplier, title="Schoonmaak van kantoren")
    page = client.get("/zoeken?q=schoonmaken").get_data(as_text=True)
    assert "Schoonmaak van kantoren" in page
    assert f"/markt/aanbod/{listing.id}" in page


def test_search_page_filters_with_counts_in_the_url(client, supplier):
    listed(supplier, title="Schoonmaak kantoren")
    listed(supplier, title="Groen parken", sector="groenvoorziening")
    page = client.get("/zoeken?kind=offering&sector=groenvoorziening").get_data(as_text=True)
    assert "Groen parken" in page and "Schoonmaak kantoren" not in page
    assert 'name="sector" value="schoonmaak"' in page
    assert 'Schoonmaak <span class="app-muted">(1)</span>' in page
    assert 'value="groenvoorziening" checked' in page


def test_search_page_has_an_empty_state_and_survives_hostile_text(client, supplier):
    for text in ('"', "NEAR(", "title:x", "*", "🧹", "x" * 5000, "<script>"):
        response = client.get("/zoeken", query_string={"q": text, "sort": text, "page": text})
        assert response.status_code == 200
        assert "&lt;script&gt;" in response.get_data(as_text=True) or text != "<script>"
    assert "Nothing found" in client.get("/zoeken?q=qqqzzz").get_data(as_text=True) or (
        "Niets gevonden" in client.get("/zoeken?q=qqqzzz").get_data(as_text=True)
    )


def test_directory_lists_verified_social_enterprises_with_filters(client, supplier):
    make_org("social_enterprise", name="Onbekend Sociaal")
    directory_org("Groen Werkt", kind="social_enterprise", sectors=["groenvoorziening"])
    page = client.get("/organisaties?sector=schoonmaak").get_data(as_text=True)
    assert "Werkbedrijf Schoon" in page
    assert "Groen Werkt" not in page and "Onbekend Sociaal" not in page
    assert f"/organisaties/{supplier.slug}" in page


def test_profile_shows_badges_capacity_regions_and_open_offerings(client, supplier):
    make_verified_certificate(supplier, "trede_2", date.today() + timedelta(days=200))
    listed(supplier, title="Schoonmaak aangeboden")
    listed(supplier, title="Verborgen concept", status="draft")
    page = client.get(f"/organisaties/{supplier.slug}").get_data(as_text=True)
    assert "Schoonmaak aangeboden" in page and "Verborgen concept" not in page
    assert "40 medewerkers" in page and "Twente" in page
    assert "trede 2" in page
    assert "werkbedrijf" in page.lower()


def test_front_page_shows_newest_listings_and_links_search_and_directory(client, supplier):
    buyer = make_org("contractor", name="Bouwer", verified=True)
    listed(buyer, "demand", title="Schoonmaak gezocht")
    listed(supplier, title="Schoonmaak aangeboden")
    page = client.get("/").get_data(as_text=True)
    assert "Schoonmaak gezocht" in page and "Schoonmaak aangeboden" in page
    assert 'href="/zoeken"' in page and 'href="/organisaties"' in page


def _many(supplier, n: int) -> None:
    buyer = make_org("contractor", name=f"Koper {n}", verified=True)
    for i in range(n):
        listed(
            buyer if i % 2 else supplier, "demand" if i % 2 else "offering", title=f"Schoonmaak {i}"
        )


@pytest.mark.parametrize(
    "url",
    ["/zoeken", "/zoeken?q=schoonmaak&sector=schoonmaak&kind=offering", "/organisaties", "/"],
)
def test_pages_send_the_same_few_statements_at_10_and_200_listings(client, supplier, url):
    counts = []
    for n in (10, 190):
        _many(supplier, n)
        search._forget_counts()
        with counting_statements(db.engine) as statements:
            assert client.get(url).status_code == 200
        counts.append(statements.count)
        assert statements.count <= MAX_STATEMENTS, str(statements)
    assert counts[0] == counts[1]


def test_a_signed_in_member_sees_the_search_page_in_the_same_few_statements(client, auth, supplier):
    auth.login(supplier.members[0].user.email)
    counts = []
    for n in (10, 190):
        _many(supplier, n)
        search._forget_counts()
        with counting_statements(db.engine) as statements:
            assert client.get("/zoeken?q=schoonmaak&sector=schoonmaak").status_code == 200
        counts.append(statements.count)
        assert statements.count <= MAX_STATEMENTS, str(statements)
    assert counts[0] == counts[1]
