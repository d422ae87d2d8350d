"""GET /api/v1/search and /api/v1/organisations: public, the same search as the pages, with the
total and the counts per filter value; hostile text finds nothing and is never an error."""

from __future__ import annotations

import pytest

from tests.integration.test_search import directory_org, listed
from tests.unit.test_search_text import HOSTILE


@pytest.fixture
def supplier(app):
    return directory_org("Werkbedrijf Schoon", sectors=["schoonmaak"], capacity="40 fte")


def test_search_finds_listings_by_dutch_stem_with_kind_total_and_facets(client, supplier):
    listing = listed(supplier, title="Schoonmaak van kantoren")
    listed(supplier, title="Concept", status="draft")

    body = client.get("/api/v1/search?q=schoonmaken&kind=offering").get_json()

    assert body["total"] == 1
    assert [(i["kind"], i["id"], i["title"]) for i in body["items"]] == [
        ("offering", listing.id, "Schoonmaak van kantoren")
    ]
    assert body["facets"]["sector"] == {"schoonmaak": 1}
    assert body["facets"]["kind"] == {"offering": 1, "organisation": 1}


def test_search_filters_by_several_values_of_one_facet(client, supplier):
    listed(supplier, title="Schoonmaak")
    listed(supplier, title="Groen", sector="groenvoorziening")
    listed(supplier, title="Bouw", sector="bouw")
    body = client.get(
        "/api/v1/search?kind=offering&sector=schoonmaak&sector=groenvoorziening&sort=name"
    ).get_json()
    assert [i["title"] for i in body["items"]] == ["Groen", "Schoonmaak"]


def test_organisations_lists_the_directory_only(client, supplier):
    listed(supplier, title="Schoonmaak")
    body = client.get("/api/v1/organisations?q=werkbedrijf").get_json()
    assert [(i["kind"], i["title"], i["volume"]) for i in body["items"]] == [
        ("organisation", "Werkbedrijf Schoon", "40 fte")
    ]


@pytest.mark.parametrize("text", [t for t in HOSTILE if "\x00" not in t and "\ud800" not in t])
def test_hostile_text_gives_a_result_never_an_error(client, supplier, text):
    response = client.get("/api/v1/search", query_string={"q": text, "region": text[:100]})
    assert response.status_code == 200
    assert response.get_json()["total"] >= 0


def test_a_bad_sort_or_page_is_a_field_error(client):
    response = client.get("/api/v1/search?sort=random&page=0")
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) >= {"sort", "page"}


def test_both_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/search" in paths and "/api/v1/organisations" in paths
