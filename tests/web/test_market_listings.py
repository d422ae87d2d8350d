"""The marketplace's listing pages: 'Mijn markt', new demand and offerings, detail pages."""

from __future__ import annotations

from tests.factories import make_org, make_user


def test_my_marketplace_shows_an_empty_state_for_an_organisation_without_listings(client, auth):
    owner = make_user("emco@example.com")
    make_org("werkbedrijf", owner=owner, name="EMCO-groep", verified=True)
    auth.login("emco@example.com")
    page = client.get("/markt/mijn")
    assert page.status_code == 200
    assert "EMCO-groep heeft nog geen vraag of aanbod." in page.get_data(as_text=True)


def test_my_marketplace_asks_a_visitor_to_log_in(client):
    assert client.get("/markt/mijn").status_code == 302
